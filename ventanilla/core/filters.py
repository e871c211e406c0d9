"""Parsing of list filters from query strings: unknown values are reported, never raised."""

from dataclasses import dataclass, field


@dataclass
class FilterProblems:
    """What was wrong with the filters a visitor sent, as Spanish messages for the page."""

    messages: list[str] = field(default_factory=list)

    def add(self, message: str) -> None:
        self.messages.append(message)

    def __bool__(self) -> bool:
        return bool(self.messages)


def first(params: object, name: str, max_length: int = 120) -> str:
    """One query-string value, stripped and cut to a sane length ('' when absent)."""
    getter = getattr(params, "get", None)
    value = getter(name, "") if getter else ""
    # NUL cannot be stored or compared by PostgreSQL; nobody types it.
    return str(value or "").replace("\x00", "").strip()[:max_length]
