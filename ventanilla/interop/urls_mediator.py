"""The mediator's protocol URLs, at the site root: the GovStack directory and X-Road REST
requests under /r1/. Directory names win over a service of the same code, as in X-Road."""

from django.urls import path, re_path

from .views import directory, gateway

_SUBSYSTEM = (
    r"^r1/(?P<instance>[^/]+)/(?P<member_class>[^/]+)/(?P<member_code>[^/]+)/(?P<subsystem>[^/]+)"
)

urlpatterns = [
    path("listClients", directory.list_clients, name="interop-list-clients"),
    path("r1/listClients", directory.list_clients, name="interop-r1-list-clients"),
    re_path(_SUBSYSTEM + r"/listMethods/?$", directory.list_methods, name="interop-list-methods"),
    re_path(
        _SUBSYSTEM + r"/allowedMethods/?$",
        directory.allowed_methods,
        name="interop-allowed-methods",
    ),
    re_path(_SUBSYSTEM + r"/getOpenAPI/?$", directory.get_openapi, name="interop-get-openapi"),
    re_path(_SUBSYSTEM + r"/(?P<service>[^/]+)(?P<path>/.*)?$", gateway.mediate, name="interop-r1"),
]
