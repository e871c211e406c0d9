"""Account pages: officials. The page an invitation's link opens, where the invited person
accepts with the account they are logged in with, or creates an official account."""

from typing import Any
from urllib.parse import urlencode

from django import forms
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters

from ventanilla.accounts.models import Invitation, Membership, Role
from ventanilla.accounts.services.officials import (
    invitation_accept,
    invitation_by_token,
    invitation_problem,
    official_account_errors,
)

# Form field -> id of its input on the page (the error summary links to it).
FIELD_IDS = {
    "first_name": "inv-nombres",
    "last_name": "inv-apellidos",
    "username": "inv-usuario",
    "password": "inv-password",
    "password2": "inv-password2",
}


class NewOfficialForm(forms.Form):
    """The new official's account. Strength and uniqueness are the service's to check."""

    first_name = forms.CharField(
        max_length=150, error_messages={"required": gettext_lazy("Escribe tus nombres.")}
    )
    last_name = forms.CharField(
        max_length=150, error_messages={"required": gettext_lazy("Escribe tus apellidos.")}
    )
    username = forms.CharField(
        max_length=150, error_messages={"required": gettext_lazy("Elige un nombre de usuario.")}
    )
    password = forms.CharField(
        strip=False, error_messages={"required": gettext_lazy("Escribe una contraseña.")}
    )
    password2 = forms.CharField(
        strip=False, error_messages={"required": gettext_lazy("Repite la contraseña.")}
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("password") and data.get("password2") and data["password"] != data["password2"]:
            self.add_error("password2", _("Las dos contraseñas no coinciden."))
        return data


def _login_url(request: HttpRequest) -> str:
    return f"{reverse('accounts:login')}?{urlencode({'next': request.path})}"


def _render(
    request: HttpRequest, template: str, context: dict[str, Any], status: int = 200
) -> HttpResponse:
    context.setdefault("crumbs", [(_("Invitación"), None)])
    response = render(request, template, context, status=status)
    # The address carries the token: no link hands it on as a referrer (never_cache keeps it
    # out of every cache).
    response["Referrer-Policy"] = "no-referrer"
    return response


def _field_errors(error: ValidationError | dict[str, list[str]]) -> dict[str, list[str]]:
    if isinstance(error, dict):
        return {name: [str(m) for m in msgs] for name, msgs in error.items()}
    if hasattr(error, "error_dict"):
        return dict(error.message_dict)
    return {"__all__": list(error.messages)}


def _all_errors(form: NewOfficialForm, invitation: Invitation) -> dict[str, list[str]]:
    """The form's errors and the account's (strength, a taken username) in one go."""
    errors = {name: [str(m) for m in msgs] for name, msgs in form.errors.items()}
    fields = {name: str(form.data.get(name, "")) for name in FIELD_IDS}
    account = official_account_errors(
        email=invitation.email,
        username=fields["username"],
        password=fields["password"],
        first_name=fields["first_name"],
        last_name=fields["last_name"],
    )
    for name, msgs in account.items():
        errors.setdefault(name, msgs)
    return {name: errors[name] for name in FIELD_IDS if name in errors}


def _summary(errors: dict[str, list[str]]) -> list[tuple[str, str]]:
    return [(FIELD_IDS.get(name, ""), msg) for name, msgs in errors.items() for msg in msgs]


def _done(request: HttpRequest, membership: Membership, *, new_account: bool) -> HttpResponse:
    context = {
        "institution": membership.institution,
        "role": Role(membership.role).label,
        "new_account": new_account,
        "back_office": reverse("admin:index"),
        "login_url": f"{reverse('admin:login')}?{urlencode({'next': reverse('admin:index')})}",
        "crumbs": [(_("Invitación aceptada"), None)],
    }
    return _render(request, "accounts/invitation_done.html", context)


@never_cache
@sensitive_post_parameters("password", "password2")
def invitation_view(request: HttpRequest, token: str) -> HttpResponse:
    invitation: Invitation | None = invitation_by_token(token=token)
    problem = invitation_problem(invitation)
    context: dict[str, Any] = {"login_url": _login_url(request)}
    if problem or invitation is None:
        context["problem"] = problem
        return _render(
            request, "accounts/invitation.html", context, 404 if invitation is None else 410
        )
    context.update(
        invitation=invitation,
        role=Role(invitation.role).label,
        expires=timezone.localtime(invitation.expires_at),
        form=NewOfficialForm(),
        errors=[],
        field_errors={},
    )
    if request.method != "POST":
        return _render(request, "accounts/invitation.html", context)

    logged_in = request.user.is_authenticated
    form = NewOfficialForm(None if logged_in else request.POST)
    context["form"] = form
    try:
        if logged_in:
            membership = invitation_accept(token=token, user=request.user)
        elif not form.is_valid():
            raise ValidationError(_all_errors(form, invitation))
        else:
            membership = invitation_accept(
                token=token,
                username=form.cleaned_data["username"],
                password=form.cleaned_data["password"],
                first_name=form.cleaned_data["first_name"],
                last_name=form.cleaned_data["last_name"],
            )
    except ValidationError as error:
        if getattr(error, "code", None) == "invitation":
            context["problem"] = error.messages[0]
            return _render(request, "accounts/invitation.html", context, 410)
        errors = _field_errors(error)
        context.update(field_errors=errors, errors=_summary(errors))
        return _render(request, "accounts/invitation.html", context, 400)
    return _done(request, membership, new_account=not logged_in)


urlpatterns: list[URLPattern] = [
    path("invitacion/<str:token>/", invitation_view, name="invitation"),
]
