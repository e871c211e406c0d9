"""The English catalogue is complete, checked and compiled: a Spanish string never shows on an
English page because its translation was left empty, fuzzy or out of the committed .mo."""

import ast
import gettext
from pathlib import Path

from django.conf import settings

CATALOGUE = Path(settings.BASE_DIR) / "locale" / "en" / "LC_MESSAGES"


def _entries(po: Path) -> list[tuple[list[str], dict[str, str]]]:
    """(flags, fields) of each live entry of a PO file; obsolete `#~` entries are left out."""
    entries = []
    for block in po.read_text(encoding="utf-8").split("\n\n"):
        flags: list[str] = []
        fields: dict[str, str] = {}
        key = ""
        for line in block.splitlines():
            if line.startswith("#,"):
                flags += [f.strip() for f in line[2:].split(",")]
            elif line.startswith(("msgid", "msgstr")):
                key, _, value = line.partition(" ")
                fields[key] = ast.literal_eval(value)
            elif line.startswith('"') and key:
                fields[key] += ast.literal_eval(line)
        if fields.get("msgid"):
            entries.append((flags, fields))
    return entries


def test_english_catalogue_has_no_untranslated_or_fuzzy_message() -> None:
    entries = _entries(CATALOGUE / "django.po")
    assert len(entries) > 100
    fuzzy = [f["msgid"] for flags, f in entries if "fuzzy" in flags]
    empty = [
        f["msgid"] for _, f in entries if any(not v for k, v in f.items() if k.startswith("msgstr"))
    ]
    assert fuzzy == []
    assert empty == []


def test_committed_english_mo_holds_every_translation_of_the_po() -> None:
    with (CATALOGUE / "django.mo").open("rb") as fp:
        mo = gettext.GNUTranslations(fp)
    stale = []
    for _, f in _entries(CATALOGUE / "django.po"):
        if "msgid_plural" in f:
            got = [mo.ngettext(f["msgid"], f["msgid_plural"], n) for n in (1, 2)]
            want = [f["msgstr[0]"], f["msgstr[1]"]]
        else:
            got, want = [mo.gettext(f["msgid"])], [f["msgstr"]]
        if got != want:
            stale.append(f["msgid"])
    assert stale == []
