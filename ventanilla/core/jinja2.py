"""The Jinja2 environment of the citizen pages (templates/): Django's gettext through
`jinja2.ext.i18n` (new-style: `_("… %(name)s", name=x)` escapes `x`, as {% blocktranslate %}
does), autoescape on, and the design system's helpers. The back office keeps Django templates.

A constant string, `_("Temas")`, is translated when the template is compiled: the backend keeps
one compiled copy of each template per language, so the ~50 fixed strings of a page cost
nothing when it renders. Strings with variables and {% trans %} blocks translate at render time.

Why Jinja2 for citizen pages (the procedure template: 2.8 ms with Django templates, 0.7 ms
here), with the measurements: docs/decisions/0004-jinja2-citizen-pages.md."""

import re
from collections.abc import Iterator
from typing import Any

from django.conf import settings
from django.core.signals import setting_changed
from django.template import TemplateDoesNotExist, TemplateSyntaxError
from django.template.backends.jinja2 import Jinja2 as DjangoJinja2
from django.template.backends.jinja2 import Template, get_exception_info
from django.template.defaultfilters import date as date_filter
from django.template.defaultfilters import linebreaks_filter, truncatechars, urlencode
from django.templatetags.static import static
from django.urls import NoReverseMatch, get_script_prefix, reverse
from django.utils import translation
from jinja2 import Environment, TemplateNotFound
from jinja2 import TemplateSyntaxError as JinjaSyntaxError
from jinja2.ext import Extension
from jinja2.lexer import Token, TokenStream

from ventanilla.core.templatetags.ds import elided_pages, num, soles

_PLAIN_URLS: dict[tuple[str, str], str] = {}
_URL_PATTERNS: dict[tuple[str, tuple[str, ...], str], str] = {}
# Values that every path converter passes through unquoted (numbers, slugs).
_PLAIN_VALUE = re.compile(r"[-a-zA-Z0-9_]+")
_MARK = "9182736450"  # reversed in place of each argument, then replaced by its value


def url(name: str, *args: Any, **kwargs: Any) -> str:
    """reverse(). Lists print twenty addresses a page: an address made of numbers and slugs is
    reversed once per URL name and filled in after that (~1 µs instead of ~25 µs); any other
    value goes through reverse() itself."""
    prefix = get_script_prefix()
    if args:
        return reverse(name, args=args)
    if not kwargs:
        key = (name, prefix)
        found = _PLAIN_URLS.get(key)
        if found is None:
            found = _PLAIN_URLS[key] = reverse(name)
        return found
    values = [str(v) for v in kwargs.values()]
    if not all(_PLAIN_VALUE.fullmatch(v) for v in values):
        return reverse(name, kwargs=kwargs)
    pattern_key = (name, tuple(kwargs), prefix)
    pattern = _URL_PATTERNS.get(pattern_key)
    if pattern is None:
        marks = {k: f"{_MARK}{i}" for i, k in enumerate(kwargs)}
        try:
            pattern = reverse(name, kwargs=marks)
        except NoReverseMatch:
            # A converter that refuses the mark (uuid, a custom one): no shortcut for this name.
            return reverse(name, kwargs=kwargs)
        for i in range(len(marks)):
            pattern = pattern.replace(f"{_MARK}{i}", f"{{{i}}}", 1)
        _URL_PATTERNS[pattern_key] = pattern
    return pattern.format(*values)


def _forget_patterns() -> None:
    _PLAIN_URLS.clear()
    _URL_PATTERNS.clear()


_STATIC_URLS: dict[str, str] = {}


def static_url(path: str) -> str:
    """The static file's (hashed) address; the manifest is read once per process."""
    found = _STATIC_URLS.get(path)
    if found is None:
        found = _STATIC_URLS[path] = static(path)
    return found


def _forget_urls(*, setting: str, **kwargs: Any) -> None:
    if setting == "ROOT_URLCONF":
        _forget_patterns()
    if setting in {"STATIC_URL", "STORAGES", "STATIC_ROOT"}:
        _STATIC_URLS.clear()


setting_changed.connect(_forget_urls)


_LABELS: dict[tuple[str, str, str | None], dict[Any, str]] = {}


def display(obj: Any, field_name: str) -> str:
    """The label of a choices field, like `get_<field>_display()` but translated once per
    language and process: Django's version translates every label of the field on each call
    (400 gettext calls on a directory page)."""
    field = obj._meta.get_field(field_name)
    key = (obj._meta.label, field_name, translation.get_language())
    labels = _LABELS.get(key)
    if labels is None:
        labels = _LABELS[key] = {value: str(label) for value, label in field.flatchoices}
    value = getattr(obj, field.attname)
    return labels.get(value, value)


def querystring(request: Any, **changes: Any) -> str:
    """The current query string with `changes` applied (None drops a key), starting with '?',
    like Django's {% querystring %}."""
    params = request.GET.copy()
    for key, value in changes.items():
        if value is None:
            params.pop(key, None)
        else:
            params[key] = str(value)
    return f"?{params.urlencode()}"


class PretranslateExtension(Extension):
    """Rewrites `_("literal")` (no arguments) into the literal translated to the environment's
    `pretranslate_language`, marked safe exactly as new-style gettext marks it."""

    def filter_stream(self, stream: TokenStream) -> Iterator[Token]:
        language = getattr(self.environment, "pretranslate_language", "")
        if language == "":  # the base environment (and message extraction) keeps _() calls
            yield from stream
            return
        window: list[Token] = []
        for token in stream:
            window.append(token)
            if (
                len(window) >= 4
                and window[-4].test("name:_")
                and window[-3].type == "lparen"
                and window[-2].type == "string"
                and window[-1].type == "rparen"
            ):
                line, message = window[-4].lineno, window[-2].value
                with translation.override(language):
                    # New-style gettext always formats, so "%%" means "%" on both paths.
                    translated = translation.gettext(message) % {}
                del window[-4:]
                window += [
                    Token(line, "string", translated),
                    Token(line, "pipe", "|"),
                    Token(line, "name", "safe"),
                ]
            while len(window) > 4:
                yield window.pop(0)
        yield from window


class Jinja2(DjangoJinja2):
    """Django's Jinja2 backend with one environment (and template cache) per language."""

    def __init__(self, params: dict[str, Any]) -> None:
        super().__init__(params)
        self.languages = {code for code, _name in settings.LANGUAGES}
        self.by_language: dict[str | None, Environment] = {}

    def env_for(self, language: str | None) -> Environment:
        if language not in self.languages and language is not None:
            return self.env  # an unknown code: translate at render time
        env = self.by_language.get(language)
        if env is None:
            env = self.env.overlay(cache_size=400)
            env.pretranslate_language = language  # type: ignore[attr-defined]
            self.by_language[language] = env
        return env

    def from_string(self, template_code: str) -> Template:
        env = self.env_for(translation.get_language())
        return Template(env.from_string(template_code), self)

    def get_template(self, template_name: str) -> Template:
        env = self.env_for(translation.get_language())
        try:
            return Template(env.get_template(template_name), self)
        except TemplateNotFound as exc:
            raise TemplateDoesNotExist(str(exc.name), backend=self) from exc
        except JinjaSyntaxError as exc:
            new = TemplateSyntaxError(exc.args)
            new.template_debug = get_exception_info(exc)  # type: ignore[attr-defined,arg-type]
            raise new from exc


def environment(**options: Any) -> Environment:
    # Django's backend passes autoescape=True (and settings say so explicitly).
    env = Environment(  # noqa: S701
        extensions=["jinja2.ext.i18n", PretranslateExtension], **options
    )
    env.install_gettext_callables(  # type: ignore[attr-defined]
        translation.gettext, translation.ngettext, newstyle=True
    )
    env.globals.update(
        url=url,
        static=static_url,
        querystring=querystring,
        display=display,
        elided_pages=elided_pages,
        get_language=translation.get_language,
    )
    env.filters.update(
        soles=soles,
        num=num,
        linebreaks=linebreaks_filter,
        truncatechars=truncatechars,
        urlencode=urlencode,
        date=date_filter,
    )
    return env
