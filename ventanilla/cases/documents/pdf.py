"""The PDFs of a case, drawn with ReportLab (pure Python, no system libraries): the document
issued on approval and the citizen's submission receipt (constancia).

Both carry the Peruvian State's layout: the red "PERÚ" block, the institution's name beside it
on dark grey, "República del Perú" under them, and a red rule. Text uses Helvetica, whose
WinAnsi encoding covers Spanish (ñ, á, ¿, ¡, ü); any other character is reduced to its base
letter (see `_latin`) rather than printed as a blank box. Output is byte-for-byte reproducible
for the same input (ReportLab's invariant mode), so a document's SHA-256 depends only on what
it says."""

import io
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from html import escape
from typing import Any

import qrcode
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

RED = colors.HexColor("#C8102E")
DARK = colors.HexColor("#2F2F2F")
GREY = colors.HexColor("#5F6368")
LINE = colors.HexColor("#D0D3D6")
PALE = colors.HexColor("#F4F5F6")

FONT = "Helvetica"
BOLD = "Helvetica-Bold"
MARGIN = 18 * mm
HEADER_HEIGHT = 30 * mm


def _latin(text: str) -> str:
    """Text the built-in fonts can print: characters outside Windows-1252 lose their accents
    (ř → r) or become "?"."""
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
    """User text as Paragraph markup: escaped, printable, line breaks kept."""
    return escape(_latin(text)).replace("\n", "<br/>")


STYLES = {
    "title": ParagraphStyle(
        "title", fontName=BOLD, fontSize=17, leading=21, alignment=TA_CENTER, spaceAfter=4 * mm
    ),
    "subtitle": ParagraphStyle(
        "subtitle", fontName=FONT, fontSize=9, leading=12, alignment=TA_CENTER, textColor=GREY
    ),
    "body": ParagraphStyle(
        "body", fontName=FONT, fontSize=11, leading=16, alignment=TA_JUSTIFY, spaceAfter=3 * mm
    ),
    "h2": ParagraphStyle(
        "h2", fontName=BOLD, fontSize=12, leading=15, spaceBefore=5 * mm, spaceAfter=2 * mm
    ),
    "h3": ParagraphStyle(
        "h3", fontName=BOLD, fontSize=10, leading=13, spaceBefore=3 * mm, spaceAfter=1 * mm
    ),
    "label": ParagraphStyle("label", fontName=BOLD, fontSize=9, leading=12, textColor=DARK),
    "value": ParagraphStyle("value", fontName=FONT, fontSize=9.5, leading=12.5),
    "small": ParagraphStyle("small", fontName=FONT, fontSize=8.5, leading=11, textColor=GREY),
    "code": ParagraphStyle("code", fontName="Courier-Bold", fontSize=13, leading=17),
    "reference": ParagraphStyle(
        "reference", fontName=BOLD, fontSize=15, leading=19, alignment=TA_CENTER, textColor=RED
    ),
}


@dataclass
class Layout:
    """What every page shows around the content."""

    institution: str
    footer: str
    title: str = ""
    language: str = "es-PE"


class QrCode(Flowable):
    """A QR code drawn as vector squares (crisp at any zoom or print size)."""

    def __init__(self, data: str, size: float = 32 * mm) -> None:
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
        modules = len(self.matrix)
        cell = self.size / modules
        canvas = self.canv
        canvas.setFillColor(colors.black)
        for row_number, row in enumerate(self.matrix):
            y = self.size - (row_number + 1) * cell
            for column, dark in enumerate(row):
                if dark:
                    canvas.rect(column * cell, y, cell, cell, stroke=0, fill=1)


def qr_matrix(data: str) -> list[list[bool]]:
    """The modules of the QR code printed for `data` (what a phone reads)."""
    return QrCode(data).matrix


def _header_and_footer(layout: Layout) -> Any:
    def draw(canvas: Canvas, doc: Any) -> None:
        width, height = A4
        top = height - 12 * mm
        band = 14 * mm
        canvas.saveState()
        # The State's mark: PERÚ in white on red, then the institution on dark grey.
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
        lines = simpleSplit(_latin(layout.institution), BOLD, size, name_width - 8 * mm)
        if len(lines) > 2:
            size = 8.0
            lines = simpleSplit(_latin(layout.institution), BOLD, size, name_width - 8 * mm)[:2]
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
        # Footer: what this is, and the page.
        canvas.setStrokeColor(LINE)
        canvas.setLineWidth(0.5)
        canvas.line(MARGIN, 16 * mm, width - MARGIN, 16 * mm)
        canvas.setFillColor(GREY)
        canvas.setFont(FONT, 7.5)
        for number, line in enumerate(
            simpleSplit(_latin(layout.footer), FONT, 7.5, width - 60 * mm)[:2]
        ):
            canvas.drawString(MARGIN, 12 * mm - number * 9, line)
        canvas.drawRightString(width - MARGIN, 12 * mm, f"Página {doc.page}")
        canvas.restoreState()

    return draw


def _build(layout: Layout, story: list[Flowable]) -> bytes:
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=12 * mm + HEADER_HEIGHT,
        bottomMargin=22 * mm,
        title=_latin(layout.title),
        author=_latin(layout.institution),
        creator="Ventanilla",
        producer="Ventanilla",
        lang=layout.language,
        invariant=True,
    )
    on_page = _header_and_footer(layout)
    doc.build(story, onFirstPage=on_page, onLaterPages=on_page)
    return buffer.getvalue()


def details_table(rows: Sequence[tuple[str, str]], *, label_width: float = 48 * mm) -> Table:
    """Label | value rows, values wrapping."""
    data = [
        [Paragraph(_p(label), STYLES["label"]), Paragraph(_p(value), STYLES["value"])]
        for label, value in rows
    ]
    table = Table(data, colWidths=[label_width, A4[0] - 2 * MARGIN - label_width], hAlign="LEFT")
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


@dataclass
class IssuedDocumentContent:
    """Everything printed on an issued document, already as text."""

    institution: str
    title: str
    body: str
    details: list[tuple[str, str]]
    code: str
    verify_url: str
    verify_lines: list[str] = field(default_factory=list)
    footer: str = ""


def issued_document_pdf(content: IssuedDocumentContent) -> bytes:
    layout = Layout(institution=content.institution, footer=content.footer, title=content.title)
    story: list[Flowable] = [
        Spacer(1, 4 * mm),
        Paragraph(_p(content.title), STYLES["title"]),
    ]
    for paragraph in [p.strip() for p in content.body.split("\n\n") if p.strip()]:
        story.append(Paragraph(_p(paragraph), STYLES["body"]))
    story += [Spacer(1, 3 * mm), details_table(content.details), Spacer(1, 8 * mm)]
    qr_size = 32 * mm
    # The first line labels the code, the others say where to check it.
    lines = [Paragraph(_p(line), STYLES["small"]) for line in content.verify_lines]
    text_cells: list[Flowable] = [*lines[:1], Paragraph(_p(content.code), STYLES["code"])]
    text_cells += lines[1:]
    box = Table(
        [[QrCode(content.verify_url, qr_size), text_cells]],
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
    return _build(layout, story)


@dataclass
class ReceiptContent:
    """Everything printed on a submission receipt, already as text."""

    institution: str
    title: str
    reference_label: str
    reference: str
    lead: str
    details: list[tuple[str, str]]
    answers_heading: str
    # [(page title, [(question label, answer text)])]
    sections: list[tuple[str, list[tuple[str, str]]]]
    footer: str = ""


def receipt_pdf_render(content: ReceiptContent) -> bytes:
    layout = Layout(institution=content.institution, footer=content.footer, title=content.title)
    story: list[Flowable] = [
        Spacer(1, 4 * mm),
        Paragraph(_p(content.title), STYLES["title"]),
        Paragraph(_p(content.reference_label), STYLES["subtitle"]),
        Paragraph(_p(content.reference), STYLES["reference"]),
        Spacer(1, 4 * mm),
        Paragraph(_p(content.lead), STYLES["body"]),
        details_table(content.details),
    ]
    if content.sections:
        story.append(Paragraph(_p(content.answers_heading), STYLES["h2"]))
    for heading, rows in content.sections:
        if heading:
            story.append(Paragraph(_p(heading), STYLES["h3"]))
        story.append(details_table(rows, label_width=70 * mm))
    return _build(layout, story)
