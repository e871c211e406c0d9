"""The notices the platform sends about cases, the data each gives its templates, and the
platform's own wording, used where an institution has not written its own (a Template with
that `event` and channel)."""

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

# Every case notice gives these; an event may add more.
COMMON = ("nombre", "referencia", "servicio", "institucion", "enlace", "fecha")


@dataclass(frozen=True)
class Wording:
    subject: str | Promise
    body: str | Promise


@dataclass(frozen=True)
class Event:
    code: str
    label: str | Promise
    placeholders: tuple[str, ...]
    # The platform's wording per channel (inbox and email: subject and body; sms: body).
    inbox: Wording
    email: Wording
    sms: Wording


EVENTS: dict[str, Event] = {
    event.code: event
    for event in (
        Event(
            code="case.submitted",
            label=_("Solicitud recibida"),
            placeholders=COMMON,
            inbox=Wording(
                _("Recibimos tu solicitud ((referencia))"),
                _(
                    "Hola, ((nombre)):\n\n((institucion)) recibió tu solicitud de «((servicio))» "
                    "el ((fecha)). Tu número de expediente es ((referencia)).\n\n"
                    "Puedes seguirla en ((enlace))"
                ),
            ),
            email=Wording(
                _("Recibimos tu solicitud ((referencia))"),
                _(
                    "Hola, ((nombre)):\n\n((institucion)) recibió tu solicitud de «((servicio))». "
                    "Tu número de expediente es ((referencia)).\n\n"
                    "Síguela en ((enlace))"
                ),
            ),
            sms=Wording(
                "",
                _("((institucion)): recibimos tu solicitud ((referencia)). Síguela en ((enlace))"),
            ),
        ),
        Event(
            code="case.correction_requested",
            label=_("Pedido de subsanación"),
            placeholders=(*COMMON, "mensaje", "plazo"),
            inbox=Wording(
                _("Corrige tu solicitud ((referencia))"),
                _(
                    "Hola, ((nombre)):\n\n((institucion)) te pide corregir tu solicitud "
                    "((referencia)) de «((servicio))»:\n\n^ ((mensaje))\n\n"
                    "Tienes hasta el ((plazo)). Corrígela en ((enlace))"
                ),
            ),
            email=Wording(
                _("Corrige tu solicitud ((referencia))"),
                _(
                    "Hola, ((nombre)):\n\n((institucion)) te pide corregir tu solicitud "
                    "((referencia)):\n\n^ ((mensaje))\n\n"
                    "Tienes hasta el ((plazo)). La notificación está en tu casilla electrónica: "
                    "((enlace))"
                ),
            ),
            sms=Wording(
                "",
                _(
                    "((institucion)) te pide corregir tu solicitud ((referencia)) hasta el "
                    "((plazo)). Revisa tu casilla: ((enlace))"
                ),
            ),
        ),
        Event(
            code="case.status_changed",
            label=_("Cambio de estado"),
            placeholders=(*COMMON, "estado", "mensaje"),
            inbox=Wording(
                _("Tu expediente ((referencia)): ((estado))"),
                _(
                    "Hola, ((nombre)):\n\nTu expediente ((referencia)) de «((servicio))» pasó a "
                    "«((estado))».\n\n((mensaje))\n\nMás detalles en ((enlace))"
                ),
            ),
            email=Wording(
                _("Tu expediente ((referencia)): ((estado))"),
                _(
                    "Hola, ((nombre)):\n\nTu expediente ((referencia)) de «((servicio))» pasó a "
                    "«((estado))».\n\n((mensaje))\n\nMás detalles en ((enlace))"
                ),
            ),
            sms=Wording(
                "",
                _("Tu expediente ((referencia)) paso a «((estado))». Detalles: ((enlace))"),
            ),
        ),
        Event(
            code="case.decided",
            label=_("Resolución"),
            placeholders=(*COMMON, "estado", "mensaje"),
            inbox=Wording(
                _("Resolución de tu expediente ((referencia)): ((estado))"),
                _(
                    "Hola, ((nombre)):\n\n((institucion)) resolvió tu expediente ((referencia)) "
                    "de «((servicio))»: ((estado)).\n\n((mensaje))\n\n"
                    "Si se emitió un documento, está adjunto a esta notificación. "
                    "Más detalles en ((enlace))"
                ),
            ),
            email=Wording(
                _("Resolución de tu expediente ((referencia)): ((estado))"),
                _(
                    "Hola, ((nombre)):\n\n((institucion)) resolvió tu expediente ((referencia)) "
                    "de «((servicio))»: ((estado)).\n\n((mensaje))\n\n"
                    "La notificación y sus documentos están en tu casilla electrónica: ((enlace))"
                ),
            ),
            sms=Wording(
                "",
                _(
                    "((institucion)) resolvio tu expediente ((referencia)): ((estado)). "
                    "Revisa tu casilla: ((enlace))"
                ),
            ),
        ),
        Event(
            code="case.message",
            label=_("Mensaje de la institución"),
            placeholders=(*COMMON, "mensaje"),
            inbox=Wording(
                _("Mensaje sobre tu expediente ((referencia))"),
                _(
                    "Hola, ((nombre)):\n\n((institucion)) te escribió sobre tu expediente "
                    "((referencia)):\n\n^ ((mensaje))\n\nPuedes responder en ((enlace))"
                ),
            ),
            email=Wording(
                _("Mensaje sobre tu expediente ((referencia))"),
                _(
                    "Hola, ((nombre)):\n\n((institucion)) te escribió sobre tu expediente "
                    "((referencia)):\n\n^ ((mensaje))\n\nPuedes responder en ((enlace))"
                ),
            ),
            sms=Wording(
                "",
                _("((institucion)) te escribio sobre tu expediente ((referencia)): ((enlace))"),
            ),
        ),
    )
}
