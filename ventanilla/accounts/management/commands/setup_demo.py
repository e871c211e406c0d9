"""`python manage.py setup_demo`: the demo logins (idempotent). A platform administrator, an
editor of RENIEC and an editor of a municipality that has a curated procedure."""

from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils.translation import gettext as _

from ventanilla.accounts.models import Membership, Role
from ventanilla.audit.services import record
from ventanilla.institutions.models import Institution

DEMO_PASSWORD = "ventanilla-demo"  # noqa: S105 - a published demo login, never for production
# Municipalities with a curated procedure (P028 Huancayo, P030 San Bartolo), first found wins.
MUNICIPALITY_SLUGS = ("munihuancayo", "munisanbartolo")


def _user(username: str, *, superuser: bool, first_name: str) -> tuple[Any, bool]:
    """Create or repair one demo user; returns (user, changed)."""
    User = get_user_model()
    user, created = User.objects.get_or_create(username=username)
    changed = created
    wanted = {"is_staff": True, "is_active": True, "is_superuser": superuser,
              "first_name": first_name}  # fmt: skip
    for name, value in wanted.items():
        if getattr(user, name) != value:
            setattr(user, name, value)
            changed = True
    if not user.check_password(DEMO_PASSWORD):
        user.set_password(DEMO_PASSWORD)
        changed = True
    if changed:
        user.save()
    return user, changed


class Command(BaseCommand):
    help = _("Crea los usuarios de demostración (administrador y editores).")

    def handle(self, *args: Any, **options: Any) -> None:
        reniec = Institution.objects.filter(slug="reniec").first()
        muni = next(
            (i for s in MUNICIPALITY_SLUGS if (i := Institution.objects.filter(slug=s).first())),
            None,
        )
        if reniec is None or muni is None:
            raise CommandError(
                _("Faltan instituciones: ejecuta antes «python manage.py load_reference_data».")
            )
        with transaction.atomic():
            admin, admin_changed = _user("admin", superuser=True, first_name="Administración")
            changes = int(admin_changed)
            for username, institution, first_name in (
                ("editor.reniec", reniec, "Editor RENIEC"),
                ("editor.muni", muni, f"Editor {muni.acronym or muni.name}"[:150]),
            ):
                user, changed = _user(username, superuser=False, first_name=first_name)
                _m, created = Membership.objects.get_or_create(
                    user=user, institution=institution, role=Role.EDITOR
                )
                changes += int(changed) + int(created)
            if changes:
                record(actor=None, action="accounts.demo_setup", target=admin,
                       data={"changes": changes})  # fmt: skip
        base = "http://127.0.0.1:8000"
        lines = [
            "",
            "=" * 64,
            _("Ventanilla está lista para la demostración"),
            "=" * 64,
            _("Portal ciudadano:  %(u)s/") % {"u": base},
            _("Gestión (backoffice): %(u)s/gestion/") % {"u": base},
            "",
            _("Usuarios (contraseña para todos: %(p)s):") % {"p": DEMO_PASSWORD},
            _("  admin          administrador de la plataforma"),
            _("  editor.reniec  editor de %(i)s") % {"i": reniec.name},
            _("  editor.muni    editor de %(i)s") % {"i": muni.name},
            "=" * 64,
            "",
        ]
        self.stdout.write("\n".join(lines))
