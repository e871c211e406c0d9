"""`python manage.py setup_demo`: the demo logins (idempotent) and what to do with them.

A citizen with a verified DNI and a second factor whose secret is printed (so a script can
compute codes), a platform administrator, officials of RENIEC and of a municipality that has a
curated procedure, and the relying party `demo-rp` of the single sign-on. The citizen hears of
her cases in her casilla and by e-mail and SMS (a confirmed demo number)."""

from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ventanilla.accounts.models import Membership, Role
from ventanilla.accounts.services.second_factor import totp_demo_enable
from ventanilla.audit.services import record
from ventanilla.cases.demo import demo_services_ensure
from ventanilla.institutions.models import Institution
from ventanilla.integrations.civil_registry.fake_people import DEMO_CITIZEN_DNI, record_for
from ventanilla.notifications.services.preferences import preference_demo_ensure
from ventanilla.oidc.services import (
    DEMO_CLIENT_ID,
    DEMO_CLIENT_SECRET,
    DEMO_REDIRECT_URI,
    oidc_demo_client_ensure,
)

DEMO_PASSWORD = "ventanilla-demo"  # noqa: S105 - a published demo login, never for production
# Base32, so any authenticator app or `pyotp.TOTP(secret).now()` computes the demo's codes.
DEMO_TOTP_SECRET = "VENTANILLADEMOTOTPSECRET234567AB"  # noqa: S105 - published on purpose
# Municipalities with a curated procedure (P028 Huancayo, P030 San Bartolo), first found wins.
MUNICIPALITY_SLUGS = ("munihuancayo", "munisanbartolo")


def _user(username: str, *, superuser: bool, staff: bool = True, **fields: Any) -> tuple[Any, bool]:
    """Create or repair one demo user; returns (user, changed)."""
    User = get_user_model()
    user, created = User.objects.get_or_create(username=username)
    changed = created
    wanted = {"is_staff": staff, "is_active": True, "is_superuser": superuser, "locked_at": None,
              **fields}  # fmt: skip
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


def _citizen() -> tuple[Any, bool]:
    person = record_for("dni", DEMO_CITIZEN_DNI)
    if person is None:  # the fake registry's data set always holds the demo citizen
        raise CommandError(f"El registro de demostración no tiene el DNI {DEMO_CITIZEN_DNI}.")
    citizen, changed = _user(
        f"dni-{DEMO_CITIZEN_DNI}",
        superuser=False,
        staff=False,
        document_type="dni",
        document_number=DEMO_CITIZEN_DNI,
        first_name=person.person.display_given_names,
        last_name=person.person.display_surnames,
        email="ciudadana@ventanilla.test",
        phone="987654321",
    )
    if citizen.registry_verified_at is None:
        citizen.registry_verified_at = timezone.now()
        citizen.save(update_fields=["registry_verified_at"])
        changed = True
    totp_demo_enable(user=citizen, secret=DEMO_TOTP_SECRET)
    # Her notices come by e-mail and SMS besides the casilla (the demo's mailbox shows both).
    changed |= preference_demo_ensure(user=citizen, phone=citizen.phone)
    return citizen, changed


class Command(BaseCommand):
    help = _("Crea los usuarios de demostración (ciudadana, funcionarios, administrador) y la "
             "aplicación de demostración del inicio de sesión único.")  # fmt: skip

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--base-url", default="http://127.0.0.1:8000")

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
            citizen, citizen_changed = _citizen()
            changes += int(citizen_changed)
            for username, institution, role, first_name in (
                ("admin.reniec", reniec, Role.INSTITUTION_ADMIN, "Administración RENIEC"),
                ("editor.reniec", reniec, Role.EDITOR, "Editor RENIEC"),
                ("editor.muni", muni, Role.EDITOR, f"Editor {muni.acronym or muni.name}"[:150]),
            ):
                user, changed = _user(username, superuser=False, first_name=first_name)
                _m, created = Membership.objects.get_or_create(
                    user=user, institution=institution, role=role
                )
                changes += int(changed) + int(created)
            oidc_demo_client_ensure()
            if changes:
                record(actor=None, action="accounts.demo_setup", target=admin,
                       data={"changes": changes})  # fmt: skip
        demo = demo_services_ensure(admin=admin, citizen=citizen, muni=muni, user_ensure=_user)
        base = options["base_url"].rstrip("/")
        code = (
            f".venv/bin/python -c \"import pyotp; print(pyotp.TOTP('{DEMO_TOTP_SECRET}').now())\""
        )
        lines = [
            "",
            "=" * 72,
            _("Ventanilla está lista para la demostración"),
            "=" * 72,
            _("Portal ciudadano:      %(u)s/") % {"u": base},
            _("Gestión (backoffice):  %(u)s/gestion/") % {"u": base},
            _("Ingresar:              %(u)s/cuenta/ingresar/") % {"u": base},
            "",
            _("Contraseña de todas las cuentas: %(p)s") % {"p": DEMO_PASSWORD},
            _("  %(dni)s       ciudadana %(name)s (DNI verificado, con verificación en dos pasos)")
            % {"dni": DEMO_CITIZEN_DNI, "name": citizen.get_full_name()},
            _("                 secreto TOTP: %(s)s") % {"s": DEMO_TOTP_SECRET},
            _("                 código de ahora: %(c)s") % {"c": code},
            _("                 avisos en %(u)s/casilla/, por correo y SMS (%(u)s/demo/buzon/)")
            % {"u": base},
            _("  admin          administrador de la plataforma"),
            _("  admin.reniec   administrador de %(i)s (invita funcionarios)") % {"i": reniec.name},
            _("  editor.reniec  editor de %(i)s") % {"i": reniec.name},
            _("  editor.muni    editor de %(i)s") % {"i": muni.name},
            *(f"  {username:<14} {what}" for username, what in demo.accounts),
            "",
            *(
                _("%(name)s (%(i)s): %(u)s%(path)s") % {"name": n, "i": i, "u": base, "path": p}
                for n, p, i in demo.services
            ),
            *demo.notes,
            "",
            _("Inicio de sesión único (OpenID Connect):"),
            _("  descubrimiento %(u)s/.well-known/openid-configuration") % {"u": base},
            _("  client_id %(id)s · secreto %(s)s · redirección %(r)s")
            % {"id": DEMO_CLIENT_ID, "s": DEMO_CLIENT_SECRET, "r": DEMO_REDIRECT_URI},
            "=" * 72,
            "",
        ]
        self.stdout.write("\n".join(lines))
