"""Recipients: an e-mail address or a Peruvian mobile number, checked and normalised."""

import re

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _

PHONE_PUNCTUATION = re.compile(r"[\s\-().]")
PERU_MOBILE = re.compile(r"^9\d{8}$")


def email_normalise(value: str) -> str:
    """The address trimmed and lower-cased; ValidationError (in Spanish) when it is not one."""
    address = (value or "").strip()
    try:
        validate_email(address)
    except ValidationError:
        raise ValidationError(
            _("«%(value)s» no es un correo electrónico válido.") % {"value": address[:100]},
            code="invalid_email",
        ) from None
    return address.lower()


def phone_normalise(value: str) -> str:
    """A Peruvian mobile number as E.164 (+51 and nine digits starting with 9). Accepts
    spaces, dashes, +51, 51 and 0051 before the number; ValidationError otherwise."""
    digits = PHONE_PUNCTUATION.sub("", value or "")
    for prefix in ("+51", "0051"):
        if digits.startswith(prefix):
            digits = digits[len(prefix) :]
            break
    else:
        if len(digits) == 11 and digits.startswith("51"):
            digits = digits[2:]
    if not PERU_MOBILE.match(digits):
        raise ValidationError(
            _(
                "«%(value)s» no es un celular peruano válido: son 9 dígitos que empiezan con 9 "
                "(por ejemplo, 987 654 321)."
            )
            % {"value": (value or "").strip()[:40]},
            code="invalid_phone",
        )
    return "+51" + digits


def phone_display(value: str) -> str:
    """+51987654321 → 987 654 321."""
    digits = value[3:] if value.startswith("+51") else value
    return f"{digits[:3]} {digits[3:6]} {digits[6:]}" if len(digits) == 9 else value


def phone_masked(value: str) -> str:
    """+51987654321 → 9•• ••• 321, to show which number without showing it."""
    digits = value[3:] if value.startswith("+51") else value
    return f"{digits[:1]}•• ••• {digits[-3:]}" if len(digits) == 9 else "•••"
