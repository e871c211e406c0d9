"""The citizen's choices besides the casilla: e-mail and SMS, and the mobile number confirmed by
a code sent to it (hashed, 10 minutes, 5 tries, resends throttled), each change audited."""

import re
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from ventanilla.accounts.tests.factories import CitizenFactory, OfficialFactory
from ventanilla.audit.models import AuditEvent
from ventanilla.notifications.models import Message, PhoneVerification, Preference
from ventanilla.notifications.services.preferences import (
    CODE_TRIES,
    phone_remove,
    phone_verification_confirm,
    phone_verification_start,
    preference_get,
    preference_update,
)

pytestmark = pytest.mark.django_db

URL = "/cuenta/avisos/"


def _code_sent() -> str:
    """The code inside the last SMS queued (what the citizen reads on their phone)."""
    body = Message.objects.filter(channel="sms").order_by("-created_at")[0].body
    found = re.search(r"\b(\d{6})\b", body)
    assert found, body
    return found.group(1)


def _confirmed(citizen, phone="987 654 321"):
    phone_verification_start(user=citizen, phone=phone)
    return phone_verification_confirm(user=citizen, code=_code_sent())


def test_a_citizen_who_never_chose_gets_email_when_the_account_has_an_address():
    assert preference_get(user=CitizenFactory(email="ana@correo.pe")).email_enabled
    assert not preference_get(user=CitizenFactory(email="")).email_enabled
    assert not preference_get(user=CitizenFactory()).sms_enabled
    assert not Preference.objects.exists()


def test_phone_confirmed_with_the_code_sent_by_sms_turns_sms_on_and_keeps_only_a_hash():
    citizen = CitizenFactory()
    verification = phone_verification_start(user=citizen, phone="+51 987-654-321")
    sms = Message.objects.get(channel="sms")
    assert sms.recipient == "+51987654321"
    assert sms.status == Message.Status.QUEUED
    code = _code_sent()
    assert code not in verification.code_hash
    assert verification.expires_at - verification.created_at == timedelta(minutes=10)
    preference = phone_verification_confirm(user=citizen, code=f" {code[:3]} {code[3:]} ")
    assert preference.phone == "+51987654321"
    assert preference.phone_verified_at is not None
    assert preference.sms_enabled
    actions = list(
        AuditEvent.objects.filter(action__startswith="notifications.").values_list(
            "action", flat=True
        )
    )
    assert "notifications.phone_verification_started" in actions
    assert "notifications.phone_verified" in actions


def test_a_wrong_code_counts_a_try_and_five_end_the_code():
    citizen = CitizenFactory()
    phone_verification_start(user=citizen, phone="987654321")
    code = _code_sent()
    wrong = "000000" if code != "000000" else "111111"
    with pytest.raises(ValidationError) as caught:
        phone_verification_confirm(user=citizen, code=wrong)
    assert caught.value.messages == ["El código no es correcto. Te quedan 4 intentos."]
    assert PhoneVerification.objects.get().attempts == 1
    for _n in range(CODE_TRIES - 1):
        with pytest.raises(ValidationError):
            phone_verification_confirm(user=citizen, code=wrong)
    with pytest.raises(ValidationError) as caught:
        phone_verification_confirm(user=citizen, code=code)
    assert caught.value.messages == ["El código venció o ya no es válido. Pide un código nuevo."]
    assert not preference_get(user=citizen).sms_enabled
    assert AuditEvent.objects.filter(action="notifications.phone_verification_failed").count() == 5


def test_an_expired_code_is_refused():
    citizen = CitizenFactory()
    phone_verification_start(user=citizen, phone="987654321")
    PhoneVerification.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    with pytest.raises(ValidationError) as caught:
        phone_verification_confirm(user=citizen, code=_code_sent())
    assert caught.value.error_list[0].code == "expired"


def test_a_new_code_within_a_minute_is_refused_and_nothing_is_sent():
    citizen = CitizenFactory()
    phone_verification_start(user=citizen, phone="987654321")
    with pytest.raises(ValidationError) as caught:
        phone_verification_start(user=citizen, phone="987654321")
    assert caught.value.error_list[0].code == "throttled"
    assert Message.objects.filter(channel="sms").count() == 1


def test_a_new_code_replaces_the_earlier_one():
    citizen = CitizenFactory()
    phone_verification_start(user=citizen, phone="987654321")
    first = _code_sent()
    PhoneVerification.objects.update(created_at=timezone.now() - timedelta(minutes=2))
    phone_verification_start(user=citizen, phone="912345678")
    second = _code_sent()
    if first != second:
        with pytest.raises(ValidationError):
            phone_verification_confirm(user=citizen, code=first)
    assert phone_verification_confirm(user=citizen, code=second).phone == "+51912345678"


def test_a_number_that_is_not_a_peruvian_mobile_is_refused_in_spanish_and_nothing_sent():
    citizen = CitizenFactory()
    with pytest.raises(ValidationError) as caught:
        phone_verification_start(user=citizen, phone="01 4567890")
    assert "no es un celular peruano válido" in caught.value.messages[0]
    assert not Message.objects.exists()
    assert not PhoneVerification.objects.exists()


def test_sms_cannot_be_turned_on_without_a_confirmed_number():
    citizen = CitizenFactory(email="ana@correo.pe")
    with pytest.raises(ValidationError) as caught:
        preference_update(user=citizen, email_enabled=True, sms_enabled=True)
    assert caught.value.error_list[0].code == "phone_unverified"
    assert not Preference.objects.filter(sms_enabled=True).exists()


def test_choices_saved_with_an_audit_row_and_removing_the_phone_stops_sms():
    citizen = CitizenFactory(email="ana@correo.pe")
    _confirmed(citizen)
    preference = preference_update(user=citizen, email_enabled=False, sms_enabled=True)
    assert (preference.email_enabled, preference.sms_enabled) == (False, True)
    audit = AuditEvent.objects.get(action="notifications.preference_updated")
    assert audit.data["after"] == {"email": False, "sms": True}
    preference = phone_remove(user=citizen)
    assert (preference.phone, preference.sms_enabled) == ("", False)


def test_only_citizens_choose():
    official = OfficialFactory()
    with pytest.raises(PermissionDenied):
        preference_update(user=official, email_enabled=True, sms_enabled=False)
    with pytest.raises(PermissionDenied):
        phone_verification_start(user=official, phone="987654321")


# --- the page -------------------------------------------------------------------------------


def test_the_page_needs_a_login_and_is_for_citizens(client):
    assert client.get(URL).status_code == 302
    client.force_login(OfficialFactory())
    assert client.get(URL).status_code == 403


def test_the_account_page_links_to_the_choices(client):
    client.force_login(CitizenFactory())
    assert URL in client.get(reverse("accounts:home")).content.decode()


def test_the_page_confirms_a_phone_and_saves_the_choices_without_javascript(client):
    citizen = CitizenFactory(email="ana@correo.pe")
    client.force_login(citizen)
    page = client.get(URL)
    assert page.status_code == 200
    assert "<script" not in page.content.decode().split("</head>")[1]
    sent = client.post(URL, {"accion": "enviar", "celular": "987 654 321"})
    assert sent.status_code == 303
    page = client.get(URL).content.decode()
    assert "Te enviamos un código por SMS al 987 654 321" in page
    assert 'id="codigo"' in page
    done = client.post(URL, {"accion": "confirmar", "codigo": _code_sent()})
    assert done.status_code == 303
    assert "Confirmamos tu celular 987 654 321" in client.get(URL).content.decode()
    saved = client.post(URL, {"accion": "canales", "sms": "si"})
    assert saved.status_code == 303
    preference = Preference.objects.get(user=citizen)
    assert (preference.email_enabled, preference.sms_enabled) == (False, True)


def test_the_page_shows_a_refusal_next_to_its_field_with_400(client):
    client.force_login(CitizenFactory())
    answer = client.post(URL, {"accion": "enviar", "celular": "123"})
    assert answer.status_code == 400
    html = answer.content.decode()
    assert 'href="#celular"' in html
    assert "no es un celular peruano válido" in html
    answer = client.post(URL, {"accion": "canales", "sms": "si"})
    assert answer.status_code == 400
    assert 'href="#sms"' in answer.content.decode()
    answer = client.post(URL, {"accion": "confirmar", "codigo": "123456"})
    assert answer.status_code == 400
    assert "Pide un código nuevo" in answer.content.decode()
