import pytest

from ventanilla.core.filters import first


def test_first_drops_nul_characters_and_cuts_long_values():
    assert first({"q": "dni\x00 duplicado"}, "q") == "dni duplicado"
    assert first({"q": "x" * 500}, "q", 10) == "x" * 10
    assert first({}, "q") == ""


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url",
    [
        "/instituciones/?q=%00",
        "/instituciones/?departamento=%00",
        "/tramites/?q=%00",
        "/tramites/?institucion=%00",
        "/buscar/?q=%00",
    ],
)
def test_nul_in_a_query_string_never_reaches_the_database(client, url):
    assert client.get(url).status_code == 200
