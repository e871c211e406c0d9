"""A file to send or deposit with a notification, before it is stored."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Attachment:
    name: str
    content: bytes
    content_type: str = "application/pdf"

    @property
    def size(self) -> int:
        return len(self.content)
