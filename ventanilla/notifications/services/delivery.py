"""Delivery: the worker's side of a message's life (ADR 0013).

A run (`deliver`) claims due messages of one channel in batches of NOTIFICATIONS_BATCH_SIZE
(status `created` and due, or `sending` whose lease ran out: a dead worker's) and hands them
to the provider:

- Claiming is one short transaction: PostgreSQL `SELECT … FOR UPDATE SKIP LOCKED`, SQLite (its
  transactions BEGIN IMMEDIATE, one writer at a time) a select then a conditional UPDATE. The
  batch becomes `sending`, `claimed_by` this run's token, `lease_until` now + the lease.
- E-mail: one SMTP connection per batch, one message at a time, and each hand-over saved right
  after the relay accepted it. A worker killed at any point loses nothing: what it had not
  handed over is taken again once its lease runs out. Only the one e-mail in flight at the
  moment of the kill (accepted by the relay, not yet saved) can be sent twice, with the same
  Message-ID `<uuid>@NOTIFICATIONS_MESSAGE_ID_DOMAIN`, which lets the receiving side drop the
  duplicate (RFC 1047 explains why SMTP cannot promise better).
- SMS: the gateway's batch call with messageId = our uuid. The gateway treats a repeated
  messageId as the same message, so a re-send after a crash is never delivered twice.
- Handed over → still `sending`, with `sent_at`, `provider_ref` and no lease; the provider's
  callback then says `delivered` or `permanent-failure` (services/messages.py).
- Temporary errors (connection refused or lost, timeout, SMTP 4xx, HTTP 5xx/429) → back to
  `created`, next attempt after min(BASE·2^(n-1), MAX) seconds times a random 0.5–1 (so
  workers do not retry in step); past GIVE_UP_SECONDS since creation → `technical-failure`.
  Permanent errors (SMTP 5xx, a rejected number) → `permanent-failure`.
- Rate limit per provider and second across every process, counted in Django's cache
  (`notify-rate:<channel>:<epoch second>`); over it the worker waits for the next second.
  Across processes this needs a shared cache (Redis); a local-memory cache limits each process.

Failures are written once per batch (one UPDATE per group), events with one bulk insert per
batch; a worker killed before that just leaves those messages to be taken again.
"""

import logging
import os
import random
import socket
import time
import uuid
from collections import defaultdict
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import connection, transaction
from django.db.models import Case, F, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _

from ventanilla.integrations.email.client import (
    EmailPermanentError,
    EmailTemporaryError,
    OutgoingEmail,
    SmtpClient,
)
from ventanilla.integrations.sms.client import OutgoingSms, SmsClient, SmsTemporaryError
from ventanilla.notifications.models import Channel, Message, MessageEvent

logger = logging.getLogger(__name__)

PROVIDERS = {Channel.EMAIL: "smtp", Channel.SMS: "infobip"}
# After this many temporary errors in a row the relay is taken to be down: the rest of the
# batch goes back to the queue at once instead of waiting out a timeout each.
DOWN_AFTER = 3
CLAIM_FIELDS = (
    "id",
    "channel",
    "recipient",
    "copies",
    "from_email",
    "reply_to",
    "subject",
    "body",
    "html",
    "attempts",
    "created_at",
)


def run_token() -> str:
    """Who holds a claim: host, process and a random part (one per run)."""
    return f"{socket.gethostname()[:30]}:{os.getpid()}:{uuid.uuid4().hex[:12]}"


def retry_delay(attempts: int) -> float:
    """Seconds before the next attempt after `attempts` failed ones: exponential, capped,
    with jitter."""
    base = float(settings.NOTIFICATIONS_RETRY_BASE_SECONDS)
    ceiling = float(settings.NOTIFICATIONS_RETRY_MAX_SECONDS)
    return min(base * 2 ** max(0, attempts - 1), ceiling) * random.uniform(0.5, 1.0)  # noqa: S311


# --- Rate limit ----------------------------------------------------------------------------------


def rate_acquire(channel: str, wanted: int) -> int:
    """Take up to `wanted` sends from this second's allowance for `channel`'s provider (shared
    by every process through the cache), waiting for the next second while none is left.
    Returns how many were granted (≥ 1). Near the end of a second it waits for the next one,
    so a send granted in one second does not reach the provider in the next."""
    limit = int(settings.NOTIFICATIONS_RATE_LIMITS.get(channel) or 0)
    if limit <= 0 or wanted <= 0:
        return wanted
    while True:
        now = time.time()
        second = int(now)
        if now - second > 0.9:
            time.sleep(second + 1 - now)
            continue
        key = f"notify-rate:{channel}:{second}"
        try:
            used = cache.incr(key, wanted)
        except ValueError:  # the second's first taker
            cache.add(key, 0, timeout=10)
            continue
        granted = min(wanted, limit - (used - wanted))
        if granted > 0:
            return granted
        time.sleep(max(0.0, second + 1 - time.time()))


class Allowance:
    """Sends taken from the rate limit a few at a time (one cache call for several e-mails);
    what is left when the second ends is dropped, never carried over."""

    CHUNK = 10

    def __init__(self, channel: str) -> None:
        self.channel = channel
        self.left = 0
        self.second = 0

    def take(self, remaining: int) -> None:
        now = time.time()
        if self.left > 0 and int(now) == self.second and now - self.second <= 0.9:
            self.left -= 1
            return
        granted = rate_acquire(self.channel, max(1, min(self.CHUNK, remaining)))
        self.second = int(time.time())
        self.left = granted - 1


# --- Claiming ------------------------------------------------------------------------------------


def leases_reclaim(*, channel: str, now: datetime | None = None) -> int:
    """Put back in the queue the messages whose worker died holding them (lease ran out and
    never handed over). Returns how many."""
    now = now or timezone.now()
    return Message.objects.filter(
        channel=channel, status=Message.Status.SENDING, lease_until__lt=now
    ).update(status=Message.Status.QUEUED, claimed_by="", lease_until=None, next_attempt_at=now)


def reports_overdue_end(*, channel: str, now: datetime | None = None) -> int:
    """End as `temporary-failure` the messages handed over longer ago than
    NOTIFICATIONS_GIVE_UP_SECONDS whose provider never reported (GOV.UK Notify does the same
    after 72 hours), so none stays `sending` for ever. Returns how many."""
    now = now or timezone.now()
    cutoff = now - timedelta(seconds=settings.NOTIFICATIONS_GIVE_UP_SECONDS)
    overdue = list(
        Message.objects.filter(
            channel=channel,
            status=Message.Status.SENDING,
            lease_until__isnull=True,
            sent_at__lt=cutoff,
        ).values_list("pk", flat=True)[:1000]
    )
    if not overdue:
        return 0
    reason = _("El proveedor no confirmó la entrega.")
    with transaction.atomic():
        ended = Message.objects.filter(pk__in=overdue, status=Message.Status.SENDING).update(
            status=Message.Status.TEMPORARY_FAILURE, status_reason=reason, completed_at=now
        )
        MessageEvent.objects.bulk_create(
            MessageEvent(
                message_id=pk,
                at=now,
                status=Message.Status.TEMPORARY_FAILURE,
                reason=reason,
                source="worker",
            )
            for pk in overdue
        )
    return ended


def batch_claim(*, channel: str, token: str, size: int | None = None) -> list[Message]:
    """Claim up to `size` due messages of `channel` for `token`: they become `sending` with a
    lease. Two workers never get the same message."""
    size = size or settings.NOTIFICATIONS_BATCH_SIZE
    now = timezone.now()
    lease_until = now + timedelta(seconds=settings.NOTIFICATIONS_LEASE_SECONDS)
    with transaction.atomic():
        due = Message.objects.filter(
            status=Message.Status.QUEUED, next_attempt_at__lte=now, channel=channel
        ).order_by("next_attempt_at")
        if connection.vendor == "postgresql":
            due = due.select_for_update(skip_locked=True)
        ids = list(due.values_list("id", flat=True)[:size])
        if not ids:
            return []
        # On SQLite the IMMEDIATE transaction holds the write lock since BEGIN; the status
        # condition is kept anyway so the claim stays right under any other isolation.
        Message.objects.filter(id__in=ids, status=Message.Status.QUEUED).update(
            status=Message.Status.SENDING,
            claimed_by=token,
            lease_until=lease_until,
            attempts=F("attempts") + 1,
        )
    query = Message.objects.filter(id__in=ids, claimed_by=token).only(*CLAIM_FIELDS)
    if channel == Channel.EMAIL:
        query = query.prefetch_related("attachments")
    batch = list(query)
    for message in batch:
        message.lease_until = lease_until
    return batch


class _Outcome:
    """What a batch ends with, written at its end in a few statements."""

    def __init__(self, channel: str, token: str) -> None:
        self.channel = channel
        self.token = token
        self.events: list[MessageEvent] = []
        self.retries: list[tuple[Message, str]] = []
        self.permanent: list[tuple[Message, str]] = []
        self.handed = 0
        self.next_run: datetime | None = None

    def sent(self, message: Message, at: datetime) -> None:
        self.handed += 1
        self.events.append(
            MessageEvent(message_id=message.pk, at=at, status="sending", source="worker")
        )

    def retry(self, message: Message, reason: str) -> None:
        self.retries.append((message, reason[:300]))

    def fail(self, message: Message, reason: str) -> None:
        self.permanent.append((message, reason[:300]))

    def save(self) -> None:
        now = timezone.now()
        give_up = now - timedelta(seconds=settings.NOTIFICATIONS_GIVE_UP_SECONDS)
        final: dict[tuple[str, str], list[uuid.UUID]] = defaultdict(list)
        later: dict[tuple[int, str], list[uuid.UUID]] = defaultdict(list)
        for message, reason in self.permanent:
            final[(Message.Status.PERMANENT_FAILURE, reason)].append(message.pk)
        for message, reason in self.retries:
            if message.created_at <= give_up:
                final[(Message.Status.TECHNICAL_FAILURE, reason)].append(message.pk)
            else:
                later[(message.attempts, reason)].append(message.pk)
        ours = Message.objects.filter(claimed_by=self.token, status=Message.Status.SENDING)
        with transaction.atomic():
            for (status, reason), ids in final.items():
                ours.filter(pk__in=ids).update(
                    status=status,
                    status_reason=reason,
                    completed_at=now,
                    claimed_by="",
                    lease_until=None,
                )
                self.events += [
                    MessageEvent(
                        message_id=pk, at=now, status=status, reason=reason, source="worker"
                    )
                    for pk in ids
                ]
            for (attempts, reason), ids in later.items():
                at = now + timedelta(seconds=retry_delay(attempts))
                ours.filter(pk__in=ids).update(
                    status=Message.Status.QUEUED,
                    status_reason=reason,
                    next_attempt_at=at,
                    claimed_by="",
                    lease_until=None,
                )
                self.next_run = min(self.next_run or at, at)
                self.events += [
                    MessageEvent(
                        message_id=pk,
                        at=now,
                        status=Message.Status.QUEUED,
                        reason=reason,
                        source="worker",
                    )
                    for pk in ids
                ]
            if self.events:
                MessageEvent.objects.bulk_create(self.events, batch_size=1000)
        self.events = []


def _hand_over(message: Message, token: str, provider_ref: str, at: datetime) -> None:
    # Saved right after the provider took it: from here on a crash cannot send it again.
    Message.objects.filter(pk=message.pk, claimed_by=token).update(
        provider=PROVIDERS[Channel(message.channel)],
        provider_ref=provider_ref,
        sent_at=at,
        claimed_by="",
        lease_until=None,
        status_reason="",
    )


def _lease_keep(batch: list[Message], token: str, start: int) -> None:
    """Renew the lease of the batch's unsent messages when half of it has gone (rate limit,
    slow relay), so no other worker takes them while this one still works on them."""
    message = batch[start]
    assert message.lease_until is not None
    lease = timedelta(seconds=settings.NOTIFICATIONS_LEASE_SECONDS)
    now = timezone.now()
    if message.lease_until - now > lease / 2:
        return
    until = now + lease
    rest = batch[start:]
    Message.objects.filter(pk__in=[m.pk for m in rest], claimed_by=token).update(lease_until=until)
    for m in rest:
        m.lease_until = until


# --- Sending -------------------------------------------------------------------------------------


def _email(message: Message) -> OutgoingEmail:
    copies: dict[str, Any] = message.copies or {}
    return OutgoingEmail(
        message_id=f"{message.pk}@{settings.NOTIFICATIONS_MESSAGE_ID_DOMAIN}",
        from_email=message.from_email or settings.DEFAULT_FROM_EMAIL,
        to=[message.recipient],
        subject=message.subject,
        text=message.body,
        html=message.html,
        cc=list(copies.get("cc", [])),
        bcc=list(copies.get("bcc", [])),
        reply_to=[message.reply_to] if message.reply_to else [],
        attachments=[(a.name, _read(a.file), a.content_type) for a in message.attachments.all()],
    )


def _read(field: Any) -> bytes:
    with field.open("rb") as handle:
        return bytes(handle.read())


def _smtp() -> SmtpClient:
    return SmtpClient(
        host=settings.NOTIFICATIONS_SMTP_HOST,
        port=settings.NOTIFICATIONS_SMTP_PORT,
        username=settings.NOTIFICATIONS_SMTP_USERNAME,
        password=settings.NOTIFICATIONS_SMTP_PASSWORD,
        use_tls=settings.NOTIFICATIONS_SMTP_USE_TLS,
        timeout=settings.NOTIFICATIONS_SMTP_TIMEOUT,
    )


def email_batch_send(batch: list[Message], *, token: str) -> _Outcome:
    """Send a claimed batch of e-mails over one SMTP connection, one at a time."""
    outcome = _Outcome(Channel.EMAIL, token)
    in_a_row = 0
    allowance = Allowance(Channel.EMAIL)
    client = _smtp()
    try:
        for index, message in enumerate(batch):
            if in_a_row >= DOWN_AFTER:
                reason = _("El servidor de correo no responde; se reintentará.")
                for rest in batch[index:]:
                    outcome.retry(rest, reason)
                break
            _lease_keep(batch, token, index)
            allowance.take(len(batch) - index)
            try:
                provider_ref = client.send(_email(message))
            except EmailTemporaryError as error:
                in_a_row += 1
                outcome.retry(message, _("Falla temporal del correo: %(r)s") % {"r": error.reason})
                continue
            except EmailPermanentError as error:
                in_a_row = 0
                outcome.fail(message, _("El correo fue rechazado: %(r)s") % {"r": error.reason})
                continue
            in_a_row = 0
            at = timezone.now()
            _hand_over(message, token, provider_ref or f"{message.pk}", at)
            outcome.sent(message, at)
    finally:
        try:
            client.close()
        except Exception:  # closing a dead connection must not lose the batch's outcome
            logger.debug("SMTP close failed", exc_info=True)
        outcome.save()
    return outcome


def sms_callback_url() -> str:
    return (
        f"{settings.NOTIFICATIONS_CALLBACK_BASE_URL}/notificaciones/proveedores/sms/"
        f"{settings.NOTIFICATIONS_SMS_CALLBACK_TOKEN}/reportes"
    )


def sms_batch_send(batch: list[Message], *, token: str) -> _Outcome:
    """Send a claimed batch of SMS through the gateway's batch call, as many at a time as the
    rate limit grants; each accepted chunk saved with one UPDATE."""
    outcome = _Outcome(Channel.SMS, token)
    client = SmsClient(
        base_url=settings.NOTIFICATIONS_SMS_URL,
        api_key=settings.NOTIFICATIONS_SMS_API_KEY,
        timeout=settings.NOTIFICATIONS_SMS_TIMEOUT,
    )
    notify_url = sms_callback_url()
    start = 0
    try:
        while start < len(batch):
            _lease_keep(batch, token, start)
            granted = rate_acquire(Channel.SMS, len(batch) - start)
            chunk = batch[start : start + granted]
            outgoing = [
                OutgoingSms(
                    message_id=str(m.pk),
                    to=m.recipient,
                    text=m.body,
                    sender=m.from_email or settings.NOTIFICATIONS_SMS_SENDER,
                )
                for m in chunk
            ]
            try:
                results = client.send_many(outgoing, notify_url=notify_url)
            except SmsTemporaryError as error:
                reason = _("Falla temporal del SMS: %(r)s") % {"r": error.reason}
                for rest in batch[start:]:
                    outcome.retry(rest, reason)
                break
            by_id = {r.message_id: r for r in results}
            at = timezone.now()
            accepted: list[Message] = []
            for m in chunk:
                result = by_id.get(str(m.pk))
                if result is None:
                    outcome.retry(m, _("La pasarela de SMS no respondió por este mensaje."))
                elif result.accepted:
                    accepted.append(m)
                else:
                    outcome.fail(m, _("El SMS fue rechazado: %(r)s") % {"r": result.reason})
            if accepted:
                Message.objects.filter(pk__in=[m.pk for m in accepted], claimed_by=token).update(
                    provider=PROVIDERS[Channel.SMS],
                    provider_ref=Case(*[When(pk=m.pk, then=Value(str(m.pk))) for m in accepted]),
                    sent_at=at,
                    claimed_by="",
                    lease_until=None,
                    status_reason="",
                )
                for m in accepted:
                    outcome.sent(m, at)
            start += granted
    finally:
        try:
            client.close()
        except Exception:
            logger.debug("SMS client close failed", exc_info=True)
        outcome.save()
    return outcome


# --- Runs ----------------------------------------------------------------------------------------


def due_exists(*, channel: str) -> bool:
    """Whether a message of `channel` waits to be claimed now."""
    return Message.objects.filter(
        channel=channel, status=Message.Status.QUEUED, next_attempt_at__lte=timezone.now()
    ).exists()


def deliver(*, channel: str, max_batches: int | None = None) -> int:
    """One delivery run for `channel`: claim and send batches until none is due (or
    `max_batches`). Returns how many messages were handed over. Meant for a worker, outside
    any transaction (inside one, as with the tests' ImmediateBackend, it works but other
    workers cannot see its claims until the commit)."""
    from ventanilla.notifications.tasks import later

    token = run_token()
    leases_reclaim(channel=channel)
    reports_overdue_end(channel=channel)
    handed = 0
    batches = 0
    next_run: datetime | None = None
    watch: datetime | None = None
    lease = timedelta(seconds=settings.NOTIFICATIONS_LEASE_SECONDS)
    send = email_batch_send if channel == Channel.EMAIL else sms_batch_send
    while max_batches is None or batches < max_batches:
        batch = batch_claim(channel=channel, token=token)
        if not batch:
            break
        batches += 1
        lease_until = batch[0].lease_until
        assert lease_until is not None
        # Should this worker die, a later run takes its batches again once their leases
        # ran out. One such run covers every batch claimed in the next lease's time.
        if watch is None or lease_until > watch:
            watch = lease_until + lease
            later(channel=channel, at=watch + timedelta(seconds=1))
        outcome = send(batch, token=token)
        handed += outcome.handed
        if outcome.next_run is not None:
            next_run = min(next_run or outcome.next_run, outcome.next_run)
    if next_run is not None:
        later(channel=channel, at=next_run)
    return handed
