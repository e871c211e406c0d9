"""/cuenta/avisos/: how the citizen wants to hear about their notifications besides the casilla
(e-mail, SMS) and the confirmation of their mobile number by a code. No JavaScript: every
action is a form (POST with CSRF, then 303 back to the page)."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from ventanilla.notifications.recipients import phone_display, phone_masked
from ventanilla.notifications.services import preferences as services

# Where a service's refusal (its ValidationError code) shows on the page: the field's id.
ERROR_FIELDS = {
    "phone_unverified": "sms",
    "no_email": "correo",
    "invalid_phone": "celular",
    "throttled": "celular",
    "code": "codigo",
    "expired": "codigo",
}
MAX_INPUT = 40


def _errors(error: ValidationError) -> list[tuple[str, str]]:
    return [
        (ERROR_FIELDS.get(e.code or "", ""), str(m)) for e in error.error_list for m in e.messages
    ]


def _done(request: HttpRequest, message: str) -> HttpResponse:
    messages.success(request, message)
    return HttpResponseRedirect(reverse("notifications_citizen:preferences"), status=303)


def _act(request: HttpRequest, user: Any, action: str) -> HttpResponse | None:
    """Run the posted action; a response when it succeeded, None for an unknown action.
    ValidationError goes to the caller."""
    if action == "canales":
        services.preference_update(
            user=user,
            email_enabled=request.POST.get("correo") == "si",
            sms_enabled=request.POST.get("sms") == "si",
        )
        return _done(request, _("Guardamos cómo quieres recibir tus avisos."))
    if action == "enviar":
        verification = services.phone_verification_start(
            user=user, phone=request.POST.get("celular", "")[:MAX_INPUT]
        )
        return _done(
            request,
            _("Te enviamos un código por SMS al %(phone)s. Escríbelo abajo.")
            % {"phone": phone_display(verification.phone)},
        )
    if action == "confirmar":
        preference = services.phone_verification_confirm(
            user=user, code=request.POST.get("codigo", "")[:MAX_INPUT]
        )
        return _done(
            request,
            _("Confirmamos tu celular %(phone)s. Te avisaremos también por SMS.")
            % {"phone": phone_display(preference.phone)},
        )
    if action == "quitar":
        services.phone_remove(user=user)
        return _done(request, _("Quitamos tu celular: ya no te enviaremos SMS."))
    return None


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def preferences_view(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    if not getattr(user, "document_number", ""):
        raise PermissionDenied(_("Solo las cuentas de ciudadanos tienen casilla y avisos."))
    errors: list[tuple[str, str]] = []
    action = request.POST.get("accion", "") if request.method == "POST" else ""
    if action:
        try:
            done = _act(request, user, action)
        except ValidationError as exc:
            errors = _errors(exc)
        else:
            if done is not None:
                return done
    preference = services.preference_get(user=user)
    pending = services.phone_verification_pending(user=user)
    typed_phone = request.POST.get("celular", "")[:MAX_INPUT] if action == "enviar" else ""
    field_errors: dict[str, str] = {}
    for field_id, message in errors:
        field_errors.setdefault(field_id, message)
    context = {
        "title": _("Cómo te avisamos"),
        "crumbs": [(_("Mi cuenta"), reverse("accounts:home")), (_("Cómo te avisamos"), None)],
        "errors": errors,
        "field_errors": field_errors,
        "notices": [str(m) for m in messages.get_messages(request)],
        "preference": preference,
        "email": user.email,
        # What was posted when the choice was refused, else what is saved.
        "email_on": request.POST.get("correo") == "si"
        if action == "canales"
        else preference.email_enabled,
        "sms_on": request.POST.get("sms") == "si"
        if action == "canales"
        else preference.sms_enabled,
        "phone_verified": bool(preference.phone and preference.phone_verified_at),
        "phone_shown": phone_display(preference.phone) if preference.phone else "",
        "pending_phone": phone_masked(pending.phone) if pending is not None else "",
        "pending_phone_full": pending.phone if pending is not None else "",
        # The account's phone is offered until a number is confirmed.
        "phone_value": typed_phone
        or ("" if preference.phone_verified_at else getattr(user, "phone", "")),
    }
    return render(request, "notifications/preferences.html", context, status=400 if errors else 200)
