"""`/r1/{instance}/{class}/{member}/{subsystem}/{service}[/path]`: the mediator's request entry
point (X-Road REST). Institutions' systems call it, not browsers: no session, no cookies, no
CSRF token; any method. The answer is never cached (Cache-Control: no-store): it may carry a
person's data. Parse, call `exchange`, answer."""

from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt

from ventanilla.interop.services.gateway import MAX_REQUEST_BYTES, exchange
from ventanilla.interop.services.keys import client_key_authenticate, parse_authorization

# Accepted spellings of the client header, in the order they are read.
CLIENT_HEADERS = ("X-Road-Client", "X-GovStack-Client", "Information-Mediator-Client")


def _client(request: HttpRequest) -> str:
    for header in CLIENT_HEADERS:
        value = request.headers.get(header, "").strip()
        if value:
            return value
    return ""


def _body(request: HttpRequest) -> bytes:
    """The body, read no further than one byte past the limit (exchange refuses it then)."""
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        declared = 0
    if declared > MAX_REQUEST_BYTES:
        return b"\0" * (MAX_REQUEST_BYTES + 1)  # refused unread; its hash is of this stand-in
    return request.read(MAX_REQUEST_BYTES + 1)


@csrf_exempt
def mediate(
    request: HttpRequest,
    *,
    instance: str,
    member_class: str,
    member_code: str,
    subsystem: str,
    service: str,
    path: str | None = None,
) -> HttpResponse:
    raw_key = parse_authorization(request.headers.get("Authorization", ""))
    result = exchange(
        client=_client(request),
        authenticated=client_key_authenticate(raw_key) if raw_key else None,
        service="/".join((instance, member_class, member_code, subsystem, service)),
        method=request.method or "GET",
        path=path or "",
        query=request.META.get("QUERY_STRING", ""),
        body=_body(request),
        content_type=request.headers.get("Content-Type", ""),
        user_id=request.headers.get("X-Road-UserId", ""),
        subject=request.headers.get("X-Ventanilla-Subject", ""),
        issue=request.headers.get("X-Road-Issue", ""),
        x_road_id=request.headers.get("X-Road-Id", ""),
    )
    response = HttpResponse(result.body, status=result.status)
    if "Content-Type" not in {k.title() for k in result.headers}:
        del response["Content-Type"]
    for name, value in result.headers.items():
        response[name] = value
    response["Cache-Control"] = "no-store"
    return response
