"""Keeps each logged-in browser's row (`UserSession`) honest: a session closed from another
device, or idle too long, is logged out on its next request."""

import time
from collections.abc import Callable
from datetime import timedelta

from django.conf import settings
from django.contrib import auth
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from ventanilla.accounts.assurance import SESSION_LEVEL
from ventanilla.accounts.models import UserSession

# last_seen_at is written at most this often, not on every request.
TOUCH_EVERY = timedelta(minutes=5)
_SEEN_KEY = "_ventanilla_seen"


class SessionTrackingMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        # Only sessions opened by our login carry a level (the test client's force_login does not).
        if user is not None and user.is_authenticated and SESSION_LEVEL in request.session:
            self._check(request)
        return self.get_response(request)

    def _check(self, request: HttpRequest) -> None:
        now = time.time()
        seen = float(request.session.get(_SEEN_KEY, now))
        row = (
            UserSession.objects.filter(session_key=request.session.session_key)
            .only("pk", "last_seen_at")
            .first()
        )
        if row is None or now - seen > settings.LOGIN_IDLE_SECONDS:
            if row is not None:
                row.delete()
            auth.logout(request)
            return
        if now - seen > 60 or _SEEN_KEY not in request.session:
            request.session[_SEEN_KEY] = now  # saves the session: not on every request
        if timezone.now() - row.last_seen_at > TOUCH_EVERY:
            UserSession.objects.filter(pk=row.pk).update(last_seen_at=timezone.now())
