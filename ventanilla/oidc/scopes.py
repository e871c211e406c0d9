"""Which scopes an application may ask for: the platform's four, cut to what a platform
administrator allowed that client (ClientPolicy). A client without a policy gets `openid`."""

from typing import Any

from oauth2_provider.scopes import SettingsScopes

from ventanilla.oidc.models import ClientPolicy


class ClientScopes(SettingsScopes):
    def get_available_scopes(
        self, application: Any = None, request: Any = None, *args: Any, **kwargs: Any
    ) -> list[str]:
        every = list(super().get_available_scopes(application, request))
        if application is None:  # discovery lists them all
            return every
        policy = ClientPolicy.objects.filter(application=application).first()
        allowed = set(policy.scopes) if policy else {"openid"}
        return [s for s in every if s in allowed]

    def get_default_scopes(
        self, application: Any = None, request: Any = None, *args: Any, **kwargs: Any
    ) -> list[str]:
        return ["openid"]
