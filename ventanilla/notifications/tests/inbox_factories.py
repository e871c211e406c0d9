"""Casilla test data: a citizen's item deposited through the service (never built by hand, so
its hash and code are real), and the text of a PDF as pypdfium2 reads it."""

from typing import Any

import pypdfium2

from ventanilla.accounts.tests.factories import CitizenFactory
from ventanilla.institutions.tests.factories import InstitutionFactory
from ventanilla.notifications.attachments import Attachment
from ventanilla.notifications.models import InboxItem
from ventanilla.notifications.services.inbox import inbox_deposit

PDF_BYTES = b"%PDF-1.4\n% una resolucion de prueba\n"


def item_deposited(**overrides: Any) -> InboxItem:
    values: dict[str, Any] = {
        "recipient": overrides.pop("recipient", None) or CitizenFactory(),
        "institution": overrides.pop("institution", None) or InstitutionFactory(),
        "subject": "Resolución de tu solicitud",
        "body": "Se aprobó tu solicitud.\n\nPuedes descargar la resolución adjunta.",
        "reference": "EXP-2026-000123",
        "kind": "case.decided",
    }
    values.update(overrides)
    return inbox_deposit(**values)


def resolution(name: str = "resolucion.pdf") -> Attachment:
    return Attachment(name=name, content=PDF_BYTES, content_type="application/pdf")


def pdf_text(content: bytes) -> str:
    document = pypdfium2.PdfDocument(content)
    try:
        return "\n".join(page.get_textpage().get_text_range() for page in document)
    finally:
        document.close()
