"""Reading back what the fake SMS gateway stored (the demo's mailbox page), newest first, a page
at a time without reading the whole file. Standard library only."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..fakes import count_lines, jsonl_page

MESSAGES = "messages.jsonl"
_GSM = set(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    "ÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà^{}\\[~]|€"
)


def sms_parts(text: str) -> int:
    """How many SMS the text takes (GSM-7: 160, or 153 a part; otherwise UCS-2: 70 / 67)."""
    if all(c in _GSM for c in text):
        length = len(text) + sum(1 for c in text if c in "^{}\\[~]|€")
        single, part = 160, 153
    else:
        length, single, part = len(text), 70, 67
    if length <= single:
        return 1
    return -(-length // part)


def read_messages(store: Path, *, offset: int = 0, limit: int = 50) -> list[dict[str, Any]]:
    """Up to `limit` messages the gateway took or refused, newest first, skipping `offset`."""
    return jsonl_page(store / MESSAGES, offset=offset, limit=limit)


def messages_count(store: Path) -> int:
    return count_lines(store / MESSAGES)
