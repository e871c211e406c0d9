"""X-Road-style identifiers: a client (subsystem) `INSTANCE/CLASS/MEMBER/SUBSYSTEM` and a
service `INSTANCE/CLASS/MEMBER/SUBSYSTEM/SERVICE`."""

import re
from dataclasses import dataclass

from .models import IDENTIFIER_PART

_PART = re.compile(IDENTIFIER_PART)


@dataclass(frozen=True)
class ClientId:
    instance: str
    member_class: str
    member_code: str
    subsystem: str

    def __str__(self) -> str:
        return f"{self.instance}/{self.member_class}/{self.member_code}/{self.subsystem}"


@dataclass(frozen=True)
class ServiceId:
    client: ClientId
    service: str

    def __str__(self) -> str:
        return f"{self.client}/{self.service}"


def _parts(value: str, count: int) -> list[str]:
    parts = (value or "").strip().split("/")
    if len(parts) != count or not all(_PART.match(p) for p in parts):
        raise ValueError(f"not an identifier of {count} parts: {value!r}")
    return parts


def parse_client_id(value: str) -> ClientId:
    """`PE/GOB/20295613620/padron` → ClientId. ValueError for anything else."""
    instance, member_class, member_code, subsystem = _parts(value, 4)
    return ClientId(instance, member_class, member_code, subsystem)


def parse_service_id(value: str) -> ServiceId:
    """`PE/GOB/20295613620/padron/personas` → ServiceId. ValueError for anything else."""
    *client, service = _parts(value, 5)
    return ServiceId(ClientId(*client), service)
