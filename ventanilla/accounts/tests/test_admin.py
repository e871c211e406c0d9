"""Accounts, audit trail and feedback in the back office: who sees what."""

import pytest
from django.test import Client
from django.urls import reverse

from ventanilla.accounts.models import Membership, Role
from ventanilla.accounts.tests.backoffice import official, platform_admin
from ventanilla.audit.models import AuditEvent
from ventanilla.feedback.models import PageFeedback
from ventanilla.institutions import services as institution_services
from ventanilla.institutions.tests.factories import InstitutionFactory

pytestmark = pytest.mark.django_db


def _client(user):
    client = Client()
    client.force_login(user)
    return client


def test_officials_never_reach_users_or_feedback_and_only_institution_admins_reach_officials():
    own = InstitutionFactory()
    client = _client(official("admin", institution=own, role=Role.INSTITUTION_ADMIN))
    for name in ("accounts_user", "feedback_pagefeedback"):
        assert client.get(reverse(f"admin:{name}_changelist")).status_code == 403
    models = {
        m["object_name"]
        for app in client.get("/gestion/").context["app_list"]
        for m in app["models"]
    }
    assert models == {
        "Institution",
        "Procedure",
        "AuditEvent",
        "Synonym",
        "SearchLog",
        "Membership",
        "Invitation",
        # Institution administrators register their system's webhooks and see deliveries.
        "Webhook",
        "WebhookDelivery",
        # ... and their institution's side of the information mediator: its members and
        # subsystems, the services they offer and who may call them, their keys, their exchanges.
        "Member",
        "Subsystem",
        "Service",
        "AccessRight",
        "ClientKey",
        "MessageLogEntry",
        # ... and, read-only, their notifications: templates, senders, keys, GovStack requests
        # and callbacks, casilla items, messages and their delivery events.
        "Template",
        "Sender",
        "ApiKey",
        "SendRequest",
        "ClientCallback",
        "InboxItem",
        "Message",
        "MessageEvent",
    }
    editor = _client(official("editor", institution=own, role=Role.EDITOR))
    for name in ("accounts_membership", "accounts_invitation"):
        assert editor.get(reverse(f"admin:{name}_changelist")).status_code == 403


def test_platform_administrator_grants_a_role_and_the_grant_is_audited():
    own = InstitutionFactory()
    person = official("nuevo")
    admin = _client(platform_admin())
    response = admin.post(
        reverse("admin:accounts_membership_add"),
        {"user": person.pk, "institution": own.pk, "role": Role.EDITOR},
    )
    assert response.status_code == 302
    membership = Membership.objects.get(user=person)
    event = AuditEvent.objects.get(action="membership.created")
    assert event.institution_id == own.pk
    assert event.data == {"user": person.pk, "role": "editor"}
    assert membership.role == Role.EDITOR


def test_audit_trail_is_read_only_and_officials_see_only_their_institutions_events():
    own, other = InstitutionFactory(), InstitutionFactory()
    admin = platform_admin()
    institution_services.institution_update(institution=own, data={"sector": "Salud"}, by=admin)
    institution_services.institution_update(institution=other, data={"sector": "Otro"}, by=admin)
    mine = AuditEvent.objects.get(institution_id=own.pk)
    theirs = AuditEvent.objects.get(institution_id=other.pk)

    client = _client(official("admin", institution=own, role=Role.INSTITUTION_ADMIN))
    listed = client.get(reverse("admin:audit_auditevent_changelist")).context["cl"].result_list
    assert list(listed) == [mine]
    assert client.get(reverse("admin:audit_auditevent_change", args=[theirs.pk])).status_code == 302

    platform = _client(admin)
    assert platform.get(reverse("admin:audit_auditevent_add")).status_code == 403
    delete = reverse("admin:audit_auditevent_delete", args=[mine.pk])
    assert platform.post(delete, {"post": "yes"}).status_code == 403
    page = platform.get(reverse("admin:audit_auditevent_change", args=[mine.pk]))
    assert page.status_code == 200
    platform.post(reverse("admin:audit_auditevent_change", args=[mine.pk]), {"action": "x"})
    assert AuditEvent.objects.get(pk=mine.pk).action == "institution.updated"


def test_feedback_is_a_read_only_list_with_filters_for_platform_administrators():
    PageFeedback.objects.create(path="/tramites/", useful=False, comment="No encontré el costo")
    client = _client(platform_admin())
    response = client.get(reverse("admin:feedback_pagefeedback_changelist"), {"useful__exact": "0"})
    assert response.status_code == 200
    assert "No encontré el costo" in response.content.decode()
    assert client.get(reverse("admin:feedback_pagefeedback_add")).status_code == 403
