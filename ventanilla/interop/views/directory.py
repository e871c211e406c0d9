"""GovStack Information Mediator directory (listClients, listMethods, allowedMethods,
getOpenAPI), as the building block's reference clients read it (the notes of
../shared/govstack/information-mediator/fixtures.json):

- answers are `{"member": [...]}` whose items use only the reference clients' keys, with
  `objectType` as `{"object_type": …}`; Content-Type exactly `application/json; charset=utf-8`;
- lenient query strings: the last occurrence wins, a stray `?` separates parameters, quotes
  around names and values are dropped, unknown parameters are ignored, filters that match
  nothing give an empty list (never 400/404);
- the client header is optional and never validated here (a malformed one still gets 200);
- getOpenAPI validates the identifiers and serviceCode (400 with a JSON string body) and
  answers the document as one JSON string.
Directory calls are not written to the message log: they carry no one's data."""

import json
import re
from typing import Any
from urllib.parse import unquote_plus

from django.db.models import Prefetch, QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from ventanilla.interop.models import AccessRight, Member, Service, Subsystem
from ventanilla.interop.openapi import generic_openapi
from ventanilla.interop.selectors import subsystem_by_id

JSON_UTF8 = "application/json; charset=utf-8"
# Accepted spellings of the client header, in the order they are read.
CLIENT_HEADERS = ("X-Road-Client", "X-GovStack-Client", "Information-Mediator-Client")
# The reference mock's validation (fixtures.json mustBeRejected.validationRuleOfReferenceMock).
_NAME = re.compile(r"^[a-zA-Z][a-zA-Z0-9_:.\-]*$")
_CODE = re.compile(r"^[a-zA-Z0-9]+$")
_ID_KEYS = ("instance", "member_class", "member_code", "subsystem")


def _answer(data: Any, status: int = 200) -> HttpResponse:
    body = "" if data is None else json.dumps(data, ensure_ascii=False)
    return HttpResponse(body, status=status, content_type=JSON_UTF8)


def _unquote(value: str) -> str:
    """`"identifier"` → `identifier` (reference clients wrap values in literal quotes)."""
    value = value.strip()
    while len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
        value = value[1:-1].strip()
    return value.strip("\"'")


def query(request: HttpRequest) -> dict[str, str]:
    """Query parameters, the last occurrence winning; a stray `?` inside the query string
    separates parameters too; quotes around names and values dropped."""
    params: dict[str, str] = {}
    raw = request.META.get("QUERY_STRING", "")
    for chunk in raw.replace("?", "&").replace(";", "&").split("&"):
        if not chunk:
            continue
        key, _sep, value = chunk.partition("=")
        try:
            key = _unquote(unquote_plus(key, errors="strict"))
            value = _unquote(unquote_plus(value, errors="strict"))
        except UnicodeDecodeError:
            continue
        if key and "\x00" not in key and "\x00" not in value:
            params[key] = value
    return params


def _ids(ids: dict[str, str]) -> dict[str, str]:
    return {key: _unquote(ids.get(key, "")) for key in _ID_KEYS}


def _client(request: HttpRequest) -> Subsystem | None:
    """The calling subsystem named in a client header, or None (absent, malformed, unknown)."""
    for header in CLIENT_HEADERS:
        value = _unquote(request.headers.get(header, ""))
        if value:
            found = subsystem_by_id(value)
            if found is not None:
                return found
    return None


def _provider(ids: dict[str, str]) -> Subsystem | None:
    return subsystem_by_id("/".join(ids[key] for key in _ID_KEYS))


def _matches(service: Service, params: dict[str, str]) -> bool:
    """The optional serviceId / instanceId filters: the service's code or instance, or one
    of the aliases fixtures.json pairs with it."""
    aliases = service.aliases if isinstance(service.aliases, dict) else {}
    wanted_service = params.get("serviceId")
    if wanted_service is not None and wanted_service not in (
        service.code,
        *aliases.get("serviceId", []),
    ):
        return False
    wanted_instance = params.get("instanceId")
    return wanted_instance is None or wanted_instance in (
        service.subsystem.member.instance,
        *aliases.get("instanceId", []),
    )


def _object_type(kind: str) -> dict[str, str]:
    return {"object_type": kind}


def _service_item(service: Service) -> dict[str, Any]:
    subsystem = service.subsystem
    member = subsystem.member
    endpoints = service.endpoints if isinstance(service.endpoints, list) else []
    return {
        "objectType": _object_type("SERVICE"),
        "serviceType": service.service_type,
        "GovStackInstance": member.instance,
        "memberClass": member.member_class,
        "memberCode": member.member_code,
        "applicationCode": subsystem.code,
        "serviceCode": service.code,
        "serviceVersion": service.version,
        "endpointList": {
            "member": [
                {"method": str(e.get("method", "*")), "path": str(e.get("path", "**"))}
                for e in endpoints
                if isinstance(e, dict)
            ]
        },
    }


def _services(subsystem: Subsystem | None) -> QuerySet[Service]:
    if subsystem is None:
        return Service.objects.none()
    return (
        Service.objects.filter(subsystem=subsystem, enabled=True)
        .select_related("subsystem__member")
        .order_by("code")
    )


def _member_item(member: Member) -> dict[str, Any]:
    return {
        "objectType": _object_type("MEMBER"),
        "GovStackInstance": member.instance,
        "memberClass": member.member_class,
        "memberCode": member.member_code,
    }


def _subsystem_item(subsystem: Subsystem) -> dict[str, Any]:
    return {**_member_item(subsystem.member), "objectType": _object_type("SUBSYSTEM"),
            "applicationCode": subsystem.code}  # fmt: skip


def _client_matches(subsystem: Subsystem, params: dict[str, str]) -> bool:
    services = list(subsystem.services.all())
    if "serviceId" in params:
        return any(_matches(s, params) for s in services)
    if "instanceId" in params:
        return params["instanceId"] == subsystem.member.instance or any(
            _matches(s, params) for s in services
        )
    return True


@never_cache
@require_safe
def list_clients(request: HttpRequest) -> HttpResponse:
    """Members and their subsystems. `instanceId` keeps one instance (or the providers whose
    services carry it as an alias); `serviceId` keeps the providers of that service."""
    params = query(request)
    subsystems = Subsystem.objects.select_related("member").prefetch_related(
        Prefetch(
            "services",
            queryset=Service.objects.filter(enabled=True).select_related("subsystem__member"),
        )
    )
    items: list[dict[str, Any]] = []
    members_done: set[int] = set()
    for subsystem in subsystems:
        if not _client_matches(subsystem, params):
            continue
        if subsystem.member_id not in members_done:
            members_done.add(subsystem.member_id)
            items.append(_member_item(subsystem.member))
        items.append(_subsystem_item(subsystem))
    if "serviceId" not in params:
        # Members without a subsystem yet are clients of the instance too.
        lonely = Member.objects.exclude(pk__in=members_done).filter(subsystems__isnull=True)
        if "instanceId" in params:
            lonely = lonely.filter(instance=params["instanceId"])
        items.extend(_member_item(member) for member in lonely)
    return _answer({"member": items})


@never_cache
@require_safe
def list_methods(request: HttpRequest, **ids: str) -> HttpResponse:
    """The REST services of one provider subsystem and their endpoints."""
    params = query(request)
    services = _services(_provider(_ids(ids)))
    return _answer({"member": [_service_item(s) for s in services if _matches(s, params)]})


@never_cache
@require_safe
def allowed_methods(request: HttpRequest, **ids: str) -> HttpResponse:
    """The services of one provider the calling client (header) has an access right to."""
    params = query(request)
    client = _client(request)
    if client is None:
        return _answer({"member": []})
    allowed = set(
        AccessRight.objects.filter(client=client, service__enabled=True).values_list(
            "service_id", flat=True
        )
    )
    services = _services(_provider(_ids(ids)))
    return _answer(
        {"member": [_service_item(s) for s in services if s.pk in allowed and _matches(s, params)]}
    )


@never_cache
@require_safe
def get_openapi(request: HttpRequest, **ids: str) -> HttpResponse:
    """The OpenAPI document of one service, as a JSON string."""
    clean = _ids(ids)
    code = query(request).get("serviceCode", "")
    if not code:
        return _answer(_("Falta el parámetro serviceCode (el código del servicio)."), 400)
    service = _services(_provider(clean)).filter(code=code).first()
    if service is None:
        valid = (
            _NAME.match(clean["instance"])
            and _NAME.match(clean["member_class"])
            and _CODE.match(clean["member_code"])
            and _CODE.match(clean["subsystem"])
            and _CODE.match(code)
        )
        if not valid:
            return _answer(_("El identificador del proveedor o del servicio no es válido."), 400)
        return _answer(
            _("No existe el servicio %(service)s en el directorio.")
            % {"service": "/".join([*clean.values(), code])},
            400,
        )
    document = service.openapi or generic_openapi(
        title=service.title,
        server_url=f"/r1/{service.subsystem.identifier}/{service.code}",
        endpoints=service.endpoints if isinstance(service.endpoints, list) else [],
    )
    return _answer(document)
