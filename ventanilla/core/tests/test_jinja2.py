"""The citizen pages' Jinja2 environment: translations (at compile time for constant strings,
at render time for the rest), fast addresses, and message extraction for makemessages."""

from django.template import engines
from django.urls import reverse
from django.utils import translation

from ventanilla.core.jinja2 import url
from ventanilla.core.management.commands.makemessages import jinja_to_python


def _render(source: str, language: str, **context: object) -> str:
    with translation.override(language):
        return engines["jinja2"].from_string(source).render(context)


def test_constant_strings_are_translated_when_the_template_is_compiled():
    backend = engines["jinja2"]
    compiled = backend.env_for("en").compile('{{ _("Temas") }}', raw=True)
    assert "Topics" in compiled
    assert "gettext" not in compiled
    assert _render('{{ _("Temas") }}', "en") == "Topics"
    assert _render('{{ _("Temas") }}', "es") == "Temas"


def test_strings_with_values_translate_when_rendered_and_escape_the_values():
    source = '{{ _("Te llevará al servicio digital de %(name)s.", name=who) }}'
    assert _render(source, "es", who="<b>SAT</b>") == (
        "Te llevará al servicio digital de &lt;b&gt;SAT&lt;/b&gt;."
    )
    plural = (
        "{% trans counter=n, n=n %}{{ n }} paso{% pluralize counter %}{{ n }} pasos{% endtrans %}"
    )
    assert _render(plural, "es", n=2) == "2 pasos"


def test_addresses_of_numbers_and_slugs_match_reverse():
    kwargs = {"number": 224, "slug": "solicitar-duplicado-de-dni"}
    assert url("catalogue:procedure", **kwargs) == reverse("catalogue:procedure", kwargs=kwargs)
    assert url("catalogue:procedure", **kwargs) == reverse("catalogue:procedure", kwargs=kwargs)
    assert url("institutions:detail", slug="reniec") == "/institucion/reniec/"
    assert url("core:home") == reverse("core:home")


def test_makemessages_reads_every_message_of_a_jinja_template_on_its_line():
    source = (
        '<h1>{{ _("Temas") }}</h1>\n'
        '{{ _("Verificada el %(d)s.", d=day) }}\n'
        "{% trans counter=n, n=n %}{{ n }} resultado{% pluralize counter %}"
        "{{ n }} resultados{% endtrans %}\n"
    )
    lines = jinja_to_python(source).split("\n")
    assert lines[0] == "gettext('Temas'); "
    assert lines[1] == "gettext('Verificada el %(d)s.'); "
    assert lines[2] == "ngettext('%(n)s resultado', '%(n)s resultados', 1); "
