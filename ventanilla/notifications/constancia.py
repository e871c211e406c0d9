"""The constancia of a casilla notification as PDF (ReportLab, the house layout of
cases/documents/pdf.py: the red «PERÚ» block, the institution on dark grey, a red rule).

It proves the deposit and the first opening: who received it, from which institution, the
subject and reference, both times to the second (Lima), the SHA-256 of the content and of each
attachment, and the code (with a QR code of /constancias/<code>/) with which anyone checks
those facts. Helvetica's WinAnsi covers Spanish; other characters lose their accents."""

import io
import unicodedata
from datetime import datetime
from html import escape
from typing import Any
from zoneinfo import ZoneInfo

import qrcode
from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from qrcode.constants import ERROR_CORRECT_M
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_JUSTIFY
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.lib.utils import simpleSplit
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    Flowable,
    KeepTogether,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from ventanilla.notifications.models import InboxItem
from ventanilla.notifications.services.inbox import inbox_code_display

LIMA = ZoneInfo("America/Lima")
RED = colors.HexColor("#C8102E")
DARK = colors.HexColor("#2F2F2F")
GREY = colors.HexColor("#5F6368")
LINE = colors.HexColor("#D0D3D6")
PALE = colors.HexColor("#F4F5F6")
FONT = "Helvetica"
BOLD = "Helvetica-Bold"
MARGIN = 18 * mm
HEADER_HEIGHT = 30 * mm
LABEL_WIDTH = 48 * mm

STYLES = {
    "title": ParagraphStyle(
        "title", fontName=BOLD, fontSize=17, leading=21, alignment=TA_CENTER, spaceAfter=2 * mm
    ),
    "subtitle": ParagraphStyle(
        "subtitle", fontName=FONT, fontSize=9, leading=12, alignment=TA_CENTER, textColor=GREY
    ),
    "body": ParagraphStyle(
        "body", fontName=FONT, fontSize=10.5, leading=15, alignment=TA_JUSTIFY, spaceAfter=3 * mm
    ),
    "label": ParagraphStyle("label", fontName=BOLD, fontSize=9, leading=12, textColor=DARK),
    "value": ParagraphStyle("value", fontName=FONT, fontSize=9.5, leading=12.5),
    "hash": ParagraphStyle("hash", fontName="Courier", fontSize=7.6, leading=10),
    "small": ParagraphStyle("small", fontName=FONT, fontSize=8.5, leading=11, textColor=GREY),
    "code": ParagraphStyle("code", fontName="Courier-Bold", fontSize=13, leading=17),
}


def _latin(text: str) -> str:
    """Text the built-in fonts print: outside Windows-1252, accents dropped (or "?")."""
    out: list[str] = []
    for char in str(text):
        try:
            char.encode("cp1252")
            out.append(char)
        except UnicodeEncodeError:
            base = unicodedata.normalize("NFKD", char).encode("cp1252", "ignore").decode("cp1252")
            out.append("".join(c for c in base if not unicodedata.combining(c)) or "?")
    return "".join(out)


def _p(text: str) -> str:
    return escape(_latin(text)).replace("\n", "<br/>")


def moment_text(moment: datetime) -> str:
    """«27/03/2026 a las 14:05:09 (hora de Lima)»: the second counts for a legal time."""
    local = timezone.localtime(moment, LIMA)
    return _("%(date)s a las %(time)s (hora de Lima)") % {
        "date": local.strftime("%d/%m/%Y"),
        "time": local.strftime("%H:%M:%S"),
    }


def constancia_path(code: str) -> str:
    return reverse("notifications_inbox:check", args=[inbox_code_display(code)])


def constancia_url(code: str) -> str:
    """The absolute address printed and encoded in the QR code (settings.PUBLIC_BASE_URL)."""
    return f"{settings.PUBLIC_BASE_URL}{constancia_path(code)}"


class _QrCode(Flowable):
    """A QR code drawn as vector squares (crisp at any zoom or print size)."""

    def __init__(self, data: str, size: float = 30 * mm) -> None:
        super().__init__()
        qr = qrcode.QRCode(error_correction=ERROR_CORRECT_M, border=0)
        qr.add_data(data)
        qr.make(fit=True)
        self.matrix: list[list[bool]] = qr.get_matrix()
        self.size = size
        self.width = self.height = size

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        return self.size, self.size

    def draw(self) -> None:
        cell = self.size / len(self.matrix)
        self.canv.setFillColor(colors.black)
        for row_number, row in enumerate(self.matrix):
            y = self.size - (row_number + 1) * cell
            for column, dark in enumerate(row):
                if dark:
                    self.canv.rect(column * cell, y, cell, cell, stroke=0, fill=1)


def _page_frame(institution: str, footer: str) -> Any:
    def draw(canvas: Canvas, doc: Any) -> None:
        width, height = A4
        top = height - 12 * mm
        band = 14 * mm
        canvas.saveState()
        canvas.setFillColor(RED)
        canvas.rect(MARGIN, top - band, 30 * mm, band, stroke=0, fill=1)
        canvas.setFillColor(colors.white)
        canvas.setFont(BOLD, 15)
        canvas.drawCentredString(MARGIN + 15 * mm, top - band + 4.6 * mm, "PERÚ")
        name_x = MARGIN + 30 * mm
        name_width = width - MARGIN - name_x
        canvas.setFillColor(DARK)
        canvas.rect(name_x, top - band, name_width, band, stroke=0, fill=1)
        canvas.setFillColor(colors.white)
        size = 10.0
        lines = simpleSplit(_latin(institution), BOLD, size, name_width - 8 * mm)
        if len(lines) > 2:
            size = 8.0
            lines = simpleSplit(_latin(institution), BOLD, size, name_width - 8 * mm)[:2]
        canvas.setFont(BOLD, size)
        first_y = top - band / 2 + (len(lines) - 1) * size * 0.55 - size * 0.35
        for number, line in enumerate(lines):
            canvas.drawString(name_x + 4 * mm, first_y - number * size * 1.1, line)
        canvas.setFillColor(GREY)
        canvas.setFont(FONT, 8.5)
        canvas.drawString(MARGIN, top - band - 4.5 * mm, "República del Perú")
        canvas.setStrokeColor(RED)
        canvas.setLineWidth(1.2)
        canvas.line(MARGIN, top - band - 7 * mm, width - MARGIN, top - band - 7 * mm)
        canvas.setStrokeColor(LINE)
        canvas.setLineWidth(0.5)
        canvas.line(MARGIN, 16 * mm, width - MARGIN, 16 * mm)
        canvas.setFillColor(GREY)
        canvas.setFont(FONT, 7.5)
        for number, line in enumerate(simpleSplit(_latin(footer), FONT, 7.5, width - 60 * mm)[:2]):
            canvas.drawString(MARGIN, 12 * mm - number * 9, line)
        canvas.drawRightString(width - MARGIN, 12 * mm, f"Página {doc.page}")
        canvas.restoreState()

    return draw


def _table(rows: list[tuple[str, list[Flowable]]]) -> Table:
    data = [[Paragraph(_p(label), STYLES["label"]), cells] for label, cells in rows]
    table = Table(data, colWidths=[LABEL_WIDTH, A4[0] - 2 * MARGIN - LABEL_WIDTH], hAlign="LEFT")
    table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LINEBELOW", (0, 0), (-1, -1), 0.4, LINE),
                ("TOPPADDING", (0, 0), (-1, -1), 4),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
                ("LEFTPADDING", (0, 0), (-1, -1), 3),
            ]
        )
    )
    return table


def _value(text: str) -> list[Flowable]:
    return [Paragraph(_p(text), STYLES["value"])]


def _hash(text: str) -> Paragraph:
    return Paragraph(_p(text), STYLES["hash"])


def inbox_constancia_pdf(*, item: InboxItem) -> bytes:
    """The constancia of `item` as PDF bytes (Spanish, whatever the reader's language). The
    caller decides who may have it: the recipient, or officials who read the item."""
    with translation.override("es"):
        return _render(item)


def _render(item: InboxItem) -> bytes:
    code = inbox_code_display(item.code)
    url = constancia_url(item.code)
    opened = (
        moment_text(item.first_opened_at)
        if item.first_opened_at is not None
        else _("Aún no abierta por la persona destinataria.")
    )
    rows: list[tuple[str, list[Flowable]]] = [
        (_("Entidad que notifica"), _value(item.institution.name)),
        (_("Persona destinataria"), _value(item.recipient_name)),
        (_("Documento de identidad"), _value(item.recipient_document)),
        (_("Asunto"), _value(item.subject)),
        (_("Expediente o referencia"), _value(item.reference or "—")),
        (_("Depositada en la casilla"), _value(moment_text(item.deposited_at))),
        (_("Abierta por primera vez"), _value(opened)),
    ]
    if item.corrects is not None:
        rows.append(
            (
                _("Corrige la notificación"),
                _value(
                    _("depositada el %(when)s, código %(code)s")
                    % {
                        "when": moment_text(item.corrects.deposited_at),
                        "code": inbox_code_display(item.corrects.code),
                    }
                ),
            )
        )
    for number, attachment in enumerate(item.attachments.all(), start=1):
        rows.append(
            (
                _("Adjunto %(n)s") % {"n": number},
                [
                    Paragraph(
                        _p(f"{attachment.name} ({filesizeformat(attachment.size)})"),
                        STYLES["value"],
                    ),
                    _hash(f"SHA-256: {attachment.sha256}"),
                ],
            )
        )
    rows += [
        (_("Huella digital del contenido (SHA-256)"), [_hash(item.content_sha256)]),
        (_("Constancia emitida el"), _value(moment_text(timezone.now()))),
    ]
    title = _("Constancia de notificación electrónica")
    story: list[Flowable] = [
        Spacer(1, 4 * mm),
        Paragraph(_p(title), STYLES["title"]),
        Paragraph(_p(_("Casilla electrónica · Ventanilla")), STYLES["subtitle"]),
        Spacer(1, 5 * mm),
        Paragraph(
            _p(
                _(
                    "La entidad depositó una notificación en la casilla electrónica de la "
                    "persona destinataria. Esta constancia acredita la fecha y hora del "
                    "depósito y de la primera apertura por la persona destinataria, y la huella "
                    "digital de lo notificado: cualquier cambio en el texto o en los adjuntos "
                    "daría otra huella."
                )
            ),
            STYLES["body"],
        ),
        _table(rows),
        Spacer(1, 8 * mm),
    ]
    qr_size = 30 * mm
    text_cells: list[Flowable] = [
        Paragraph(_p(_("Código de la constancia")), STYLES["small"]),
        Paragraph(_p(code), STYLES["code"]),
        Paragraph(
            _p(_("Comprueba las fechas y la huella digital en %(url)s") % {"url": url}),
            STYLES["small"],
        ),
    ]
    box = Table(
        [[_QrCode(url, qr_size), text_cells]],
        colWidths=[qr_size + 6 * mm, A4[0] - 2 * MARGIN - qr_size - 6 * mm],
        hAlign="LEFT",
    )
    box.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("BACKGROUND", (0, 0), (-1, -1), PALE),
                ("BOX", (0, 0), (-1, -1), 0.6, LINE),
                ("TOPPADDING", (0, 0), (-1, -1), 3 * mm),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 3 * mm),
                ("LEFTPADDING", (0, 0), (-1, -1), 3 * mm),
            ]
        )
    )
    story.append(KeepTogether([box]))
    footer = _(
        "Marco normativo: TUO de la Ley N.° 27444, artículo 20, y Decreto Supremo "
        "N.° 029-2021-PCM. Constancia generada por Ventanilla, casilla electrónica del Estado."
    )
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=12 * mm + HEADER_HEIGHT,
        bottomMargin=22 * mm,
        title=_latin(title),
        author=_latin(item.institution.name),
        creator="Ventanilla",
        producer="Ventanilla",
        lang="es-PE",
        invariant=True,
    )
    frame = _page_frame(item.institution.name, footer)
    doc.build(story, onFirstPage=frame, onLaterPages=frame)
    return buffer.getvalue()
