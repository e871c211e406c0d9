"""Case reference numbers: <prefix>-<year>-<6 digits>, gap-free per prefix and year."""

from django.db import transaction

from ventanilla.cases.models import ReferenceCounter


def reference_next(*, prefix: str, year: int) -> str:
    """The next reference number for `prefix` and `year`, e.g. "MTC-2026-000123".

    Call it inside the transaction that stores the case: the counter row stays locked until
    that transaction ends, so concurrent submissions queue for it, and a rolled-back case
    gives its number back (no gaps). On SQLite the IMMEDIATE transaction mode serialises
    writers instead of the row lock."""
    prefix = prefix.strip().upper() or "EXP"
    with transaction.atomic():
        # Create the row if it is missing without failing when another process just did.
        ReferenceCounter.objects.bulk_create(
            [ReferenceCounter(prefix=prefix, year=year, last=0)], ignore_conflicts=True
        )
        counter = ReferenceCounter.objects.select_for_update().get(prefix=prefix, year=year)
        counter.last += 1
        counter.save(update_fields=["last"])
    return f"{prefix}-{year}-{counter.last:06d}"
