"""The provider's addresses. Discovery must sit at the site root (the issuer is the site
itself); the protocol endpoints live under /oidc/. One namespace, `oauth2_provider`, because
django-oauth-toolkit reverses its endpoints by these names to write the discovery document."""

from django.urls import path, re_path
from oauth2_provider import views as dot

from ventanilla.oidc import views

app_name = "oauth2_provider"
urlpatterns = [
    re_path(
        r"^\.well-known/openid-configuration$",
        views.DiscoveryView.as_view(),
        name="oidc-connect-discovery-info",
    ),
    path(".well-known/jwks.json", dot.JwksInfoView.as_view(), name="jwks-info"),
    path(
        ".well-known/oauth-authorization-server",
        dot.OAuthServerMetadataView.as_view(),
        name="oauth-server-metadata",
    ),
    path("oidc/authorize/", views.AuthorizeView.as_view(), name="authorize"),
    path("oidc/token/", dot.TokenView.as_view(), name="token"),
    path("oidc/userinfo/", views.UserInfoQueryRefusedView.as_view(), name="user-info"),
    path("oidc/revoke/", dot.RevokeTokenView.as_view(), name="revoke-token"),
    path("oidc/logout/", views.LogoutView.as_view(), name="rp-initiated-logout"),
]
