"""Verification codes of issued documents.

A code is 16 random characters of Crockford's base32 alphabet (80 bits: unguessable) and one
ISO 7064 Mod 37,36 check character, so a mistyped or altered code is told apart from one that
was simply never issued. Codes whose check character would fall outside the alphabet (I, L, O, U)
are never handed out, so every character of a code can be typed without ambiguity and a reader's
O/0 and I/L/1 confusions are undone by `code_normalise`. Stored as 17 characters without dashes;
shown and printed in groups: `7KQ3-M9XD-2F8H-TR4BP`."""

import re
import secrets

from stdnum.iso7064 import mod_37_36

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford's base32: no I, L, O, U
BODY_LENGTH = 16
LENGTH = BODY_LENGTH + 1
# Longer input is refused before any work: no code, however written, is this long.
MAX_INPUT = 120

_SEPARATORS = re.compile(r"[\s\-‐-―_.·/]+")
_READING_SLIPS = str.maketrans({"O": "0", "I": "1", "L": "1"})


def code_new() -> str:
    """A fresh code, canonical form (17 characters, no dashes)."""
    while True:
        body = "".join(secrets.choice(ALPHABET) for _ in range(BODY_LENGTH))
        check = mod_37_36.calc_check_digit(body)
        if check in ALPHABET:
            return body + check


def code_normalise(raw: str) -> str:
    """What the reader meant: upper case, without spaces or dashes, O read as 0 and I/L as 1.
    A pasted verification address keeps only its last part."""
    text = (raw or "")[:MAX_INPUT].strip()
    if "/" in text:
        text = next((p for p in reversed(text.split("/")) if p.strip()), "")
    return _SEPARATORS.sub("", text).upper().translate(_READING_SLIPS)


def code_is_wellformed(code: str) -> bool:
    """True for a canonical code whose check character agrees."""
    return len(code) == LENGTH and all(c in ALPHABET for c in code) and mod_37_36.is_valid(code)


def code_display(code: str) -> str:
    """The grouped form printed on the document and used in its address."""
    return f"{code[0:4]}-{code[4:8]}-{code[8:12]}-{code[12:]}"
