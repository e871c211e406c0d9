"""Who is asking: the client's address as the proxies in front of us saw it."""

from django.conf import settings
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str | None:
    """The caller's IP address. Behind VENTANILLA_TRUSTED_PROXIES proxies (nginx, a load
    balancer) it is read from X-Forwarded-For, counting from the right, so a client cannot
    choose it by sending the header itself."""
    proxies = settings.TRUSTED_PROXY_COUNT
    if proxies:
        hops = [h.strip() for h in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        hops = [h for h in hops if h]
        if len(hops) >= proxies:
            return hops[-proxies][:45]
    return (request.META.get("REMOTE_ADDR") or None) and request.META["REMOTE_ADDR"][:45]
