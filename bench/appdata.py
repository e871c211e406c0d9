"""The Django side of bench/pages.py, run with the application's settings:

    python bench/appdata.py pick   → JSON {"home": "/", ..., "data": "reference"|"seed"|"empty"}
    python bench/appdata.py seed   → a few rows through the ORM, when the real loader is missing

The bench prefers the real data (`manage.py load_reference_data`); `seed` only exists so the
harness can be developed before that loader lands, and its figures say so.
"""

import json
import sys
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import django

django.setup()

from django.db.models import Count, Q  # noqa: E402

from ventanilla.catalogue.models import Procedure  # noqa: E402
from ventanilla.institutions.models import Institution  # noqa: E402

SEED_SLUG = "bench-institucion-de-prueba"
SEED_NUMBERS = (990_000, 990_010)


def unseed() -> None:
    """Drop the seed rows once the real data is there, so the bench never picks them."""
    Procedure.objects.filter(number__range=SEED_NUMBERS).delete()
    Institution.objects.filter(slug=SEED_SLUG).delete()


def seed() -> None:
    institution, _ = Institution.objects.update_or_create(
        slug=SEED_SLUG,
        defaults={
            "name": "Institución de prueba del bench",
            "acronym": "BENCH",
            "level": "national",
            "kind": "public_agency",
            "ruc": "20295613620",
            "description": "Registra la identidad de las personas y emite el DNI.",
        },
    )
    for n in range(1, 6):
        procedure, _ = Procedure.objects.update_or_create(
            number=SEED_NUMBERS[0] + n,
            defaults={
                "slug": f"tramite-de-prueba-{n}",
                "code": f"B{n:03}",
                "title": f"Obtener el trámite de prueba {n}",
                "kind": "procedure",
                "institution": institution,
                "summary": "Resumen de prueba. " * 20,
                "audience": "Personas mayores de edad.",
                "fee_amount": Decimal("16.00"),
                "time_limit": "5 días hábiles",
                "has_detail": True,
                "popularity": 0,
            },
        )
        procedure.requirements.all().delete()
        for i in range(6):
            procedure.requirements.create(position=i, text=f"Requisito número {i + 1}.")


def pick() -> dict[str, str]:
    institution = (
        Institution.objects.annotate(n=Count("procedures", filter=Q(procedures__is_published=True)))
        .order_by("-n", "name")
        .first()
    )
    procedure = (
        Procedure.objects.filter(is_published=True)
        .order_by("-has_detail", "-popularity", "number")
        .first()
    )
    if institution is None or procedure is None:
        return {"data": "empty"}
    real = Institution.objects.count() > 100 and Procedure.objects.count() > 40
    return {
        "home": "/",
        "directory": "/instituciones/",
        "institution": institution.get_absolute_url(),
        "procedure": procedure.get_absolute_url(),
        "data": "reference" if real else "seed",
        "institutions": str(Institution.objects.count()),
        "procedures": str(Procedure.objects.count()),
    }


if __name__ == "__main__":
    if sys.argv[1:] == ["seed"]:
        seed()
    elif sys.argv[1:] == ["unseed"]:
        unseed()
    else:
        print(json.dumps(pick()))
