"""Business days and how a deadline reads."""

from datetime import date

import pytest

from ventanilla.cases.services.deadlines import (
    business_days_add,
    business_days_between,
    due_label,
    is_business_day,
)


def test_weekends_and_peruvian_holidays_are_not_business_days():
    assert is_business_day(date(2026, 3, 16))  # a Monday
    assert not is_business_day(date(2026, 3, 14))  # Saturday
    assert not is_business_day(date(2026, 7, 28))  # Fiestas Patrias (Tuesday)
    assert not is_business_day(date(2026, 4, 2))  # Jueves Santo
    assert not is_business_day(date(2026, 12, 8))  # Inmaculada Concepción


def test_business_days_are_counted_from_the_day_after():
    # Friday + 1 business day is Monday.
    assert business_days_add(date(2026, 3, 13), 1) == date(2026, 3, 16)
    assert business_days_add(date(2026, 3, 13), 0) == date(2026, 3, 13)


def test_business_days_skip_holidays_in_the_middle():
    # Monday 27 July 2026 + 3: 28 and 29 are holidays, so 30, 31 and 3 August.
    assert business_days_add(date(2026, 7, 27), 3) == date(2026, 8, 3)
    # Holy week: Wednesday 1 April + 1 is Monday 6 April.
    assert business_days_add(date(2026, 4, 1), 1) == date(2026, 4, 6)


def test_business_days_between_undoes_business_days_add():
    start = date(2026, 7, 20)
    for days in range(0, 40):
        assert business_days_between(start, business_days_add(start, days)) == days
    assert business_days_between(date(2026, 3, 16), date(2026, 3, 16)) == 0
    assert business_days_between(date(2026, 3, 16), date(2026, 3, 10)) == 0


def test_business_days_cross_the_new_year():
    # Thursday 31 December 2026 + 1: Friday 1 January is a holiday, so Monday 4 January 2027.
    assert business_days_add(date(2026, 12, 31), 1) == date(2027, 1, 4)


@pytest.mark.parametrize(
    ("due", "label", "overdue"),
    [
        (date(2026, 3, 16), "vence hoy", False),
        (date(2026, 3, 17), "vence mañana", False),
        (date(2026, 3, 19), "vence en 3 días", False),
        (date(2026, 3, 15), "venció ayer", True),
        (date(2026, 3, 14), "venció hace 2 días", True),
    ],
)
def test_due_label_reads_in_spanish_and_flags_overdue(due, label, overdue):
    assert due_label(due, today=date(2026, 3, 16)) == (label, overdue)


def test_due_label_without_a_deadline_is_empty():
    assert due_label(None) == ("", False)
