"""Templates' text: ((placeholders)), their checks, e-mail HTML and SMS length.

A placeholder is `((name))`; names are matched without regard to case, accents or spaces at
the ends, so `((Nombre))` and `((nombre ))` both take `nombre`. A missing value is an error
(`MissingPlaceholders`), never a blank. E-mail bodies take a little formatting, as GOV.UK
Notify's do: a line starting with `# ` is a heading, lines starting with `* ` or `- ` a list,
`^ ` an inset paragraph, a blank line ends a paragraph, and addresses become links.
"""

import html
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

PLACEHOLDER = re.compile(r"\(\(([^()]*)\)\)")
NAME = re.compile(r"^[\w][\w .\-]*$")
SMS_MAX_CHARACTERS = 918  # 6 concatenated GSM-7 parts, GOV.UK Notify's limit
SUBJECT_MAX_CHARACTERS = 300

# GSM 03.38 default alphabet and its extension table (each extension character costs two).
GSM7_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM7_EXTENDED = frozenset("^{}\\[~]|€\f")
# Spanish letters outside GSM-7: sent without the accent, so an SMS stays at 160 a part and
# is not sent as UCS-2 (70 a part). ñ, é, ü, ¿ and ¡ are in GSM-7 and kept.
SMS_DOWNGRADE = str.maketrans(
    {
        "á": "a",
        "í": "i",
        "ó": "o",
        "ú": "u",
        "Á": "A",
        "Í": "I",
        "Ó": "O",
        "Ú": "U",
        "È": "E",
        "Ì": "I",
        "Ò": "O",
        "Ù": "U",
        "ê": "e",
        "â": "a",
        "ô": "o",
        "ç": "Ç",
        "“": '"',
        "”": '"',
        "‘": "'",
        "’": "'",
        "–": "-",
        "—": "-",
        "…": "...",
        "\u00a0": " ",
    }
)


class TemplateError(ValueError):
    """The template's text is not well formed (the message is for the person who wrote it)."""


class MissingPlaceholders(ValueError):
    """A send did not give a value for every placeholder. `names` as written in the template."""

    def __init__(self, names: list[str]) -> None:
        self.names = names
        listed = ", ".join(f"(({n}))" for n in names)
        super().__init__(_("Falta el valor de %(names)s.") % {"names": listed})


def placeholder_key(name: str) -> str:
    """How a placeholder name is matched: lower case, no accents, single spaces, trimmed."""
    folded = unicodedata.normalize("NFKD", name.strip().lower())
    folded = "".join(c for c in folded if not unicodedata.combining(c))
    return re.sub(r"\s+", " ", folded)


def placeholders(*texts: str) -> list[str]:
    """The placeholder names used in `texts`, in order of first use, once each (as written)."""
    seen: dict[str, str] = {}
    for text in texts:
        for match in PLACEHOLDER.finditer(text or ""):
            name = match.group(1).strip()
            seen.setdefault(placeholder_key(name), name)
    return list(seen.values())


def template_check(*texts: str, allowed: Iterable[str] | None = None) -> list[str]:
    """Raise TemplateError if a text has an unclosed `((`, an empty or odd placeholder name or
    (when `allowed` is given) a placeholder outside `allowed`; return the names used."""
    for text in texts:
        stripped = PLACEHOLDER.sub("", text or "")
        if "((" in stripped or "))" in stripped:
            raise TemplateError(
                _("Hay un «((» o «))» sin pareja. Escribe los datos así: ((nombre)).")
            )
        for match in PLACEHOLDER.finditer(text or ""):
            name = match.group(1).strip()
            if not name:
                raise TemplateError(_("Hay un dato vacío «(())». Escribe su nombre: ((nombre))."))
            if not NAME.match(name) or len(name) > 60:
                raise TemplateError(
                    _(
                        "«((%(name)s))» no es un nombre de dato válido: "
                        "usa letras, números y espacios."
                    )
                    % {"name": name}
                )
    names = placeholders(*texts)
    if allowed is not None:
        known = {placeholder_key(a) for a in allowed}
        unknown = [n for n in names if placeholder_key(n) not in known]
        if unknown:
            raise TemplateError(
                _("Este aviso no tiene el dato %(names)s. Puedes usar: %(allowed)s.")
                % {
                    "names": ", ".join(f"(({n}))" for n in unknown),
                    "allowed": ", ".join(f"(({a}))" for a in allowed),
                }
            )
    return names


def values_by_key(personalisation: Mapping[str, Any] | None) -> dict[str, str]:
    """The send's values keyed as placeholders are matched; None counts as missing."""
    found: dict[str, str] = {}
    for key, value in (personalisation or {}).items():
        if value is None:
            continue
        if isinstance(value, list | tuple):
            text = "\n".join(f"* {item}" for item in value)
        else:
            text = str(value)
        found[placeholder_key(str(key))] = text
    return found


def render(text: str, personalisation: Mapping[str, Any] | None, *, escape: bool = False) -> str:
    """`text` with every placeholder replaced; MissingPlaceholders names those without a value.
    `escape` HTML-escapes the values (for the HTML body)."""
    values = values_by_key(personalisation)
    missing = [n for n in placeholders(text) if placeholder_key(n) not in values]
    if missing:
        raise MissingPlaceholders(missing)

    def fill(match: re.Match[str]) -> str:
        value = values[placeholder_key(match.group(1))]
        return html.escape(value) if escape else value

    return PLACEHOLDER.sub(fill, text or "")


def missing_values(texts: Iterable[str], personalisation: Mapping[str, Any] | None) -> list[str]:
    """The placeholders of `texts` that `personalisation` leaves without a value."""
    values = values_by_key(personalisation)
    return [n for n in placeholders(*texts) if placeholder_key(n) not in values]


LINK = re.compile(r"(https?://[^\s<>()]+[^\s<>().,;:!?])")


def _inline(text: str) -> str:
    escaped = html.escape(text)
    return LINK.sub(
        lambda m: f'<a href="{m.group(1)}" style="color:#1d4ed8">{m.group(1)}</a>', escaped
    )


def body_html(text: str) -> str:
    """The HTML of an already rendered plain-text body (headings, lists, insets, links)."""
    parts: list[str] = []
    paragraph: list[str] = []
    items: list[str] = []

    def flush() -> None:
        if paragraph:
            parts.append(
                '<p style="margin:0 0 16px">' + "<br>".join(_inline(p) for p in paragraph) + "</p>"
            )
            paragraph.clear()
        if items:
            parts.append(
                '<ul style="margin:0 0 16px;padding-left:20px">'
                + "".join(f"<li>{_inline(i)}</li>" for i in items)
                + "</ul>"
            )
            items.clear()

    for raw in (text or "").splitlines():
        line = raw.rstrip()
        if not line.strip():
            flush()
        elif line.startswith("# "):
            flush()
            parts.append(f'<h2 style="font-size:20px;margin:0 0 12px">{_inline(line[2:])}</h2>')
        elif line.lstrip().startswith(("* ", "- ", "• ")):
            if paragraph:
                flush()
            items.append(line.lstrip()[2:])
        elif line.startswith("^ "):
            flush()
            parts.append(
                '<p style="margin:0 0 16px;padding-left:12px;border-left:4px solid #b1b4b6">'
                f"{_inline(line[2:])}</p>"
            )
        else:
            if items:
                flush()
            paragraph.append(line)
    flush()
    return "\n".join(parts)


def body_text(text: str) -> str:
    """The plain-text body: the formatting marks of insets removed, the rest as written."""
    lines = [line[2:] if line.startswith("^ ") else line for line in (text or "").splitlines()]
    return "\n".join(lines).strip()


def email_html(*, subject: str, body: str, institution: str) -> str:
    """A whole HTML e-mail: the institution's name on top, the body, the platform's footer.
    Inline styles only, as mail programs want."""
    footer = _(
        "Mensaje enviado por %(institution)s a través de Ventanilla, la plataforma digital "
        "única del Estado. No respondas a este correo."
    ) % {"institution": institution}
    return (
        '<!doctype html><html lang="es"><head><meta charset="utf-8">'
        f"<title>{html.escape(subject)}</title></head>"
        '<body style="margin:0;padding:0;background:#f3f4f6;font-family:Arial,sans-serif;'
        'color:#0b0c0c;font-size:16px;line-height:1.5">'
        '<table role="presentation" width="100%" cellpadding="0" cellspacing="0">'
        '<tr><td style="background:#a4161a;color:#fff;padding:12px 20px;font-weight:bold">'
        f"{html.escape(institution)}</td></tr>"
        '<tr><td style="padding:24px 20px;background:#fff">'
        f"{body_html(body)}</td></tr>"
        f'<tr><td style="padding:12px 20px;color:#505a5f;font-size:13px">{html.escape(footer)}'
        "</td></tr></table></body></html>"
    )


@dataclass(frozen=True)
class SmsLength:
    characters: int  # as the network counts them (an extension character counts two)
    parts: int
    encoding: str  # "GSM-7" or "UCS-2"
    too_long: bool


def sms_text(text: str) -> str:
    """The SMS as sent: Spanish accents outside GSM-7 dropped (á → a), spaces tidied."""
    return re.sub(r"[ \t]+", " ", (text or "").translate(SMS_DOWNGRADE)).strip()


def sms_length(text: str) -> SmsLength:
    """How long the SMS `text` is once downgraded, in characters and billed parts."""
    sent = sms_text(text)
    if all(c in GSM7_BASIC or c in GSM7_EXTENDED for c in sent):
        count = sum(2 if c in GSM7_EXTENDED else 1 for c in sent)
        parts = 1 if count <= 160 else -(-count // 153)
        return SmsLength(count, parts, "GSM-7", count > SMS_MAX_CHARACTERS)
    count = len(sent.encode("utf-16-le")) // 2
    parts = 1 if count <= 70 else -(-count // 67)
    return SmsLength(count, parts, "UCS-2", count > SMS_MAX_CHARACTERS)
