"""Design-system template helpers, available in every template without {% load %}."""

from decimal import Decimal

from django import template
from django.utils.translation import gettext as _

register = template.Library()


@register.filter
def soles(amount: Decimal | None) -> str:
    """S/ 30.00, 'Gratuito' for zero, 'Costo no informado' when unknown."""
    if amount is None:
        return _("Costo no informado")
    if amount == 0:
        return _("Gratuito")
    return f"S/ {amount:,.2f}"
