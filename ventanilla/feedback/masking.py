"""Masking of personal data in free text, before anything is stored.

Citizens write their DNI, e-mail or phone in comment boxes although we ask them not to. What
we mask: e-mail addresses; Peruvian phone numbers (+51 mobiles, 9-digit mobiles, landlines with
an area code such as (01) 426-7800 or 054-123456, and 7-digit Lima numbers written 426-7800);
RUCs of natural persons (10 + DNI + check digit); and DNIs (8 digits, with or without a
check character such as 12345678-9 or 12345678-K). Company RUCs (20…) are public and kept."""

import re

EMAIL_MASK = "[correo]"
PHONE_MASK = "[teléfono]"
DNI_MASK = "[DNI]"
RUC_MASK = "[RUC]"

# Digits that are not part of a longer run of digits.
_START = r"(?<![\d])"
_END = r"(?![\d])"

_EMAIL = re.compile(r"[\w.+%-]+@[\w-]+(?:\.[\w-]+)+", re.UNICODE)
_PHONES = [
    # +51 987 654 321, +51-987654321, 0051 987654321, +51 1 4267800
    re.compile(r"(?:\+|\b00)\s?51[\s.-]?(?:\(?\d{1,3}\)?[\s.-]?)?\d{3}[\s.-]?\d{3,4}" + _END),
    # Landline with area code: (01) 426-7800, (054) 123456, 01-4267800, 054 123 456
    re.compile(r"\(\s?0\d{1,2}\s?\)\s?\d{3}[\s.-]?\d{3,4}" + _END),
    re.compile(_START + r"0\d{1,2}[\s.-]\d{3}[\s.-]?\d{3,4}" + _END),
    # Mobile: 987654321, 987 654 321, 987-654-321
    re.compile(_START + r"9\d{2}[\s.-]?\d{3}[\s.-]?\d{3}" + _END),
    # Lima number without area code, only when written with its separator: 426-7800, 426 7800
    # (not a decree number such as 033-2018-PCM).
    re.compile(_START + r"\d{3}[-.]\d{4}" + _END + r"(?![-/]\w)"),
]
# Natural-person RUC: 10 + the 8 DNI digits + check digit.
_RUC_PERSON = re.compile(_START + r"1[057]\d{9}" + _END)
# DNI with an optional check character (digit or letter, dash optional); 8 digits in groups.
_DNI = re.compile(_START + r"\d{8}(?:\s?-\s?[0-9A-Ka-k]|[0-9A-Ka-k])?(?![\w])")
_DNI_GROUPED = re.compile(_START + r"\d{2}[\s.]\d{3}[\s.]\d{3}" + _END)


def mask_personal_data(text: str) -> str:
    """`text` with e-mails, phone numbers, personal RUCs and DNIs replaced by labels such as
    '[DNI]'. Order matters: e-mails first (they may hold digits), then phones, then DNIs."""
    text = _EMAIL.sub(EMAIL_MASK, text)
    for pattern in _PHONES:
        text = pattern.sub(PHONE_MASK, text)
    text = _RUC_PERSON.sub(RUC_MASK, text)
    text = _DNI.sub(DNI_MASK, text)
    return _DNI_GROUPED.sub(DNI_MASK, text)
