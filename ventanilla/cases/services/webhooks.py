"""Webhooks: an institution's own system is told of each submission and status change by a
signed POST (the scheme is in ventanilla/integrations/institution_webhook/client.py).

`webhook_event` writes one WebhookDelivery per active webhook inside the caller's transaction,
so a rolled-back change tells no one; after the commit each delivery is queued through Django's
tasks API. A failed delivery is retried with back-off (1 min, 5 min, 30 min, 2 h, 12 h) and
given up after the sixth attempt. Where the task backend can run a task later, the retry is
queued for then; `manage.py webhooks_retry` (cron) delivers whatever is due either way."""

import json
import logging
import secrets
import uuid
from datetime import datetime, timedelta
from functools import partial
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.tasks import task
from django.utils import timezone
from django.utils.translation import gettext as _

from ventanilla.accounts.models import Role
from ventanilla.accounts.permissions import is_platform_admin
from ventanilla.accounts.selectors import membership_institution_ids
from ventanilla.audit.services import record
from ventanilla.cases.models import Case, Webhook, WebhookDelivery
from ventanilla.formbuilder.definition import status_label
from ventanilla.formbuilder.models import DigitalService
from ventanilla.integrations.institution_webhook.client import TIMEOUT_SECONDS, webhook_post

logger = logging.getLogger(__name__)

EVENTS = ("case.submitted", "case.status_changed")
# Wait before attempt n+1 after n failed attempts; the sixth failure gives up.
BACKOFF = (
    timedelta(minutes=1),
    timedelta(minutes=5),
    timedelta(minutes=30),
    timedelta(hours=2),
    timedelta(hours=12),
)
MAX_ATTEMPTS = len(BACKOFF) + 1
# A delivery being attempted is hidden from other workers this long (longer than the timeout).
LEASE = timedelta(seconds=TIMEOUT_SECONDS * 6)
RETRY_BATCH = 500

# Who configures webhooks: the institution's administrators (they hold the secret).
WEBHOOK_ROLES = frozenset({Role.INSTITUTION_ADMIN})


# --- Who may configure ---------------------------------------------------------------------------


def webhook_institution_ids(user: Any) -> set[int]:
    """Institutions whose webhooks `user` configures (platform admins: all, not listed)."""
    return membership_institution_ids(user=user, roles=WEBHOOK_ROLES)


def webhook_can_manage(user: Any, institution_id: int | None) -> bool:
    if is_platform_admin(user):
        return True
    return institution_id is not None and institution_id in webhook_institution_ids(user)


def webhooks_for_user(*, user: Any) -> QuerySet[Webhook]:
    """The webhooks `user` may see and change."""
    rows = Webhook.objects.select_related("institution", "service")
    if is_platform_admin(user):
        return rows
    return rows.filter(institution_id__in=webhook_institution_ids(user))


# --- Configuring ---------------------------------------------------------------------------------


def secret_new() -> str:
    return secrets.token_urlsafe(32)


def _service_check(institution_id: int, service: DigitalService | None) -> None:
    if service is not None and service.institution_id != institution_id:
        raise ValidationError(
            {"service": _("El servicio no es de la institución elegida.")}, code="service"
        )


def webhook_create(
    *,
    institution: Any,
    url: str,
    by: Any,
    service: DigitalService | None = None,
    active: bool = True,
    secret: str = "",
) -> tuple[Webhook, str]:
    """A new webhook and its secret (generated when blank). The secret is returned here so it
    can be shown once; it is never shown again."""
    if not webhook_can_manage(by, institution.pk):
        raise PermissionDenied
    _service_check(institution.pk, service)
    secret = secret.strip() or secret_new()
    with transaction.atomic():
        webhook = Webhook.objects.create(
            institution=institution, service=service, url=url, secret=secret, active=active
        )
        record(
            actor=by,
            action="webhook.created",
            target=webhook,
            institution_id=institution.pk,
            data={"url": url, "service": service.pk if service else None, "active": active},
        )
    return webhook, secret


def webhook_update(
    *,
    webhook: Webhook,
    by: Any,
    changes: dict[str, Any],
    secret_rotate: bool = False,
) -> tuple[Webhook, str | None]:
    """Change url, service or active (`changes`); with `secret_rotate`, a new secret, returned
    once (None otherwise)."""
    if not webhook_can_manage(by, webhook.institution_id):
        raise PermissionDenied
    allowed = {k: v for k, v in changes.items() if k in {"url", "service", "active"}}
    if "service" in allowed:
        _service_check(webhook.institution_id, allowed["service"])
    secret = secret_new() if secret_rotate else None
    with transaction.atomic():
        for name, value in allowed.items():
            setattr(webhook, name, value)
        if secret is not None:
            webhook.secret = secret
        webhook.save()
        data = {k: (v.pk if hasattr(v, "pk") else v) for k, v in allowed.items()}
        record(
            actor=by,
            action="webhook.changed",
            target=webhook,
            institution_id=webhook.institution_id,
            data={**data, "secret_rotated": secret is not None},
        )
    return webhook, secret


def webhook_delete(*, webhook: Webhook, by: Any) -> None:
    if not webhook_can_manage(by, webhook.institution_id):
        raise PermissionDenied
    with transaction.atomic():
        record(
            actor=by,
            action="webhook.deleted",
            target=webhook,
            institution_id=webhook.institution_id,
            data={"url": webhook.url},
        )
        webhook.delete()


# --- Events --------------------------------------------------------------------------------------


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def case_payload(*, case: Case, event: str, event_id: str, occurred_at: datetime) -> dict[str, Any]:
    """The JSON body of a delivery."""
    workflow = case.service_version.workflow if case.service_version is not None else {}
    service = case.service
    return {
        "event_id": event_id,
        "event": event,
        "occurred_at": _iso(occurred_at),
        "case": {
            "reference": case.reference,
            "file_id": case.file_id,
            "service": (
                {"id": service.public_id, "slug": service.slug, "name": service.name}
                if service is not None
                else None
            ),
            "status": case.status,
            "status_label": status_label(workflow or {}, case.status),
            "submitted_at": _iso(case.submitted_at),
            "due_on": case.due_on.isoformat() if case.due_on else None,
            "applicant_document": case.applicant_document,
        },
    }


def webhook_event(*, case: Case, event: str) -> None:
    """Tell every active webhook of the case's institution (institution-wide, or for the case's
    service) about `event`: one delivery each, written in the caller's transaction and queued
    after its commit. A rolled-back change sends nothing."""
    if event not in EVENTS:
        raise ValueError(f"unknown webhook event {event!r}")
    hooks = Webhook.objects.filter(institution_id=case.institution_id, active=True).filter(
        Q(service__isnull=True) | Q(service_id=case.service_id)
    )
    now = timezone.now()
    ids: list[int] = []
    for hook in hooks:
        event_id = uuid.uuid4()
        delivery = WebhookDelivery.objects.create(
            webhook=hook,
            event_id=event_id,
            event=event,
            payload=case_payload(case=case, event=event, event_id=str(event_id), occurred_at=now),
            next_attempt_at=now,
        )
        ids.append(delivery.pk)
    if ids:
        transaction.on_commit(partial(_enqueue, ids))


def _enqueue(ids: list[int], run_after: datetime | None = None) -> None:
    """Queue deliveries; a queue that is down must not fail a committed change (the retry
    command still finds them due)."""
    try:
        queued = webhook_deliver_task
        if run_after is not None:
            if not queued.get_backend().supports_defer:
                return  # no deferred tasks here: `webhooks_retry` picks it up when due
            queued = queued.using(run_after=run_after)
        for delivery_id in ids:
            queued.enqueue(delivery_id=delivery_id)
    except Exception:
        logger.exception("webhook deliveries %s not queued", ids)


# --- Delivering ----------------------------------------------------------------------------------


def _body(payload: dict[str, Any]) -> bytes:
    # The same bytes on every attempt of one delivery: sorted keys, no spaces, UTF-8.
    return json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


def webhook_deliver(*, delivery_id: int, now: datetime | None = None) -> str:
    """Attempt one due delivery: "delivered", "retry" (failed; next attempt scheduled),
    "failed" (gave up after MAX_ATTEMPTS) or "skipped" (not due, done, or being attempted
    by another worker). The HTTP call is made outside any transaction."""
    now = now or timezone.now()
    claimed = WebhookDelivery.objects.filter(
        pk=delivery_id,
        delivered_at__isnull=True,
        failed_at__isnull=True,
        next_attempt_at__lte=now,
    ).update(next_attempt_at=now + LEASE)
    if not claimed:
        return "skipped"
    delivery = WebhookDelivery.objects.select_related("webhook").get(pk=delivery_id)
    hook = delivery.webhook
    attempts = delivery.attempts + 1
    if not hook.active:
        status, error = None, "webhook desactivado"
        attempts = MAX_ATTEMPTS  # nobody is listening any more: give up now
    else:
        result = webhook_post(
            url=hook.url,
            secret=hook.secret,
            event=delivery.event,
            delivery_id=str(delivery.event_id),
            body=_body(delivery.payload),
        )
        if result.delivered:
            WebhookDelivery.objects.filter(pk=delivery_id).update(
                attempts=attempts,
                delivered_at=timezone.now(),
                next_attempt_at=None,
                last_status=result.status,
                last_error="",
            )
            return "delivered"
        status, error = result.status, result.error
    fields: dict[str, Any] = {
        "attempts": attempts,
        "last_status": status,
        "last_error": error[:300],
    }
    if attempts >= MAX_ATTEMPTS:
        with transaction.atomic():
            WebhookDelivery.objects.filter(pk=delivery_id).update(
                **fields, failed_at=timezone.now(), next_attempt_at=None
            )
            record(
                actor=None,
                action="webhook.delivery_failed",
                target=delivery,
                institution_id=hook.institution_id,
                data={"event": delivery.event, "attempts": attempts, "error": error[:300]},
            )
        return "failed"
    next_at = now + BACKOFF[attempts - 1]
    WebhookDelivery.objects.filter(pk=delivery_id).update(**fields, next_attempt_at=next_at)
    _enqueue([delivery_id], run_after=next_at)
    return "retry"


@task()
def webhook_deliver_task(*, delivery_id: int) -> str:
    return webhook_deliver(delivery_id=delivery_id)


def webhooks_retry(*, now: datetime | None = None, limit: int = RETRY_BATCH) -> dict[str, int]:
    """Attempt every delivery that is due (oldest first, at most `limit`); how many ended how."""
    now = now or timezone.now()
    due = list(
        WebhookDelivery.objects.filter(
            delivered_at__isnull=True, failed_at__isnull=True, next_attempt_at__lte=now
        )
        .order_by("next_attempt_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )
    counts = {"delivered": 0, "retry": 0, "failed": 0, "skipped": 0}
    for delivery_id in due:
        counts[webhook_deliver(delivery_id=delivery_id, now=now)] += 1
    return counts
