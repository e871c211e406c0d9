"""Spanish text helpers: accent folding, slugs, and cleaning of messy source values."""

import re
import unicodedata

from django.utils.text import slugify

_SPACES = re.compile(r"\s+")
_NON_WORD = re.compile(r"[^0-9a-z]+")
MISSING_VALUES = frozenset({"", "na", "n/a", "null", "none", "-", "nan", "[unknown]"})


def fold(text: str) -> str:
    """Lowercase, strip accents, collapse spaces: 'Áncash  Ñuñoa' -> 'ancash nunoa'."""
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return _SPACES.sub(" ", stripped.lower()).strip()


def fold_words(text: str) -> str:
    """Like fold() but punctuation becomes spaces too, for matching names across sources."""
    return _SPACES.sub(" ", _NON_WORD.sub(" ", fold(text))).strip()


def clean(value: str | None) -> str:
    """A source cell as text: strip BOM and spaces; NA-like markers become ''."""
    if value is None:
        return ""
    value = value.replace("\ufeff", "").strip()
    return "" if value.lower() in MISSING_VALUES else value


def spanish_slug(text: str, max_length: int = 200) -> str:
    """gob.pe-style slug: 'Solicitar duplicado de DNI' -> 'solicitar-duplicado-de-dni'."""
    return slugify(fold(text))[:max_length].strip("-")
