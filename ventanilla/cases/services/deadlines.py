"""Legal time limits in business days (Monday–Friday, Peruvian national holidays excluded)
and how a deadline reads in the inbox ("vence en 3 días")."""

from datetime import date, timedelta
from functools import lru_cache

import holidays
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext


@lru_cache(maxsize=64)
def _holidays_of(year: int) -> frozenset[date]:
    return frozenset(holidays.Peru(years=year))


def is_business_day(day: date) -> bool:
    return day.weekday() < 5 and day not in _holidays_of(day.year)


def business_days_add(start: date, days: int) -> date:
    """The `days`-th business day after `start` (counting starts the day after); `start`
    itself when `days` is 0 or less."""
    day = start
    left = days
    while left > 0:
        day += timedelta(days=1)
        if is_business_day(day):
            left -= 1
    return day


def business_days_between(start: date, end: date) -> int:
    """Business days after `start` up to and including `end` (0 when `end` is not later):
    business_days_add(start, business_days_between(start, end)) is `end` when `end` is a
    business day."""
    count = 0
    day = start
    while day < end:
        day += timedelta(days=1)
        if is_business_day(day):
            count += 1
    return count


def due_label(due_on: date | None, *, today: date | None = None) -> tuple[str, bool]:
    """("vence en 3 días", False), ("vence hoy", False), ("venció hace 2 días", True)…
    in calendar days, so "mañana" is tomorrow; ("", False) without a deadline."""
    if due_on is None:
        return "", False
    today = today or timezone.localdate()
    delta = (due_on - today).days
    if delta == 0:
        return _("vence hoy"), False
    if delta == 1:
        return _("vence mañana"), False
    if delta > 1:
        return ngettext("vence en %(n)d día", "vence en %(n)d días", delta) % {"n": delta}, False
    if delta == -1:
        return _("venció ayer"), True
    late = -delta
    return ngettext("venció hace %(n)d día", "venció hace %(n)d días", late) % {"n": late}, True
