"""Reading back what the fake relay stored (the demo's mailbox page): the index newest first,
a page at a time without reading the whole file, and one message's text, HTML and attachments.
Standard library only."""

from __future__ import annotations

import json
from email import message_from_bytes
from email.header import decode_header, make_header
from email.message import Message
from pathlib import Path
from typing import Any

from ..fakes import count_lines, jsonl_page, lines_newest_first

INDEX = "index.jsonl"
MESSAGES = "messages"


def read_index(store: Path, *, offset: int = 0, limit: int = 50) -> list[dict[str, Any]]:
    """Up to `limit` records of the relay's index, newest first, skipping `offset`."""
    return jsonl_page(store / INDEX, offset=offset, limit=limit)


def index_count(store: Path) -> int:
    return count_lines(store / INDEX)


def find_record(store: Path, seq: int) -> dict[str, Any] | None:
    """The index record of message number `seq` (the newest ones are found fastest; a line is
    parsed only when it starts as that record does)."""
    start = f'{{"seq": {seq},'.encode()
    for line in lines_newest_first(store / INDEX):
        if not line.startswith(start):
            continue
        try:
            record = json.loads(line)
        except ValueError:
            continue
        if isinstance(record, dict) and record.get("seq") == seq:
            return record
    return None


def read_raw(store: Path, record: dict[str, Any]) -> bytes | None:
    name = str(record.get("file") or "")
    if not name.startswith(f"{MESSAGES}/") or ".." in name:
        return None
    try:
        return (store / name).read_bytes()
    except OSError:
        return None


def header(message: Message, name: str) -> str:
    """A header's text, RFC 2047 words decoded ("" when absent or unreadable)."""
    value = message.get(name)
    if value is None:
        return ""
    try:
        return str(make_header(decode_header(str(value))))
    except (ValueError, LookupError, UnicodeError):
        return str(value)


def message_content(raw: bytes) -> dict[str, Any]:
    """{"text", "html", "attachments": [{"name", "content_type", "size"}]} of a MIME message
    (the email package's compat32 API: several times faster than the default policy)."""
    message = message_from_bytes(raw)
    text = html = ""
    attachments = []
    for part in message.walk():
        if part.is_multipart():
            continue
        payload = part.get_payload(decode=True)
        data = payload if isinstance(payload, bytes) else b""
        kind = part.get_content_type()
        if part.get_content_disposition() == "attachment" or part.get_filename():
            attachments.append(
                {"name": part.get_filename() or "", "content_type": kind, "size": len(data)}
            )
        elif kind == "text/plain" and not text:
            text = data.decode(part.get_content_charset() or "utf-8", "replace")
        elif kind == "text/html" and not html:
            html = data.decode(part.get_content_charset() or "utf-8", "replace")
    return {"text": text, "html": html, "attachments": attachments}
