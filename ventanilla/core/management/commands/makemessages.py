"""`makemessages` that also reads the Jinja2 citizen templates (templates/).

Django's own command turns every template into Python for xgettext with the Django template
lexer, which does not see Jinja's `_()` calls with arguments or its {% trans %} blocks. Django
documents replacing the command to change how files are processed; this one hands the files
of the Jinja2 engine's DIRS to Jinja's own extractor (`Environment.extract_translations`) and
writes one gettext()/ngettext() call per message on the template's line, so the msgids and the
`#: templates/…:LINE` references are what {% translate %} and {% blocktranslate %} produced."""

from pathlib import Path

from django.core.management.commands import makemessages
from django.template import engines
from jinja2 import Environment


def _jinja_dirs() -> list[Path]:
    dirs: list[Path] = []
    for engine in engines.all():
        env = getattr(engine, "env", None)
        if isinstance(env, Environment):
            dirs += [Path(d).resolve() for d in engine.template_dirs]
    return dirs


def jinja_to_python(source: str) -> str:
    """gettext()/ngettext() calls for the messages of a Jinja template, on their lines."""
    env = Environment(extensions=["jinja2.ext.i18n"])  # noqa: S701 - parsed, never rendered
    lines = [""] * (source.count("\n") + 1)
    for lineno, function, message in env.extract_translations(source):  # type: ignore[attr-defined]
        # Babel style: one entry per argument, None where it is not a literal (the keyword
        # arguments of `_("… %(name)s", name=x)`, the count of ngettext).
        strings = [m for m in (message if isinstance(message, tuple) else (message,)) if m]
        if function == "ngettext" and len(strings) >= 2:
            call = f"ngettext({strings[0]!r}, {strings[1]!r}, 1)"
        elif strings:
            call = f"gettext({strings[0]!r})"
        else:
            continue
        lines[lineno - 1] += call + "; "
    return "\n".join(lines)


class JinjaAwareBuildFile(makemessages.BuildFile):
    def preprocess(self) -> None:
        path = Path(self.path).resolve()
        if self.domain != "django" or not any(path.is_relative_to(d) for d in _jinja_dirs()):
            super().preprocess()
            return
        source = path.read_text(encoding="utf-8")
        with open(self.work_path, "w", encoding="utf-8") as fp:
            fp.write(jinja_to_python(source))


class Command(makemessages.Command):
    help = makemessages.Command.help + " Jinja2 templates are read with Jinja's extractor."
    build_file_class = JinjaAwareBuildFile
    # `gettext as _t` is the admin modules' name where `_` is gettext_lazy.
    xgettext_options = [*makemessages.Command.xgettext_options, "--keyword=_t"]
