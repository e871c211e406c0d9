"""Templates: an institution's wording of its messages, with ((placeholders)).

Every write checks permission (`can_manage_notifications`), checks the text as it is saved
(placeholders well formed; an event's template only uses the data that event gives; the
channel's limits), writes in one transaction with an audit row, and keeps each wording as a
TemplateVersion. A repeated save of the same text changes nothing (no new version), so a
double-clicked button is harmless.
"""

import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from ventanilla.audit import services as audit
from ventanilla.institutions.models import Institution
from ventanilla.notifications import rendering
from ventanilla.notifications.events import EVENTS
from ventanilla.notifications.models import Channel, Template, TemplateVersion
from ventanilla.notifications.permissions import can_manage_notifications

NAME_MAX = 200
# An e-mail or casilla text longer than this is a mistake (a pasted document), not a message.
BODY_MAX_CHARACTERS = 20_000


def template_for_event(
    *, institution: Institution | None, event: str, channel: str
) -> tuple[Template | None, str, str]:
    """The wording for `event` on `channel`: the institution's live template if it wrote one,
    else the platform's. Returns (the template or None for the platform's, subject, body).
    KeyError for an unknown event."""
    definition = EVENTS[event]
    if institution is not None:
        template = (
            Template.objects.filter(
                institution=institution, event=event, channel=channel, archived_at__isnull=True
            )
            .order_by("-updated_at")
            .first()
        )
        if template is not None:
            return template, template.subject, template.body
    wording = {
        Channel.INBOX: definition.inbox,
        Channel.EMAIL: definition.email,
        Channel.SMS: definition.sms,
    }[Channel(channel)]
    return None, str(wording.subject), str(wording.body)


# --- checks ------------------------------------------------------------------------------------


def _deny() -> PermissionDenied:
    return PermissionDenied(_("Tu rol no te permite gestionar los avisos de esa institución."))


def _allowed(user: Any, institution_id: int | None) -> bool:
    return bool(can_manage_notifications(user, institution_id))


def template_check_wording(*, channel: str, event: str, subject: str, body: str) -> list[str]:
    """The placeholder names of a wording, or ValidationError by field ("channel", "event",
    "subject", "body") with Spanish messages: placeholders well formed, an event's template
    only with that event's data, a subject where the channel has one, the channel's limits."""
    errors: dict[str, str] = {}
    if channel not in Channel.values:
        errors["channel"] = _("Elige el canal: correo electrónico, SMS o casilla electrónica.")
    if event and event not in EVENTS:
        errors["event"] = _("Ese aviso no existe. Elige uno de la lista o «uso libre (API)».")
    allowed = EVENTS[event].placeholders if event in EVENTS else None
    if channel == Channel.SMS:
        if subject.strip():
            errors["subject"] = _("Un SMS no tiene asunto: deja el asunto vacío.")
    elif channel in Channel.values:
        if not subject.strip():
            errors["subject"] = _("Escribe el asunto.")
        elif len(subject) > rendering.SUBJECT_MAX_CHARACTERS:
            errors["subject"] = _("El asunto tiene %(n)s caracteres; el máximo es %(max)s.") % {
                "n": len(subject),
                "max": rendering.SUBJECT_MAX_CHARACTERS,
            }
        elif "\n" in subject or "\r" in subject:
            errors["subject"] = _("El asunto va en una sola línea.")
        else:
            try:
                rendering.template_check(subject, allowed=allowed)
            except rendering.TemplateError as error:
                errors["subject"] = str(error)
    if not body.strip():
        errors["body"] = _("Escribe el texto del mensaje.")
    else:
        try:
            rendering.template_check(body, allowed=allowed)
        except rendering.TemplateError as error:
            errors["body"] = str(error)
        else:
            if channel == Channel.SMS:
                length = rendering.sms_length(body)
                if length.too_long:
                    errors["body"] = _(
                        "El SMS tiene %(n)s caracteres; el máximo es %(max)s (6 partes)."
                    ) % {"n": length.characters, "max": rendering.SMS_MAX_CHARACTERS}
            elif len(body) > BODY_MAX_CHARACTERS:
                errors["body"] = _("El texto tiene %(n)s caracteres; el máximo es %(max)s.") % {
                    "n": len(body),
                    "max": BODY_MAX_CHARACTERS,
                }
    if errors:
        raise ValidationError(errors)
    return rendering.placeholders(subject if channel != Channel.SMS else "", body)


def _check(*, name: str, channel: str, event: str, subject: str, body: str) -> None:
    """Every problem of a template's fields at once (name and wording), by field."""
    errors: dict[str, str] = {}
    if not name:
        errors["name"] = _("Escribe un nombre para reconocer la plantilla.")
    elif len(name) > NAME_MAX:
        errors["name"] = _("El nombre tiene más de %(max)s caracteres.") % {"max": NAME_MAX}
    try:
        template_check_wording(channel=channel, event=event, subject=subject, body=body)
    except ValidationError as error:
        errors.update({k: v[0] for k, v in error.message_dict.items()})
    if errors:
        raise ValidationError(errors)


def _normalised(text: str) -> str:
    return (text or "").replace("\r\n", "\n").replace("\r", "\n").strip()


# --- writes ------------------------------------------------------------------------------------


def template_create(
    *,
    institution: Institution | None,
    channel: str,
    name: str,
    body: str,
    by: Any,
    subject: str = "",
    event: str = "",
    id: uuid.UUID | None = None,
) -> Template:
    """A new template (version 1). `institution` None: a platform template (platform
    administrators only). `event` blank: a template the APIs use by id (any placeholders);
    otherwise the institution's wording of that case notice (only its data; one live template
    per event and channel). `id` given (the form's one-time id): a repeated call with the same
    id returns the template the first one made instead of a second one."""
    institution_id = institution.pk if institution is not None else None
    if not _allowed(by, institution_id):
        raise _deny()
    if id is not None:
        existing = Template.objects.filter(pk=id).first()
        if existing is not None:
            return _same_or_refuse(existing, institution_id)
    name = name.strip()
    subject = _normalised(subject)
    body = _normalised(body)
    event = (event or "").strip()
    _check(name=name, channel=channel, event=event, subject=subject, body=body)
    if event and _live_for_event(institution_id, event, channel).exists():
        raise ValidationError(
            {
                "event": _(
                    "Ya hay una plantilla activa de %(channel)s para «%(event)s». "
                    "Edítala, o archívala antes de crear otra."
                )
                % {"channel": Channel(channel).label, "event": EVENTS[event].label}
            }
        )
    actor = by if getattr(by, "pk", None) else None
    try:
        with transaction.atomic():
            template = Template.objects.create(
                id=id or uuid.uuid4(),
                institution=institution,
                channel=channel,
                name=name,
                event=event,
                subject=subject,
                body=body,
                version=1,
                created_by=actor,
                updated_by=actor,
            )
            TemplateVersion.objects.create(
                template=template, version=1, subject=subject, body=body, created_by=actor
            )
            audit.record(
                actor=by,
                action="notifications.template_created",
                target=template,
                institution_id=institution_id,
                data={"name": name, "channel": channel, "event": event, "version": 1},
            )
    except IntegrityError as error:
        # Two saves at once: the same form (same id) or two live templates for one event.
        if id is not None:
            existing = Template.objects.filter(pk=id).first()
            if existing is not None:
                return _same_or_refuse(existing, institution_id)
        raise ValidationError(
            {"event": _("Ya hay una plantilla activa para ese aviso y canal.")}
        ) from error
    return template


def _same_or_refuse(existing: Template, institution_id: int | None) -> Template:
    if existing.institution_id != institution_id:
        raise ValidationError(_("Este formulario ya se usó. Vuelve a abrirlo."))
    return existing


def _live_for_event(institution_id: int | None, event: str, channel: str) -> Any:
    owner: dict[str, Any] = (
        {"institution_id": institution_id}
        if institution_id is not None
        else {"institution__isnull": True}
    )
    return Template.objects.filter(**owner, event=event, channel=channel, archived_at__isnull=True)


def template_update(
    *,
    template: Template,
    by: Any,
    name: str,
    subject: str,
    body: str,
    expected_version: int | None = None,
) -> Template:
    """Save a new wording: a new TemplateVersion (version + 1) when the subject or body
    changed; the name alone changes no version. The same wording again changes nothing.
    `expected_version` (the version the editor started from): when someone saved another
    wording since, ValidationError instead of overwriting it. Channel and event stay as they
    were created (API clients and cases rely on them)."""
    if not _allowed(by, template.institution_id):
        raise _deny()
    name = name.strip()
    subject = _normalised(subject)
    body = _normalised(body)
    _check(name=name, channel=template.channel, event=template.event, subject=subject, body=body)
    actor = by if getattr(by, "pk", None) else None
    with transaction.atomic():
        current = Template.objects.select_for_update().get(pk=template.pk)
        if current.archived_at is not None:
            raise ValidationError(_("La plantilla está archivada: ya no se puede cambiar."))
        wording_changed = (current.subject, current.body) != (subject, body)
        if not wording_changed and current.name == name:
            return current
        if wording_changed and expected_version is not None and expected_version != current.version:
            raise ValidationError(
                _(
                    "Otra persona guardó la versión %(v)s de esta plantilla mientras la "
                    "editabas. Revisa su texto y vuelve a escribir tus cambios."
                )
                % {"v": current.version}
            )
        previous = {"name": current.name, "version": current.version}
        current.name = name
        current.updated_by = actor
        if wording_changed:
            current.version += 1
            current.subject = subject
            current.body = body
            TemplateVersion.objects.create(
                template=current,
                version=current.version,
                subject=subject,
                body=body,
                created_by=actor,
            )
        current.save()
        audit.record(
            actor=by,
            action="notifications.template_updated",
            target=current,
            institution_id=current.institution_id,
            data={
                "name": name,
                "version": current.version,
                "previous": previous,
                "wording_changed": wording_changed,
            },
        )
    template.__dict__.update(
        {f.attname: getattr(current, f.attname) for f in Template._meta.concrete_fields}
    )
    return current


def template_archive(*, template: Template, by: Any) -> Template:
    """Stop using `template` (kept, so the messages sent with it still name it). An archived
    event template gives way to the platform's wording. Archiving twice changes nothing."""
    if not _allowed(by, template.institution_id):
        raise _deny()
    with transaction.atomic():
        updated = Template.objects.filter(pk=template.pk, archived_at__isnull=True).update(
            archived_at=timezone.now(),
            updated_by=by if getattr(by, "pk", None) else None,
            updated_at=timezone.now(),
        )
        if updated:
            audit.record(
                actor=by,
                action="notifications.template_archived",
                target=template,
                institution_id=template.institution_id,
                data={"name": template.name, "version": template.version},
            )
    template.refresh_from_db()
    return template


# --- preview -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class TemplatePreview:
    """A wording rendered with values: the subject and text as sent (an SMS already
    downgraded to GSM-7 where it can be), the e-mail's HTML, and the SMS's length."""

    channel: str
    subject: str
    body: str
    html: str = ""
    sms: rendering.SmsLength | None = None
    placeholders: list[str] = field(default_factory=list)


def template_preview(
    *,
    channel: str,
    subject: str,
    body: str,
    values: Mapping[str, Any] | None,
    institution: Institution | None = None,
) -> TemplatePreview:
    """The wording rendered with `values` (MissingPlaceholders names those without one;
    TemplateError for a text that is not well formed). Nothing is saved."""
    rendering.template_check(subject, body)
    names = rendering.placeholders(subject, body)
    missing = rendering.missing_values([subject, body], values)
    if missing:
        raise rendering.MissingPlaceholders(missing)
    rendered_subject = rendering.render(subject, values) if channel != Channel.SMS else ""
    rendered_body = rendering.render(body, values)
    if channel == Channel.SMS:
        text = rendering.sms_text(rendered_body)
        return TemplatePreview(
            channel=channel,
            subject="",
            body=text,
            sms=rendering.sms_length(rendered_body),
            placeholders=names,
        )
    html = ""
    if channel == Channel.EMAIL:
        html = rendering.email_html(
            subject=rendered_subject,
            body=rendered_body,
            institution=institution.name if institution is not None else "Ventanilla",
        )
    return TemplatePreview(
        channel=channel,
        subject=rendered_subject,
        body=rendering.body_text(rendered_body),
        html=html,
        placeholders=names,
    )


def template_sample_values(
    *, names: list[str], institution: Institution | None = None
) -> dict[str, str]:
    """A plausible value for each placeholder in `names` (the case notices' data get
    realistic ones; any other name «ejemplo de <name>»), for the preview."""
    today = timezone.localdate()
    base = str(getattr(settings, "PUBLIC_BASE_URL", "") or "https://www.gob.pe").rstrip("/")
    samples = {
        "nombre": "María Quispe Mamani",
        "referencia": "MTC-2026-000123",
        "servicio": _("Licencia de conducir"),
        "institucion": institution.name if institution is not None else "Ventanilla",
        "enlace": f"{base}/casilla/",
        "fecha": date_format(today, "d/m/Y"),
        "estado": _("Aprobado"),
        "mensaje": _("Adjunta una copia legible de tu DNI por ambos lados."),
        "plazo": date_format(today + timedelta(days=10), "d/m/Y"),
    }
    return {
        name: samples.get(rendering.placeholder_key(name), _("ejemplo de %(n)s") % {"n": name})
        for name in names
    }
