"""Design-system template helpers, available in every template without {% load %}."""

from decimal import Decimal
from typing import Any

from django import template
from django.utils.translation import gettext as _

register = template.Library()


@register.filter
def soles(amount: Decimal | str | None) -> str:
    """S/ 30.00, 'Gratuito' for zero, 'Costo no informado' when unknown (a Decimal, or the
    "30.00" string a procedure's document holds)."""
    if amount is None:
        return _("Costo no informado")
    if isinstance(amount, str):
        amount = Decimal(amount)
    if amount == 0:
        return _("Gratuito")
    return f"S/ {amount:,.2f}"


@register.filter
def num(value: int | None) -> str:
    """Thousands with a comma, as Peru writes them: 32923 -> '32,923'."""
    if value is None:
        return ""
    return f"{int(value):,}"


@register.simple_tag
def elided_pages(page_of: Any) -> list[int | str]:
    """Page numbers to link, with '…' for the gaps: 1 2 3 … 40 41 42 … 174."""
    page = page_of.page
    numbers = page_of.paginator.get_elided_page_range(page.number, on_each_side=1, on_ends=1)
    return [n if isinstance(n, int) else "…" for n in numbers]
