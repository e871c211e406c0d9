"""The feedback form posted from the bottom of every (cached) citizen page."""

import pytest
from django.test import Client

from ventanilla.feedback.models import PageFeedback

pytestmark = pytest.mark.django_db


def test_feedback_posts_without_csrf_token_and_thanks_the_visitor():
    client = Client(enforce_csrf_checks=True)
    response = client.post(
        "/opinion/",
        {"util": "si", "comentario": "Muy clara, mi correo x@y.pe", "ruta": "/tramites/"},
    )
    assert response.status_code == 303
    assert response["Location"] == "/opinion/?gracias=1&volver=%2Ftramites%2F"
    feedback = PageFeedback.objects.get()
    assert feedback.useful is True
    assert feedback.comment == "Muy clara, mi correo [correo]"
    thanks = client.get(response["Location"]).content.decode()
    assert "Gracias por tu opinión" in thanks
    assert 'href="/tramites/"' in thanks


def test_every_citizen_page_has_the_feedback_form_with_its_own_path(client):
    html = client.get("/instituciones/").content.decode()
    assert "¿Te fue útil esta página?" in html
    assert 'action="/opinion/"' in html
    assert 'name="ruta" value="/instituciones/"' in html


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"comentario": "hola", "ruta": "/"}, "Elige «Sí» o «No»"),
        ({"util": "quizas", "ruta": "/"}, "Elige «Sí» o «No»"),
        ({"util": "no", "comentario": "x" * 1001, "ruta": "/"}, "hasta 1000 caracteres"),
        (
            {"util": "no", "ruta": "https://evil.example/"},
            "La dirección de la página no es válida.",
        ),
        ({"util": "no"}, "No sabemos sobre qué página opinas."),
    ],
)
def test_bad_feedback_shows_a_spanish_error_and_saves_nothing(client, data, message):
    response = client.post("/opinion/", data)
    html = response.content.decode()
    assert response.status_code == 400
    assert "Hay un problema" in html
    assert message in html
    assert not PageFeedback.objects.exists()


def test_thank_you_page_never_links_off_site(client):
    html = client.get("/opinion/?gracias=1&volver=https://evil.example/").content.decode()
    assert 'href="https://evil.example/"' not in html
    assert '<a class="btn" href="/">' in html
