"""SMS out through a gateway speaking Infobip's SMS API v2 (the subset we use): many messages in
one request, each with our own messageId so the gateway's delivery reports (POSTed to
notifyUrl) can be matched to it, and so a repeated request is not delivered twice.

    client = SmsClient(base_url="http://127.0.0.1:8922", api_key="…")
    results = client.send_many([OutgoingSms(message_id=str(uuid), to="+51987654321",
                                            text="…", sender="GOBPE")], notify_url="https://…")

Each SmsResult says whether the gateway took that message (accepted) or refused it (a
permanent refusal: reason). SmsTemporaryError (connection, timeout, HTTP 5xx or 429, a key the
gateway refuses, an answer we cannot read) means nothing is known to have been taken: send the
same messages again later. Reasons are Spanish, for the back office.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import urllib3
from django.utils.translation import gettext as _

PATH = "/sms/2/text/advanced"
REJECTED = 5  # Infobip's status group of a refused destination


@dataclass
class OutgoingSms:
    message_id: str
    to: str  # E.164 "+519…"
    text: str
    sender: str


@dataclass
class SmsResult:
    message_id: str
    accepted: bool
    reason: str = ""  # why it was refused (permanent)


class SmsTemporaryError(Exception):
    """Nothing known to be taken: try the same messages later."""

    def __init__(self, reason: str, *, status: int = 0) -> None:
        super().__init__(reason)
        self.reason = reason
        self.status = status


class SmsClient:
    """A kept-alive connection pool to one gateway."""

    def __init__(self, *, base_url: str, api_key: str, timeout: float = 10.0) -> None:
        self.base_url = base_url.rstrip("/")
        self._headers = {
            "Authorization": f"App {api_key}",
            "Content-Type": "application/json",
            "Accept": "application/json",
        }
        self._pool = urllib3.PoolManager(
            num_pools=1,
            maxsize=1,
            timeout=urllib3.Timeout(connect=timeout, read=timeout),
            retries=False,
        )

    def send_many(self, messages: list[OutgoingSms], *, notify_url: str) -> list[SmsResult]:
        """One request for all of them; the results in the same order."""
        if not messages:
            return []
        payload = {
            "messages": [
                {
                    "destinations": [{"to": m.to.lstrip("+"), "messageId": m.message_id}],
                    "from": m.sender,
                    "text": m.text,
                    "notifyUrl": notify_url,
                    "notifyContentType": "application/json",
                }
                for m in messages
            ]
        }
        body = self._post(json.dumps(payload, ensure_ascii=False).encode("utf-8"))
        answered: dict[str, dict[str, Any]] = {}
        for item in body.get("messages") or []:
            if isinstance(item, dict) and item.get("messageId"):
                answered[str(item["messageId"])] = item
        results = []
        for message in messages:
            item = answered.get(message.message_id)
            if item is None:
                raise SmsTemporaryError(
                    _("La pasarela de SMS no respondió por el mensaje %(id)s.")
                    % {"id": message.message_id}
                )
            status = item.get("status") or {}
            if status.get("groupId") == REJECTED:
                reason = _("La pasarela de SMS rechazó el número: %(why)s") % {
                    "why": status.get("description") or status.get("name") or "REJECTED"
                }
                results.append(SmsResult(message.message_id, accepted=False, reason=reason))
            else:
                results.append(SmsResult(message.message_id, accepted=True))
        return results

    def close(self) -> None:
        self._pool.clear()

    def _post(self, body: bytes) -> dict[str, Any]:
        try:
            response = self._pool.request(
                "POST", self.base_url + PATH, body=body, headers=self._headers
            )
        except urllib3.exceptions.HTTPError as error:
            raise SmsTemporaryError(
                _("No se pudo conectar con la pasarela de SMS: %(error)s")
                % {"error": type(error).__name__}
            ) from None
        status = response.status
        if status == 429:
            raise SmsTemporaryError(
                _("La pasarela de SMS pide esperar (demasiados mensajes por segundo)."),
                status=status,
            )
        if status in (401, 403):
            # Our key is wrong: fixable by us, so the messages wait instead of failing.
            raise SmsTemporaryError(
                _("La pasarela de SMS rechazó la clave de acceso (HTTP %(status)s).")
                % {"status": status},
                status=status,
            )
        if status != 200:
            raise SmsTemporaryError(
                _("La pasarela de SMS respondió HTTP %(status)s: %(detail)s")
                % {"status": status, "detail": _service_text(response.data)},
                status=status,
            )
        try:
            answer = json.loads(response.data)
        except ValueError:
            answer = None
        if not isinstance(answer, dict):
            raise SmsTemporaryError(_("La respuesta de la pasarela de SMS no se puede leer."))
        return answer


def _service_text(data: bytes) -> str:
    """Infobip's {"requestError": {"serviceException": {"text": …}}}, or the body's start."""
    try:
        answer = json.loads(data)
        return str(answer["requestError"]["serviceException"]["text"])
    except (ValueError, KeyError, TypeError):
        return data[:200].decode("utf-8", "replace")
