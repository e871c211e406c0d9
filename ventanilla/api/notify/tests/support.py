"""An institution with a sender, its Notify keys (live and test) and templates, and a client
that signs each request as the official Notify client does."""

import json
from dataclasses import dataclass
from typing import Any

from django.test import Client
from notifications_python_client.authentication import create_jwt_token

from ventanilla.institutions.models import Institution
from ventanilla.institutions.tests.factories import InstitutionFactory
from ventanilla.notifications.models import ApiKey, Channel, Sender, Template, TemplateVersion
from ventanilla.notifications.services.keys import notify_key_create


@dataclass
class Key:
    row: ApiKey
    raw: str  # the whole key as the institution copies it

    @property
    def service_id(self) -> str:
        return self.raw[-73:-37]

    @property
    def secret(self) -> str:
        return self.raw[-36:]

    def token(self) -> str:
        return str(create_jwt_token(self.secret, self.service_id))


@dataclass
class Setup:
    institution: Institution
    sender: Sender
    live: Key
    test: Key
    email_template: Template
    sms_template: Template


def template_make(
    *,
    institution: Institution,
    channel: str,
    body: str,
    subject: str = "",
    name: str = "Plantilla",
) -> Template:
    template = Template.objects.create(
        institution=institution, channel=channel, name=name, subject=subject, body=body
    )
    TemplateVersion.objects.create(template=template, version=1, subject=subject, body=body)
    return template


def setup_make(name: str = "Municipalidad de Miraflores") -> Setup:
    institution = InstitutionFactory.create(name=name)
    sender = Sender.objects.create(
        institution=institution, name=name, email_reply_to="mesa@miraflores.gob.pe"
    )
    live = Key(*notify_key_create(sender=sender, name="Sistema de licencias", by=None))
    test = Key(*notify_key_create(sender=sender, name="Pruebas", by=None, kind=ApiKey.Kind.TEST))
    email_template = template_make(
        institution=institution,
        channel=Channel.EMAIL,
        name="Licencia aprobada",
        subject="Su licencia ((numero)) fue aprobada",
        body="Hola ((nombre)):\n\nSu licencia ((numero)) está lista.",
    )
    sms_template = template_make(
        institution=institution,
        channel=Channel.SMS,
        name="Recordatorio",
        body="Hola ((nombre)), su cita es el ((fecha)).",
    )
    return Setup(institution, sender, live, test, email_template, sms_template)


class NotifyClient:
    """Django's test client speaking as a Notify client with `key`."""

    def __init__(self, key: Key) -> None:
        self.key = key
        self.client = Client()

    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.key.token()}"}

    def get(self, path: str, params: Any = None) -> Any:
        return self.client.get(path, params or {}, headers=self.headers())

    def post(self, path: str, data: Any) -> Any:
        return self.client.post(
            path,
            data if isinstance(data, str | bytes) else json.dumps(data),
            content_type="application/json",
            headers=self.headers(),
        )


def errors(response: Any) -> list[dict[str, str]]:
    body = response.json()
    assert body["status_code"] == response.status_code
    assert set(body) == {"status_code", "errors"}
    return list(body["errors"])
