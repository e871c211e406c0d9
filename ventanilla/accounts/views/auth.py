"""Logging in (with the second factor and step-up), registering, logging out, the account page."""

from typing import Any
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import URLPattern, path, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters

from ventanilla.accounts.assurance import (
    AVAILABLE,
    LABELS,
    Level,
    meets,
    parse_level,
    session_level,
)
from ventanilla.accounts.forms import CodeForm, LoginForm, RegisterForm
from ventanilla.accounts.permissions import is_back_office_user
from ventanilla.accounts.services.login import (
    LoginRefused,
    login_complete,
    login_password,
    login_pending_set,
    login_pending_user,
    login_second_factor,
    logout,
)
from ventanilla.accounts.services.registration import citizen_register, document_parse
from ventanilla.accounts.services.second_factor import totp_enabled
from ventanilla.core.network import client_ip
from ventanilla.oidc.selectors import client_name_asking

SECOND_FACTOR_SETUP_PATH = "/cuenta/seguridad/verificacion/"
LOGIN_FIELD_IDS = {"documento": "documento", "password": "password"}
REGISTER_FIELD_IDS = {
    "tipo": "tipo-dni", "documento": "documento", "digito": "digito", "correo": "correo",
    "celular": "celular", "password": "password", "password2": "password2",
}  # fmt: skip
# Where a registration error belongs on the form.
REGISTER_ERROR_FIELDS = {
    "document": "documento", "check_digit": "digito", "not_found": "documento",
    "taken": "documento", "document_type": "tipo", "email": "correo", "email_taken": "correo",
    "password": "password", "registry_unavailable": "",
}  # fmt: skip


def _next(request: HttpRequest) -> str:
    """The local page to go to after logging in (never another site)."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse("accounts:home")


def _wanted_level(request: HttpRequest) -> Level | None:
    return parse_level(request.POST.get("nivel") or request.GET.get("nivel"))


def _with_next(url: str, request: HttpRequest, level: Level | None = None) -> str:
    query = {"next": _next(request)}
    if level is not None:
        query["nivel"] = str(level)
    return f"{url}?{urlencode(query)}"


def _errors(form: Any, ids: dict[str, str]) -> list[tuple[str, str]]:
    return [(ids.get(name, ""), msg) for name, msgs in form.errors.items() for msg in msgs]


def _page(
    request: HttpRequest, template: str, context: dict[str, Any], status: int = 200
) -> HttpResponse:
    context.setdefault("next", _next(request))
    context.setdefault("nivel", str(_wanted_level(request) or ""))
    return render(request, template, context, status=status)


def _after_password(request: HttpRequest, level_wanted: Level | None) -> HttpResponse:
    """Where a logged-in (one factor) citizen goes when a page asks for more."""
    if level_wanted is not None and not meets(session_level(request), level_wanted):
        return HttpResponseRedirect(_with_next(SECOND_FACTOR_SETUP_PATH, request, level_wanted))
    return HttpResponseRedirect(_next(request))


@never_cache
@sensitive_post_parameters("password")
def login_view(request: HttpRequest) -> HttpResponse:
    wanted = _wanted_level(request)
    if wanted is not None and wanted not in AVAILABLE:
        # Certificate logins (DNIe, a token) are modelled but not offered yet: say so plainly.
        return _page(request, "accounts/level_unavailable.html",
                     {"wanted_label": LABELS[wanted]}, status=501)  # fmt: skip
    if request.user.is_authenticated and request.method != "POST":
        if wanted is None or meets(session_level(request), wanted):
            return HttpResponseRedirect(_next(request))
        # Step-up: the citizen is in, but this page asks for a second factor.
        if totp_enabled(request.user):
            login_pending_set(request=request, user=request.user)
            return HttpResponseRedirect(_with_next(reverse("accounts:login_code"), request, wanted))
        return HttpResponseRedirect(_with_next(SECOND_FACTOR_SETUP_PATH, request, wanted))
    form = LoginForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                result = login_password(
                    request=request,
                    login_name=form.cleaned_data["documento"],
                    password=form.cleaned_data["password"],
                )
            except LoginRefused as refused:
                form.add_error(None, refused.message)
                status = 429 if refused.code in {"delayed", "locked"} else 400
            else:
                if result.needs_second_factor:
                    return HttpResponseRedirect(
                        _with_next(reverse("accounts:login_code"), request, wanted)
                    )
                login_complete(request=request, user=result.user, level=Level.ONE_FACTOR)
                return _after_password(request, wanted)
    return _page(
        request,
        "accounts/login.html",
        {
            "form": form,
            "errors": _errors(form, LOGIN_FIELD_IDS),
            "wanted": wanted,
            "wanted_label": LABELS.get(wanted) if wanted else "",
            "asking": client_name_asking(_next(request)),
        },
        status=status,
    )


@never_cache
def login_code_view(request: HttpRequest) -> HttpResponse:
    if login_pending_user(request) is None:
        return HttpResponseRedirect(
            _with_next(reverse("accounts:login"), request, _wanted_level(request))
        )
    form = CodeForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                user = login_second_factor(request=request, code=form.cleaned_data["codigo"])
            except LoginRefused as refused:
                if refused.code == "expired":
                    return HttpResponseRedirect(_with_next(reverse("accounts:login"), request))
                form.add_error("codigo", refused.message)
                status = 429 if refused.code in {"delayed", "locked"} else 400
            else:
                login_complete(request=request, user=user, level=Level.TWO_FACTOR)
                return HttpResponseRedirect(_next(request))
    return _page(
        request,
        "accounts/login_code.html",
        {"form": form, "errors": _errors(form, {"codigo": "codigo"})},
        status=status,
    )


@never_cache
def logout_view(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        logout(request=request)
        response = HttpResponseRedirect(reverse("accounts:logged_out"))
        response.delete_cookie("sessionid")
        return response
    if not request.user.is_authenticated:
        return HttpResponseRedirect(reverse("accounts:logged_out"))
    return _page(request, "accounts/logout.html", {})


@never_cache
def logged_out_view(request: HttpRequest) -> HttpResponse:
    return _page(request, "accounts/logged_out.html", {})


@never_cache
@sensitive_post_parameters("password", "password2")
def register_view(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated and request.method != "POST":
        return HttpResponseRedirect(reverse("accounts:home"))
    form = RegisterForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            try:
                document = document_parse(
                    document_type=data["tipo"], number=data["documento"], check_digit=data["digito"]
                )
                user = citizen_register(
                    document=document,
                    email=data["correo"],
                    password=data["password"],
                    phone=data["celular"],
                    ip=client_ip(request),
                )
            except ValidationError as error:
                field = REGISTER_ERROR_FIELDS.get(error.code or "", "")
                for message in error.messages:
                    form.add_error(field or None, message)
                status = 503 if error.code == "registry_unavailable" else 400
            else:
                login_complete(request=request, user=user, level=Level.ONE_FACTOR)
                return HttpResponseRedirect(f"{reverse('accounts:home')}?nueva=1")
    return _page(
        request,
        "accounts/register.html",
        {"form": form, "errors": _errors(form, REGISTER_FIELD_IDS)},
        status=status,
    )


@never_cache
@login_required
def home_view(request: HttpRequest) -> HttpResponse:
    level = session_level(request)
    return _page(
        request,
        "accounts/home.html",
        {
            "account": request.user,
            "level_label": LABELS.get(level, "") if level else "",
            "two_factor": totp_enabled(request.user),
            "new_account": request.GET.get("nueva") == "1",
            "title": _("Mi cuenta"),
        },
    )


@never_cache
def backoffice_login_view(request: HttpRequest) -> HttpResponse:
    """The back office's login is the portal's: one throttle, one second factor, one audit.
    Someone logged in without a role in any institution is told so (not sent round in circles)."""
    if request.user.is_authenticated and not is_back_office_user(request.user):
        return _page(request, "accounts/no_backoffice.html", {}, status=403)
    target = request.GET.get("next") or "/gestion/"
    return HttpResponseRedirect(f"{reverse('accounts:login')}?{urlencode({'next': target})}")


urlpatterns: list[URLPattern] = [
    path("", home_view, name="home"),
    path("ingresar/", login_view, name="login"),
    path("ingresar/codigo/", login_code_view, name="login_code"),
    path("salir/", logout_view, name="logout"),
    path("sesion-cerrada/", logged_out_view, name="logged_out"),
    path("registro/", register_view, name="register"),
]
