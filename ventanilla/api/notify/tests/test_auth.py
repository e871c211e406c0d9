"""The key check: Notify's JWT, its clock bound, revoked and unknown keys, the rate limit, and
the refusals that come before it (405, unknown paths) — each in Notify's error shape."""

import time
import uuid
from datetime import timedelta

import jwt
import pytest
from django.test import Client, override_settings
from django.utils import timezone

from ventanilla.api.notify.tests.support import NotifyClient, Setup, errors, setup_make
from ventanilla.notifications.models import ApiKey, Message
from ventanilla.notifications.services.keys import api_key_revoke

LIST = "/v2/notifications"
SOME_ID = "0d5f47d0-96dd-4f69-89cc-be14ffd21c49"


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _signed(notify: Setup, **claims: object) -> str:
    payload = {"iss": notify.live.service_id, "iat": int(time.time()), **claims}
    return jwt.encode({k: v for k, v in payload.items() if v is not None}, notify.live.secret)


def test_request_without_token_is_refused_401_in_notify_shape(notify: Setup) -> None:
    response = Client().get(LIST)
    assert response.status_code == 401
    assert errors(response) == [
        {
            "error": "AuthError",
            "message": "No autorizado: falta el token de autenticación (Authorization: Bearer …).",
        }
    ]


def test_token_without_bearer_scheme_is_refused_401(notify: Setup) -> None:
    response = Client().get(LIST, headers={"Authorization": f"Basic {notify.live.token()}"})
    assert response.status_code == 401
    assert "Bearer" in errors(response)[0]["message"]


def test_unreadable_token_is_refused_403(notify: Setup) -> None:
    response = Client().get(LIST, headers=_bearer("esto.no.es-un-jwt"))
    assert response.status_code == 403
    assert errors(response) == [{"error": "AuthError", "message": "Token no válido: firma."}]


def test_token_signed_with_another_secret_is_refused_403(notify: Setup) -> None:
    token = jwt.encode({"iss": notify.live.service_id, "iat": int(time.time())}, str(uuid.uuid4()))
    response = Client().get(LIST, headers=_bearer(token))
    assert response.status_code == 403
    assert errors(response) == [
        {"error": "AuthError", "message": "Token no válido: clave de API no encontrada."}
    ]


def test_token_naming_no_sender_is_refused_403(notify: Setup) -> None:
    for issuer in (str(uuid.uuid4()), "no-es-un-uuid"):
        token = jwt.encode({"iss": issuer, "iat": int(time.time())}, notify.live.secret)
        response = Client().get(LIST, headers=_bearer(token))
        assert response.status_code == 403
        assert errors(response)[0]["message"] == "Token no válido: clave de API no encontrada."


def test_token_without_iss_or_iat_is_refused_403(notify: Setup) -> None:
    no_iss = jwt.encode({"iat": int(time.time())}, notify.live.secret)
    response = Client().get(LIST, headers=_bearer(no_iss))
    assert response.status_code == 403
    assert errors(response)[0]["message"] == "Token no válido: falta el campo iss."
    no_iat = _signed(notify, iat=None)
    response = Client().get(LIST, headers=_bearer(no_iat))
    assert response.status_code == 403
    assert errors(response)[0]["message"] == "Token no válido: falta el campo iat."


@pytest.mark.parametrize("offset", [-31, -3600, 31, 3600])
def test_token_issued_more_than_30_seconds_away_is_refused_403(notify: Setup, offset: int) -> None:
    token = _signed(notify, iat=int(time.time()) + offset)
    response = Client().get(LIST, headers=_bearer(token))
    assert response.status_code == 403
    assert errors(response) == [
        {
            "error": "AuthError",
            "message": "Error: el reloj de su sistema debe tener una exactitud de 30 segundos.",
        }
    ]


def test_token_issued_within_30_seconds_is_accepted(notify: Setup) -> None:
    for offset in (-25, 25):
        token = _signed(notify, iat=int(time.time()) + offset)
        assert Client().get(LIST, headers=_bearer(token)).status_code == 200


def test_token_with_another_algorithm_is_refused_403(notify: Setup) -> None:
    token = jwt.encode(
        {"iss": notify.live.service_id, "iat": int(time.time())},
        notify.live.secret,
        algorithm="HS512",
    )
    response = Client().get(LIST, headers=_bearer(token))
    assert response.status_code == 403
    assert errors(response)[0]["message"] == "Token no válido: el algoritmo usado no es HS256."


def test_revoked_key_is_refused_and_said_so(notify: Setup) -> None:
    api_key_revoke(key=notify.live.row, by=None)
    response = NotifyClient(notify.live).get(LIST)
    assert response.status_code == 403
    assert errors(response)[0]["message"] == "Token no válido: la clave de API fue revocada."
    # The sender's other key still works.
    assert NotifyClient(notify.test).get(LIST).status_code == 200


def test_key_use_is_noted_on_the_key(notify: Setup) -> None:
    assert notify.live.row.last_used_at is None
    NotifyClient(notify.live).get(LIST)
    notify.live.row.refresh_from_db()
    assert notify.live.row.last_used_at is not None
    assert timezone.now() - notify.live.row.last_used_at < timedelta(minutes=1)


def test_a_key_reads_nothing_of_another_institution(notify: Setup) -> None:
    other = setup_make("Gobierno Regional de Cusco")
    sent = NotifyClient(other.live).post(
        "/v2/notifications/email",
        {
            "email_address": "vecina@correo.pe",
            "template_id": str(other.email_template.id),
            "personalisation": {"nombre": "Rosa", "numero": "1"},
        },
    )
    assert sent.status_code == 201
    mine = NotifyClient(notify.live)
    assert mine.get(f"/v2/notifications/{sent.json()['id']}").status_code == 404
    assert mine.get(f"/v2/template/{other.email_template.id}").status_code == 404
    assert mine.get(LIST).json()["notifications"] == []
    ids = {t["id"] for t in mine.get("/v2/templates").json()["templates"]}
    assert str(other.email_template.id) not in ids
    refused = mine.post(
        "/v2/notifications/email",
        {
            "email_address": "vecina@correo.pe",
            "template_id": str(other.email_template.id),
            "personalisation": {"nombre": "Rosa", "numero": "1"},
        },
    )
    assert refused.status_code == 400
    assert errors(refused) == [
        {"error": "BadRequestError", "message": "No se encontró la plantilla."}
    ]


@override_settings(NOTIFICATIONS_API_RATE_LIMIT=3)
def test_requests_past_the_rate_limit_are_refused_429(notify: Setup) -> None:
    api = NotifyClient(notify.live)
    assert [api.get(LIST).status_code for _ in range(3)] == [200, 200, 200]
    response = api.get(LIST)
    assert response.status_code == 429
    assert errors(response) == [
        {
            "error": "RateLimitError",
            "message": "Se superó el límite de 3 solicitudes cada 60 segundos "
            "para las claves de tipo LIVE.",
        }
    ]
    # Each key has its own count.
    assert NotifyClient(notify.test).get(LIST).status_code == 200


@pytest.mark.parametrize(
    ("method", "path", "allow"),
    [
        ("get", "/v2/notifications/email", "POST"),
        ("put", "/v2/notifications/sms", "POST"),
        ("post", "/v2/notifications", "GET"),
        ("delete", f"/v2/notifications/{SOME_ID}", "GET"),
        ("post", f"/v2/template/{SOME_ID}", "GET"),
        ("get", f"/v2/template/{SOME_ID}/preview", "POST"),
        ("patch", "/v2/templates", "GET"),
    ],
)
def test_wrong_method_is_405_with_allow_before_the_key_is_checked(
    db: None, method: str, path: str, allow: str
) -> None:
    response = getattr(Client(), method)(path)
    assert response.status_code == 405
    assert response["Allow"] == allow
    assert errors(response) == [
        {
            "error": "BadRequestError",
            "message": f"Método no permitido en esta dirección; use {allow}.",
        }
    ]


def test_unknown_path_under_v2_is_a_json_404(db: None) -> None:
    for method in ("get", "post"):
        response = getattr(Client(), method)("/v2/notifications/letter/precompiled/x")
        assert response.status_code == 404
        assert errors(response)[0]["error"] == "NotFound"


def test_answers_are_spanish_whatever_the_visitors_language_cookie(notify: Setup) -> None:
    client = Client()
    client.cookies["lang"] = "en"
    response = client.get(LIST)
    assert response.status_code == 401
    assert errors(response)[0]["message"].startswith("No autorizado")
    assert Message.objects.count() == 0
    assert ApiKey.objects.filter(last_used_at__isnull=False).count() == 0
