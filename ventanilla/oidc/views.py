"""The OpenID Connect endpoints that need Ventanilla's rules; the rest are
django-oauth-toolkit's own views (urls.py). The authorize view adds, before a code is issued:
the level of assurance the relying party asked for (acr_values → step-up login), max_age,
the remembered consent, and it hands the session's level to the grant (validators.py)."""

import json
import time
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from oauth2_provider.exceptions import InvalidOIDCClientError, OAuthToolkitError
from oauth2_provider.http import OAuth2ResponseRedirect
from oauth2_provider.models import get_application_model
from oauth2_provider.views import (
    AuthorizationView,
    ConnectDiscoveryInfoView,
    RPInitiatedLogoutView,
    UserInfoView,
)
from oauthlib.common import add_params_to_uri

from ventanilla.accounts.assurance import AVAILABLE, SESSION_AUTH_TIME, session_level
from ventanilla.accounts.services.login import logout as account_logout
from ventanilla.oidc.authn import level_requirement, needs_step_up, too_old
from ventanilla.oidc.selectors import consent_covers
from ventanilla.oidc.services import consent_record
from ventanilla.oidc.validators import ACR_ATTR, AUTH_TIME_ATTR

# oauthlib's error classes → what the citizen reads when we will not send them back.
_ERROR_MESSAGES = {
    "InvalidClientIdError": _("La aplicación que te trajo aquí no está registrada en Ventanilla."),
    "MissingClientIdError": _("La aplicación que te trajo aquí no dijo quién es."),
    "MismatchingRedirectURIError": _(
        "La aplicación pidió que te enviemos a una dirección que no registró. Por tu seguridad, "
        "no te enviamos allí."
    ),
    "InvalidRedirectURIError": _(
        "La aplicación pidió que te enviemos a una dirección no válida. Por tu seguridad, no te "
        "enviamos allí."
    ),
    "MissingRedirectURIError": _("La aplicación no dijo a qué dirección debemos devolverte."),
    "InvalidOIDCClientError": _(
        "La aplicación que te trajo aquí no está registrada en Ventanilla."
    ),
    "InvalidOIDCRedirectURIError": _(
        "La aplicación pidió que te enviemos a una dirección que no registró. Por tu seguridad, "
        "no te enviamos allí."
    ),
    "InvalidIDTokenError": _("No pudimos comprobar de qué sesión se trata."),
    "ClientIdMissmatch": _("No pudimos comprobar de qué sesión se trata."),
    "LogoutDenied": _("No cerramos tu sesión: sigue abierta en Ventanilla."),
}


def _error_message(error: Any) -> str:
    return str(
        _ERROR_MESSAGES.get(
            type(error).__name__,
            _("La aplicación envió una solicitud de inicio de sesión que no podemos atender."),
        )
    )


def _error_context(context: dict[str, Any]) -> dict[str, Any]:
    # Only the message: the toolkit's "url" (the refused redirect) would shadow the
    # templates' url() and must never be shown as a link anyway.
    return {"error": True, "message": _error_message(context["error"])}


def _login_url(next_path: str, level: str | None = None) -> str:
    query = {"next": next_path}
    if level:
        query["nivel"] = level
    return f"{reverse('accounts:login')}?{urlencode(query)}"


def _without(path: str, *params: str) -> str:
    parts = urlsplit(path)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k not in params]
    return urlunsplit(parts._replace(query=urlencode(query)))


@method_decorator(never_cache, name="dispatch")
class AuthorizeView(AuthorizationView):
    template_name = "oidc/authorize.html"
    issued_scopes: list[str] | None = None

    def handle_no_permission(self) -> HttpResponse:
        # Nobody logged in: to the login page, asking at once for the level the relying party
        # wants. prompt=login and max_age are met by this login, so they leave the way back
        # (max_age=0 would otherwise send the citizen round again).
        prompt = set(self.request.GET.get("prompt", "").split())
        if prompt & {"none", "create"}:
            return super().handle_no_permission()
        requirement = level_requirement(self.request.GET.get("acr_values", ""))
        path = _without(self.request.get_full_path(), "prompt", "max_age")
        wanted = requirement.level.value if requirement.level else None
        return HttpResponseRedirect(_login_url(path, wanted))

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            scopes, credentials = self.validate_authorization_request(request)
        except OAuthToolkitError as error:
            return self.error_response(error, application=None)
        prompt = set(request.GET.get("prompt", "").split())
        application = get_application_model().objects.get(client_id=credentials["client_id"])
        requirement = level_requirement(request.GET.get("acr_values", ""))
        if requirement.unmet:
            return self._back_with_error(
                credentials, application, "unmet_authentication_requirements"
            )
        # Back to the login page without prompt/max_age, which the fresh login satisfies.
        path = _without(request.get_full_path(), "prompt", "max_age")
        wanted = requirement.level.value if requirement.level else None
        if "login" in prompt or too_old(
            request.session.get(SESSION_AUTH_TIME), request.GET.get("max_age")
        ):
            if "none" in prompt:
                return self._back_with_error(credentials, application, "login_required")
            # The login page lets a logged-in citizen straight through: to authenticate again
            # they must be logged out first.
            account_logout(request=request)
            return HttpResponseRedirect(_login_url(path, wanted))
        if needs_step_up(session_level(request), requirement):
            if "none" in prompt:
                return self._back_with_error(credentials, application, "login_required")
            return HttpResponseRedirect(_login_url(path, wanted))
        if "consent" not in prompt and consent_covers(
            user=request.user, application=application, scopes=scopes
        ):
            return self._issue(scopes, credentials, application)
        if "none" in prompt:
            return self._back_with_error(credentials, application, "consent_required")
        return super().get(request, *args, **kwargs)

    def _issue(
        self, scopes: list[str], credentials: dict[str, Any], application: Any
    ) -> HttpResponse:
        try:
            uri, _headers, _body, _status = self.create_authorization_response(
                request=self.request, scopes=" ".join(scopes), credentials=credentials, allow=True
            )
        except OAuthToolkitError as error:
            return self.error_response(error, application)
        return self.redirect(uri, application)

    def _back_with_error(
        self, credentials: dict[str, Any], application: Any, error: str
    ) -> HttpResponse:
        params = [("error", error)]
        if credentials.get("state"):
            params.append(("state", credentials["state"]))
        uri = add_params_to_uri(credentials["redirect_uri"], params)
        return OAuth2ResponseRedirect(uri, application.get_allowed_schemes())

    def create_authorization_response(
        self, request: HttpRequest, scopes: str, credentials: dict[str, Any], allow: bool
    ) -> Any:
        # The session's level and login time travel with the code to the token endpoint.
        level = session_level(request) if allow else None
        credentials[ACR_ATTR] = level.value if level else None
        credentials[AUTH_TIME_ATTR] = request.session.get(SESSION_AUTH_TIME) or _last_login(
            request.user
        )
        answer = super().create_authorization_response(request, scopes, credentials, allow)
        self.issued_scopes = scopes.split() if scopes else []
        return answer

    def form_valid(self, form: Any) -> HttpResponse:
        self.issued_scopes = None
        response = super().form_valid(form)
        if form.cleaned_data.get("allow") and self.issued_scopes is not None:
            application = get_application_model().objects.get(
                client_id=form.cleaned_data["client_id"]
            )
            consent_record(
                user=self.request.user, application=application, scopes=self.issued_scopes
            )
        return response

    def form_invalid(self, form: Any) -> HttpResponse:
        # The hidden fields came back broken: nothing to send the citizen back to safely.
        return self.render_to_response({"error": form.errors}, status=400)

    def render_to_response(self, context: dict[str, Any], **kwargs: Any) -> HttpResponse:
        if "error" in context:
            context = _error_context(context)
        return super().render_to_response(context, **kwargs)


def _last_login(user: Any) -> int:
    last = getattr(user, "last_login", None)
    return int(last.timestamp()) if last else int(time.time())


class DiscoveryView(ConnectDiscoveryInfoView):
    """django-oauth-toolkit's discovery document, plus what Ventanilla adds: the levels of
    assurance, PKCE S256 only and the prompts honoured."""

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = super().get(request, *args, **kwargs)
        data = json.loads(response.content)
        data.update(
            {
                "acr_values_supported": sorted(lv.value for lv in AVAILABLE),
                "code_challenge_methods_supported": ["S256"],
                "grant_types_supported": ["authorization_code", "refresh_token"],
                "response_modes_supported": ["query"],
                "prompt_values_supported": ["none", "login", "consent"],
                "claims_parameter_supported": False,
                "request_parameter_supported": False,
                "id_token_signing_alg_values_supported": ["RS256"],
            }
        )
        answer = JsonResponse(data)
        answer["Access-Control-Allow-Origin"] = "*"
        answer["Cache-Control"] = "public, max-age=3600"
        return answer


class UserInfoQueryRefusedView(UserInfoView):
    """/userinfo, refusing a token in the query string (RFC 6750 §5.3, RFC 9700 §4.3.2): the
    toolkit's gate covers resource endpoints but not this one."""

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if "access_token" in request.GET:
            response = JsonResponse(
                {"error": "invalid_request", "error_description": "Token in the query string."},
                status=401,
            )
            response["WWW-Authenticate"] = 'Bearer error="invalid_request"'
            return response
        return super().dispatch(request, *args, **kwargs)


@method_decorator(never_cache, name="dispatch")
class LogoutView(RPInitiatedLogoutView):
    """Logout started by a relying party: only to a post_logout_redirect_uri it registered."""

    template_name = "oidc/logout.html"

    def get_request_application(self, id_token: Any, client_id: str | None) -> Any:
        if client_id:
            application = get_application_model().objects.filter(client_id=client_id).first()
            if application is None:
                raise InvalidOIDCClientError()
            return application
        return id_token.application if id_token else None

    def do_logout(
        self,
        application: Any = None,
        post_logout_redirect_uri: str | None = None,
        state: str | None = None,
        token_user: Any = None,
    ) -> HttpResponse:
        # Our logout (session row, audit) first; then the toolkit revokes the user's tokens.
        user = token_user or self.request.user
        if self.request.user.is_authenticated:
            account_logout(request=self.request)
        return super().do_logout(
            application,
            post_logout_redirect_uri,
            state,
            token_user=user if user.is_authenticated else None,
        )

    def render_to_response(self, context: dict[str, Any], **kwargs: Any) -> HttpResponse:
        if "error" in context:
            context = _error_context(context)
        return super().render_to_response(context, **kwargs)
