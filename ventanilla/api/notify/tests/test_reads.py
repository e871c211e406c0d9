"""GET /v2/notifications[/{id}], /v2/template/{id}[/version/{v}], /v2/templates and POST
/v2/template/{id}/preview: Notify's field names, filters, pages of 250 newest first, and the
key's tenancy."""

from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from ventanilla.api.notify.tests.support import NotifyClient, Setup, errors, template_make
from ventanilla.notifications.models import Channel, Message, TemplateVersion
from ventanilla.notifications.services.messages import message_create, messages_create_many

LIST = "/v2/notifications"


def _send(notify: Setup, *, test: bool = True, channel: str = "email", **extra: Any) -> Message:
    email = channel == "email"
    return message_create(
        channel=channel,
        institution=notify.institution,
        api_key=notify.test.row if test else notify.live.row,
        recipient="rosa@correo.pe" if email else "987654321",
        template=notify.email_template if email else notify.sms_template,
        personalisation={"nombre": "Rosa", "numero": "7"}
        if email
        else {"nombre": "Rosa", "fecha": "hoy"},
        **extra,
    )


def test_get_notification_answers_notifys_fields(notify: Setup, test_api: NotifyClient) -> None:
    message = _send(notify, reference="exp-1")
    response = test_api.get(f"/v2/notifications/{message.id}")
    assert response.status_code == 200
    got = response.json()
    assert got == {
        "id": str(message.id),
        "reference": "exp-1",
        "email_address": "rosa@correo.pe",
        "phone_number": None,
        "line_1": None,
        "line_2": None,
        "line_3": None,
        "line_4": None,
        "line_5": None,
        "line_6": None,
        "postcode": None,
        "type": "email",
        "status": "delivered",
        "template": {
            "id": str(notify.email_template.id),
            "version": 1,
            "uri": f"http://testserver/v2/template/{notify.email_template.id}",
        },
        "body": "Hola Rosa:\n\nSu licencia 7 está lista.",
        "subject": "Su licencia 7 fue aprobada",
        "created_at": got["created_at"],
        "created_by_name": None,
        "sent_at": got["sent_at"],
        "completed_at": got["completed_at"],
        "scheduled_for": None,
        "postage": None,
        "one_click_unsubscribe_url": None,
    }
    assert got["created_at"].endswith("Z")
    assert "T" in got["created_at"]


def test_get_sms_notification_has_phone_and_no_subject(
    notify: Setup, test_api: NotifyClient
) -> None:
    message = _send(notify, channel="sms")
    got = test_api.get(f"/v2/notifications/{message.id}").json()
    assert got["phone_number"] == "+51987654321"
    assert got["email_address"] is None
    assert got["subject"] is None
    assert got["type"] == "sms"


def test_get_notification_by_bad_or_unknown_id(notify: Setup, test_api: NotifyClient) -> None:
    bad = test_api.get("/v2/notifications/no-es-uuid")
    assert bad.status_code == 400
    assert errors(bad) == [
        {"error": "ValidationError", "message": "notification_id no es un UUID válido."}
    ]
    unknown = test_api.get("/v2/notifications/6b6c2f0c-3f6b-4a51-9f53-5a8a3b9b0c11")
    assert unknown.status_code == 404
    assert errors(unknown) == [
        {"error": "NoResultFound", "message": "No se encontró ningún resultado."}
    ]


def test_messages_not_sent_through_the_notify_api_are_not_shown(
    notify: Setup, live_api: NotifyClient
) -> None:
    # A case e-mail of the same institution and sender (no key): not this API's to show.
    other = message_create(
        channel=Channel.EMAIL,
        recipient="rosa@correo.pe",
        institution=notify.institution,
        sender=notify.sender,
        subject="Su expediente",
        body="Texto",
    )
    assert live_api.get(f"/v2/notifications/{other.id}").status_code == 404
    assert live_api.get(LIST).json()["notifications"] == []


def test_list_is_newest_first_and_filters_by_type_status_and_reference(
    notify: Setup, test_api: NotifyClient, live_api: NotifyClient
) -> None:
    first = _send(notify, reference="lote-1")
    second = _send(notify, channel="sms", reference="lote-1")
    third = _send(notify, reference="lote-2")
    live = _send(notify, test=False)  # a live key's message: not in a test key's list

    def ids(params: Any, api: NotifyClient = test_api) -> list[str]:
        response = api.get(LIST, params)
        assert response.status_code == 200, response.json()
        return [n["id"] for n in response.json()["notifications"]]

    assert ids({}) == [str(third.id), str(second.id), str(first.id)]
    assert ids({"template_type": "sms"}) == [str(second.id)]
    assert ids({"template_type": ["sms", "email"]}) == [
        str(third.id),
        str(second.id),
        str(first.id),
    ]
    assert ids({"template_type": "letter"}) == []
    assert ids({"reference": "lote-1"}) == [str(second.id), str(first.id)]
    assert ids({"status": "delivered"}) == [str(third.id), str(second.id), str(first.id)]
    assert ids({"status": "created"}) == []
    assert ids({}, live_api) == [str(live.id)]

    Message.objects.filter(pk=first.pk).update(status=Message.Status.PERMANENT_FAILURE)
    Message.objects.filter(pk=second.pk).update(status=Message.Status.TECHNICAL_FAILURE)
    assert ids({"status": "failed"}) == [str(second.id), str(first.id)]
    assert ids({"status": ["permanent-failure", "delivered"]}) == [str(third.id), str(first.id)]


def test_list_refuses_unknown_values_and_parameters(notify: Setup, test_api: NotifyClient) -> None:
    response = test_api.get(
        LIST, {"status": "elefante", "template_type": "fax", "older_than": "x", "color": "rojo"}
    )
    assert response.status_code == 400
    messages = [e["message"] for e in errors(response)]
    assert messages[0] == "Parámetros no admitidos: color."
    assert messages[1] == "template_type fax no es uno de [sms, email, letter]."
    assert messages[2].startswith("status elefante no es uno de [cancelled, created,")
    assert messages[3] == "older_than no es un UUID válido."


def test_list_pages_250_newest_first_with_links(notify: Setup, test_api: NotifyClient) -> None:
    now = timezone.now()
    items = [
        {
            "channel": Channel.SMS,
            "recipient": "987654321",
            "institution": notify.institution,
            "api_key": notify.test.row,
            "template": notify.sms_template,
            "personalisation": {"nombre": f"n{i}", "fecha": "hoy"},
            "reference": "lote",
        }
        for i in range(260)
    ]
    made = messages_create_many(items=items)
    # Some share a creation time: the page order then falls back to the id.
    for index, message in enumerate(made):
        Message.objects.filter(pk=message.pk).update(created_at=now - timedelta(seconds=index // 3))
    expected = [
        str(m.pk) for m in Message.objects.filter(key_kind="test").order_by("-created_at", "-pk")
    ]

    first = test_api.get(LIST, {"reference": "lote", "template_type": "sms"}).json()
    assert len(first["notifications"]) == 250
    assert first["links"]["current"] == (
        "http://testserver/v2/notifications?template_type=sms&reference=lote"
    )
    last_id = first["notifications"][-1]["id"]
    assert first["links"]["next"] == (
        f"http://testserver/v2/notifications?template_type=sms&reference=lote&older_than={last_id}"
    )
    second = test_api.get(first["links"]["next"].removeprefix("http://testserver")).json()
    assert len(second["notifications"]) == 10
    seen = [n["id"] for n in first["notifications"] + second["notifications"]]
    assert seen == expected
    third = test_api.get(second["links"]["next"].removeprefix("http://testserver")).json()
    assert third == {
        "notifications": [],
        "links": {"current": third["links"]["current"]},
    }


def test_list_takes_a_fixed_number_of_queries(notify: Setup, test_api: NotifyClient) -> None:
    for _ in range(3):
        _send(notify)
    test_api.get(LIST)  # the key's last use noted: a later request writes nothing

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert test_api.get(LIST).status_code == 200
        return len(queries)

    few = count()
    for _ in range(20):
        _send(notify, channel="sms")
    assert count() == few
    assert few <= 3  # the keys, the page, the older_than anchor at most


def test_older_than_an_unknown_message_is_an_empty_page(
    notify: Setup, test_api: NotifyClient
) -> None:
    _send(notify)
    response = test_api.get(LIST, {"older_than": "6b6c2f0c-3f6b-4a51-9f53-5a8a3b9b0c11"})
    assert response.json()["notifications"] == []


def test_get_template_answers_notifys_fields(notify: Setup, test_api: NotifyClient) -> None:
    response = test_api.get(f"/v2/template/{notify.email_template.id}")
    assert response.status_code == 200
    got = response.json()
    assert got == {
        "id": str(notify.email_template.id),
        "name": "Licencia aprobada",
        "type": "email",
        "created_at": got["created_at"],
        "updated_at": got["updated_at"],
        "created_by": None,
        "version": 1,
        "body": "Hola ((nombre)):\n\nSu licencia ((numero)) está lista.",
        "subject": "Su licencia ((numero)) fue aprobada",
        "personalisation": {"numero": {"required": True}, "nombre": {"required": True}},
        "postage": None,
        "letter_contact_block": None,
    }


def test_get_template_version_gives_that_versions_wording(
    notify: Setup, test_api: NotifyClient
) -> None:
    template = notify.sms_template
    template.body = "Nuevo texto para ((nombre))."
    template.version = 2
    template.save()
    TemplateVersion.objects.create(template=template, version=2, body=template.body)
    old = test_api.get(f"/v2/template/{template.id}/version/1").json()
    new = test_api.get(f"/v2/template/{template.id}/version/2").json()
    assert (old["version"], old["body"]) == (1, "Hola ((nombre)), su cita es el ((fecha)).")
    assert (new["version"], new["body"]) == (2, "Nuevo texto para ((nombre)).")
    assert old["subject"] is None
    assert test_api.get(f"/v2/template/{template.id}/version/3").status_code == 404
    bad = test_api.get(f"/v2/template/{template.id}/version/0")
    assert bad.status_code == 400
    assert errors(bad)[0]["error"] == "ValidationError"


def test_get_template_by_bad_or_unknown_id(notify: Setup, test_api: NotifyClient) -> None:
    assert errors(test_api.get("/v2/template/nada")) == [
        {"error": "ValidationError", "message": "id no es un UUID válido."}
    ]
    assert test_api.get("/v2/template/6b6c2f0c-3f6b-4a51-9f53-5a8a3b9b0c11").status_code == 404


def test_templates_lists_the_live_ones_by_type(notify: Setup, test_api: NotifyClient) -> None:
    archived = template_make(
        institution=notify.institution, channel=Channel.SMS, body="Viejo", name="Archivada"
    )
    archived.archived_at = timezone.now()
    archived.save()
    template_make(institution=notify.institution, channel=Channel.INBOX, body="Casilla")

    def names(params: Any) -> list[str]:
        response = test_api.get("/v2/templates", params)
        assert response.status_code == 200
        return sorted(t["name"] for t in response.json()["templates"])

    assert names({}) == ["Licencia aprobada", "Recordatorio"]
    assert names({"type": "sms"}) == ["Recordatorio"]
    assert names({"type": "email"}) == ["Licencia aprobada"]
    assert names({"type": "letter"}) == []
    bad = test_api.get("/v2/templates", {"type": "paloma"})
    assert errors(bad) == [
        {"error": "ValidationError", "message": "type paloma no es uno de [sms, email, letter]."}
    ]


def test_preview_renders_email_with_html(notify: Setup, test_api: NotifyClient) -> None:
    response = test_api.post(
        f"/v2/template/{notify.email_template.id}/preview",
        {"personalisation": {"nombre": "Rosa <b>", "numero": "9"}},
    )
    assert response.status_code == 200
    got = response.json()
    assert got["id"] == str(notify.email_template.id)
    assert got["type"] == "email"
    assert got["version"] == 1
    assert got["subject"] == "Su licencia 9 fue aprobada"
    assert got["body"] == "Hola Rosa <b>:\n\nSu licencia 9 está lista."
    assert "Rosa &lt;b&gt;" in got["html"]
    assert got["postage"] is None
    assert Message.objects.count() == 0


def test_preview_sms_is_the_text_as_sent(notify: Setup, test_api: NotifyClient) -> None:
    got = test_api.post(
        f"/v2/template/{notify.sms_template.id}/preview",
        {"personalisation": {"nombre": "Ramón", "fecha": "miércoles"}},
    ).json()
    assert got["body"] == "Hola Ramon, su cita es el miércoles."
    assert got["subject"] is None
    assert got["html"] is None


@pytest.mark.parametrize(
    ("body", "status", "error"),
    [
        ({"personalisation": {"nombre": "Rosa"}}, 400, "BadRequestError"),
        ({"personalisation": "Rosa"}, 400, "ValidationError"),
        ({}, 400, "BadRequestError"),
    ],
)
def test_preview_refusals(
    notify: Setup, test_api: NotifyClient, body: dict[str, Any], status: int, error: str
) -> None:
    response = test_api.post(f"/v2/template/{notify.email_template.id}/preview", body)
    assert response.status_code == status
    assert errors(response)[0]["error"] == error
    if error == "BadRequestError":
        assert errors(response)[0]["message"].startswith("Falta personalización: ")
