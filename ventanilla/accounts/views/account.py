"""The citizen's account security pages: second factor, sessions, password, recovery, deletion.

Every page is never cached (never_cache: private, no-store) and every change is a POST with CSRF."""

import time
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth import logout, update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import URLPattern, path, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods

from ventanilla.accounts.assurance import LABELS, SESSION_AUTH_TIME, SESSION_LEVEL, Level
from ventanilla.accounts.assurance import session_level as current_level
from ventanilla.accounts.models import UserSession
from ventanilla.accounts.services import account as services
from ventanilla.accounts.services import second_factor
from ventanilla.core.network import client_ip


def _text(required: Any, *, max_length: int = 32, password: bool = False) -> forms.CharField:
    """A text field with its Spanish messages; passwords are taken as typed (no strip)."""
    messages_ = {"required": required, "max_length": gettext_lazy("El texto es demasiado largo.")}
    return forms.CharField(
        max_length=4096 if password else max_length,
        strip=not password,
        required=bool(required),
        error_messages=messages_,
    )


class CodeForm(forms.Form):
    codigo = _text(gettext_lazy("Escribe el código de 6 dígitos."))


class PasswordForm(forms.Form):
    password = _text(gettext_lazy("Escribe tu contraseña actual."), password=True)


class NewPasswordForm(forms.Form):
    nueva = _text(gettext_lazy("Escribe la contraseña nueva."), password=True)
    nueva2 = _text(gettext_lazy("Vuelve a escribir la contraseña nueva."), password=True)


class PasswordChangeForm(PasswordForm, NewPasswordForm):
    pass


class ResetRequestForm(forms.Form):
    documento = _text(gettext_lazy("Escribe tu número de DNI o tu correo."), max_length=254)


class DeleteForm(PasswordForm):
    codigo = _text("")


# Where a service's refusal (its ValidationError code) shows on the page: the field's id.
ERROR_FIELDS = {
    "password": "password", "throttled": "password", "code": "codigo", "mismatch": "nueva2",
    "password_too_short": "nueva", "password_too_common": "nueva",
    "password_entirely_numeric": "nueva", "password_too_similar": "nueva",
}  # fmt: skip
FORM_FIELD_IDS = {"password": "password", "codigo": "codigo", "nueva": "nueva",
                  "nueva2": "nueva2", "documento": "documento"}  # fmt: skip


def _errors(form: forms.Form | None, error: ValidationError | None = None) -> list[tuple[str, str]]:
    found: list[tuple[str, str]] = []
    if form is not None:
        found += [(FORM_FIELD_IDS.get(n, ""), str(m)) for n, ms in form.errors.items() for m in ms]
    if error is not None:
        found += [(ERROR_FIELDS.get(e.code or "", ""), str(m)) for e in error.error_list for m in e]
    return found


def _by_field(errors: list[tuple[str, str]]) -> dict[str, str]:
    """The first message of each field, for the field itself."""
    first: dict[str, str] = {}
    for field_id, message in errors:
        first.setdefault(field_id, message)
    return first


def _page(
    request: HttpRequest,
    template: str,
    title: str,
    context: dict[str, Any] | None = None,
    *,
    errors: list[tuple[str, str]] | None = None,
    status: int | None = None,
) -> HttpResponse:
    context = dict(context or {})
    errors = errors or []
    context.update(
        title=title,
        errors=errors,
        field_errors=_by_field(errors),
        notices=[str(m) for m in messages.get_messages(request)],
    )
    if request.user.is_authenticated:
        crumbs = [(_("Mi cuenta"), reverse("accounts:home"))]
        if template != "accounts/account/security.html":
            crumbs.append((_("Seguridad de la cuenta"), reverse("accounts:security")))
        context["crumbs"] = [*crumbs, (title, None)]
    return render(request, template, context, status=status or (400 if errors else 200))


def _done(request: HttpRequest, message: str, to: str = "accounts:security") -> HttpResponse:
    messages.success(request, message)
    return HttpResponseRedirect(reverse(to), status=303)


def _posted(request: HttpRequest) -> Any:
    """The POST data for a form, None on GET (an empty POST still binds and shows errors)."""
    return request.POST if request.method == "POST" else None


def _safe_next(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return ""


@never_cache
@login_required
def security_view(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    level = current_level(request) or Level.ONE_FACTOR
    context = {
        "level_label": LABELS[level],
        "totp_on": second_factor.totp_enabled(user),
        "codes_left": second_factor.recovery_codes_left(user),
        "sessions": UserSession.objects.filter(user=user).count(),
        # Officials' accounts are closed by their institution, not from here.
        "can_delete": not (user.is_staff or user.is_superuser),
    }
    return _page(request, "accounts/account/security.html", _("Seguridad de la cuenta"), context)


@never_cache
@sensitive_post_parameters("password")
@login_required
@require_http_methods(["GET", "POST"])
def totp_view(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    action = request.POST.get("accion", "")
    form: forms.Form | None = None
    error: ValidationError | None = None
    title = _("Verificación en dos pasos")
    template = "accounts/account/totp.html"
    try:
        if action == "iniciar":
            second_factor.totp_setup_start(user=user)
            return HttpResponseRedirect(request.get_full_path(), status=303)
        if action == "confirmar":
            form = CodeForm(request.POST)
            if form.is_valid():
                codes = second_factor.totp_confirm(user=user, code=form.cleaned_data["codigo"])
                request.session[SESSION_LEVEL] = str(Level.TWO_FACTOR)
                request.session[SESSION_AUTH_TIME] = int(time.time())
                second_factor.session_level_raise(
                    user=user, session_key=request.session.session_key, level=Level.TWO_FACTOR
                )
                shown = {"codes": codes, "next": _safe_next(request), "enabled_now": True}
                return _page(request, "accounts/account/codes.html", title, shown)
        if action in {"desactivar", "regenerar"}:
            form = PasswordForm(request.POST)
            if form.is_valid():
                password = form.cleaned_data["password"]
                if action == "desactivar":
                    second_factor.totp_disable(user=user, password=password)
                    return _done(request, _("Desactivaste la verificación en dos pasos."))
                codes = second_factor.recovery_codes_regenerate(user=user, password=password)
                shown = {"codes": codes, "next": "", "enabled_now": False}
                return _page(request, "accounts/account/codes.html", title, shown)
    except ValidationError as exc:
        error = exc
    pending = None if second_factor.totp_enabled(user) else second_factor.totp_pending(user)
    context: dict[str, Any] = {
        "enabled": pending is None and second_factor.totp_enabled(user),
        "pending": pending,
        "next": _safe_next(request),
        "action": action,
    }
    if pending is not None:
        uri = second_factor.totp_provisioning_uri(user=user, device=pending)
        context["qr_svg"] = second_factor.totp_qr_svg(uri)
        context["otpauth_uri"] = uri  # a phone cannot scan its own screen: a link opens the app
        context["secret"] = second_factor.secret_grouped(pending.secret)
    if context["enabled"]:
        context["codes_left"] = second_factor.recovery_codes_left(user)
    return _page(request, template, title, context, errors=_errors(form, error))


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def sessions_view(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    current = request.session.session_key
    if request.method == "POST":
        if "cerrar_otras" in request.POST:
            closed = services.sessions_close_others(user=user, keep_session_key=current, by=user)
            return _done(request, _("Cerramos tus otras sesiones (%(n)d).") % {"n": closed},
                         "accounts:sessions")  # fmt: skip
        row_id = request.POST.get("cerrar", "")
        row = UserSession.objects.filter(user=user, pk=row_id if row_id.isdigit() else 0).first()
        try:
            if row is None:
                raise ValidationError("", code="not_found")
            services.session_close(user=user, session_key=row.session_key, by=user)
        except ValidationError as exc:  # not theirs, or closed meanwhile by another request
            raise Http404(_("Esa sesión ya no está abierta o no es tuya.")) from exc
        if row.session_key == current:
            return HttpResponseRedirect(reverse("accounts:login"), status=303)
        return _done(request, _("Cerramos la sesión."), "accounts:sessions")
    rows = [
        {
            "id": s.pk,
            "device": services.device_describe(s.user_agent),
            "ip": s.ip,
            "created_at": s.created_at,
            "last_seen_at": s.last_seen_at,
            "current": s.session_key == current,
            "level": LABELS.get(Level(s.level), s.level) if s.level in Level else s.level,
        }
        for s in services.session_list(user=user)
    ]
    rows.sort(key=lambda r: not r["current"])  # this browser first
    return _page(request, "accounts/account/sessions.html", _("Sesiones abiertas"), {"rows": rows})


@never_cache
@sensitive_post_parameters("password", "nueva", "nueva2")
@login_required
@require_http_methods(["GET", "POST"])
def password_change_view(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    form = PasswordChangeForm(_posted(request))
    error = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.password_change(
                user=user,
                old_password=data["password"],
                new_password=data["nueva"],
                again=data["nueva2"],
                keep_session_key=request.session.session_key,
            )
        except ValidationError as exc:
            error = exc
        else:
            old_key = request.session.session_key
            update_session_auth_hash(request, user)  # gives the session a new key
            services.session_rekey(user=user, old_key=old_key, new_key=request.session.session_key)
            return _done(request, _("Cambiaste tu contraseña y cerramos tus otras sesiones."))
    title = _("Cambiar la contraseña")
    return _page(request, "accounts/account/password_change.html", title,
                 errors=_errors(form if request.method == "POST" else None, error))  # fmt: skip


@never_cache
@require_http_methods(["GET", "POST"])
def password_reset_view(request: HttpRequest) -> HttpResponse:
    form = ResetRequestForm(_posted(request))
    error = None
    if request.method == "POST" and form.is_valid():
        try:
            services.password_reset_request(
                identifier=form.cleaned_data["documento"],
                ip=client_ip(request),
                site=request.build_absolute_uri("/"),
            )
        except ValidationError as exc:
            error = exc
        else:
            return HttpResponseRedirect(reverse("accounts:password_reset_sent"), status=303)
    errors = _errors(form if request.method == "POST" else None, error)
    if error is not None:
        errors = [("documento", m) for _id, m in errors]
    value = request.POST.get("documento", "")[:254]
    return _page(request, "accounts/account/reset.html", _("Recupera el acceso a tu cuenta"),
                 {"value": value}, errors=errors, status=429 if error else None)  # fmt: skip


@never_cache
def password_reset_sent_view(request: HttpRequest) -> HttpResponse:
    return _page(request, "accounts/account/reset_sent.html", _("Revisa tu correo"))


@never_cache
@sensitive_post_parameters("nueva", "nueva2")
@require_http_methods(["GET", "POST"])
def password_reset_confirm_view(request: HttpRequest, uidb64: str, token: str) -> HttpResponse:
    title = _("Elige una contraseña nueva")
    if services.password_reset_user(uidb64=uidb64, token=token) is None:
        return _page(request, "accounts/account/reset_invalid.html", _("El enlace no es válido"),
                     status=400)  # fmt: skip
    form = NewPasswordForm(_posted(request))
    error = None
    if request.method == "POST" and form.is_valid():
        try:
            services.password_reset_complete(
                uidb64=uidb64,
                token=token,
                password=form.cleaned_data["nueva"],
                again=form.cleaned_data["nueva2"],
            )
        except ValidationError as exc:
            error = exc
        else:
            if request.user.is_authenticated:
                logout(request)
            return HttpResponseRedirect(reverse("accounts:password_reset_done"), status=303)
    errors = _errors(form if request.method == "POST" else None, error)
    return _page(request, "accounts/account/reset_confirm.html", title, errors=errors)


@never_cache
def password_reset_done_view(request: HttpRequest) -> HttpResponse:
    return _page(request, "accounts/account/reset_done.html", _("Tu contraseña cambió"))


@never_cache
@sensitive_post_parameters("password", "codigo")
@login_required
@require_http_methods(["GET", "POST"])
def delete_view(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    form = DeleteForm(_posted(request))
    error = None
    if request.method == "POST" and form.is_valid():
        try:
            services.account_delete(
                user=user, password=form.cleaned_data["password"], code=form.cleaned_data["codigo"]
            )
        except ValidationError as exc:
            error = exc
        else:
            logout(request)
            return HttpResponseRedirect(reverse("accounts:deleted"), status=303)
    context = {"totp_on": second_factor.totp_enabled(user)}
    errors = _errors(form if request.method == "POST" else None, error)
    return _page(request, "accounts/account/delete.html", _("Eliminar tu cuenta"), context,
                 errors=errors)  # fmt: skip


@never_cache
def deleted_view(request: HttpRequest) -> HttpResponse:
    return _page(request, "accounts/account/deleted.html", _("Eliminamos tu cuenta"))


urlpatterns: list[URLPattern] = [
    path("seguridad/", security_view, name="security"),
    path("seguridad/verificacion/", totp_view, name="totp"),
    path("seguridad/sesiones/", sessions_view, name="sessions"),
    path("seguridad/contrasena/", password_change_view, name="password_change"),
    path("recuperar/", password_reset_view, name="password_reset"),
    path("recuperar/enviado/", password_reset_sent_view, name="password_reset_sent"),
    path("recuperar/listo/", password_reset_done_view, name="password_reset_done"),
    path("recuperar/<uidb64>/<token>/", password_reset_confirm_view, name="password_reset_confirm"),
    path("eliminar/", delete_view, name="delete"),
    path("eliminada/", deleted_view, name="deleted"),
]
