"""Officials of institutions: invitations, acceptance, roles and removal.

Each function checks permission (accounts.permissions), writes in one transaction, leaves
an audit row and sends its e-mail only after the commit. An institution administrator acts
for their own institutions only; platform administrators for all. The invitation link is a
bearer token: only its SHA-256 is stored, the raw token travels in the e-mail alone."""

import hashlib
import secrets
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from ventanilla.accounts.models import Invitation, Membership, Role, User
from ventanilla.accounts.permissions import can_manage_officials, is_platform_admin
from ventanilla.accounts.selectors import membership_roles_forget
from ventanilla.audit.services import record
from ventanilla.institutions.models import Institution

INVITATION_DAYS = 7
_EMAIL_MAX = 254  # RFC 5321, and Invitation.email's column
_USERNAME_MAX = 150
_NAME_MAX = 150


def _cached_user(membership: Membership) -> Any:
    return membership.user if Membership.user.is_cached(membership) else None


def _forget_roles(*users: Any) -> None:
    # Roles are memoised on user objects for a request; these objects must ask again.
    for user in users:
        if user is not None:
            membership_roles_forget(user=user)


def invitation_token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _deny_officials() -> PermissionDenied:
    return PermissionDenied(
        _("Solo puede gestionar a los funcionarios de las instituciones que administra.")
    )


def _role(role: str) -> Role:
    if role not in Role.values:
        raise ValidationError(
            {"role": _("Elija un rol de la lista: «%(role)s» no es un rol.") % {"role": role}},
            code="role",
        )
    return Role(role)


def _email(email: str) -> str:
    value = (email or "").strip().lower()
    if not value:
        raise ValidationError({"email": _("Escriba el correo de la persona.")}, code="email")
    try:
        if len(value) > _EMAIL_MAX:
            raise ValidationError("too long")
        validate_email(value)
    except ValidationError:
        raise ValidationError(
            {"email": _("Escriba un correo válido, como nombre@entidad.gob.pe.")}, code="email"
        ) from None
    return value


def official_invite_check(*, institution: Institution, email: str, role: str, by: Any) -> str:
    """Raise PermissionDenied or ValidationError (Spanish, per field) unless `by` may invite
    `email` as `role` into `institution`; return the normalised e-mail. The back-office form
    calls it to show errors beside the fields; official_invite calls it again."""
    if not can_manage_officials(by, institution.pk):
        raise _deny_officials()
    value = _email(email)
    _role(role)
    holds = Membership.objects.filter(
        institution=institution, role=role, user__email__iexact=value, user__is_active=True
    )
    if holds.exists():
        raise ValidationError(
            {"email": _("Esa persona ya tiene ese rol en la institución.")}, code="member"
        )
    return value


@transaction.atomic
def official_invite(
    *, institution: Institution, email: str, role: str, by: Any, site_url: str | None = None
) -> Invitation:
    """Invite `email` to join `institution` as `role`; an open invitation for the same e-mail
    and role is revoked and replaced. The e-mail with the link leaves after the commit.

    The returned invitation carries the raw token as `invitation.token` (on that object only:
    it is never stored), for the caller that must show or print the link."""
    value = official_invite_check(institution=institution, email=email, role=role, by=by)
    now = timezone.now()
    replaced = list(
        Invitation.objects.select_for_update()
        .filter(
            institution=institution,
            email__iexact=value,
            role=role,
            accepted_at__isnull=True,
            revoked_at__isnull=True,
        )
        .values_list("pk", flat=True)
    )
    if replaced:
        Invitation.objects.filter(pk__in=replaced).update(revoked_at=now, updated_at=now)
    token = secrets.token_urlsafe(32)
    invitation = Invitation.objects.create(
        institution=institution,
        email=value,
        role=role,
        invited_by=by if getattr(by, "pk", None) else None,
        token_hash=invitation_token_hash(token),
        expires_at=now + timedelta(days=INVITATION_DAYS),
    )
    record(
        actor=by,
        action="invitation.created",
        target=invitation,
        institution_id=institution.pk,
        data={"email": value, "role": role, "replaced": replaced},
    )
    link = invitation_link(token=token, site_url=site_url)
    transaction.on_commit(lambda: _send_invitation(invitation=invitation, link=link))
    setattr(invitation, "token", token)  # noqa: B010 - a transient attribute, never saved
    return invitation


def invitation_link(*, token: str, site_url: str | None = None) -> str:
    """The absolute address of the acceptance page for `token`."""
    base = site_url or getattr(settings, "PUBLIC_BASE_URL", "") or "http://127.0.0.1:8000"
    return base.rstrip("/") + reverse("accounts:invitation", args=[token])


def _send_invitation(*, invitation: Invitation, link: str) -> None:
    institution = invitation.institution
    subject = _("Invitación a gestionar %(institution)s en Ventanilla") % {
        "institution": institution.name
    }
    body = _(
        "Le invitaron a unirse a %(institution)s en Ventanilla como «%(role)s».\n\n"
        "Para aceptar, abra este enlace antes del %(expires)s:\n%(link)s\n\n"
        "Si no esperaba esta invitación, no haga nada: el enlace vencerá solo."
    ) % {
        "institution": institution.name,
        "role": Role(invitation.role).label,
        "expires": timezone.localtime(invitation.expires_at).strftime("%d/%m/%Y %H:%M"),
        "link": link,
    }
    send_mail(subject, body, None, [invitation.email])


def invitation_by_token(*, token: str) -> Invitation | None:
    """The invitation a link names, whatever its state; None for an unknown token."""
    if not token or len(token) > 128:
        return None
    return (
        Invitation.objects.select_related("institution")
        .filter(token_hash=invitation_token_hash(token))
        .first()
    )


def invitation_problem(invitation: Invitation | None) -> str:
    """Why this invitation cannot be accepted, in Spanish; "" when it can."""
    if invitation is None:
        return _("Este enlace de invitación no es válido. Revisa que lo copiaste completo.")
    if invitation.accepted_at is not None:
        return _("Esta invitación ya fue aceptada. Ingresa con tu cuenta para continuar.")
    if invitation.revoked_at is not None:
        return _(
            "Esta invitación fue anulada. Si la necesitas, pide una nueva al administrador "
            "de la institución."
        )
    if invitation.expires_at <= timezone.now():
        return _("Esta invitación venció. Pide una nueva al administrador de la institución.")
    return ""


def official_account_errors(
    *, email: str, username: str, password: str, first_name: str, last_name: str
) -> dict[str, list[str]]:
    """What is wrong with a new official account's fields, per field, in Spanish ({} when
    nothing). invitation_accept checks them; a page may call it to show every error at once."""
    username, first_name, last_name = username.strip(), first_name.strip(), last_name.strip()
    errors: dict[str, list[str]] = {}
    if not username:
        errors["username"] = [_("Elige un nombre de usuario.")]
    elif len(username) > _USERNAME_MAX or not all(c.isalnum() or c in "@.+-_" for c in username):
        errors["username"] = [
            _("Usa solo letras, números y los signos @ . + - _ (hasta 150 caracteres).")
        ]
    elif username.isdigit():
        # Digits are read as a DNI or carné de extranjería by the login form.
        errors["username"] = [_("El nombre de usuario no puede tener solo números.")]
    elif User.objects.filter(username__iexact=username).exists():
        errors["username"] = [_("Ese nombre de usuario ya está en uso. Elige otro.")]
    if not first_name or len(first_name) > _NAME_MAX:
        errors["first_name"] = [_("Escribe tus nombres.")]
    if not last_name or len(last_name) > _NAME_MAX:
        errors["last_name"] = [_("Escribe tus apellidos.")]
    candidate = User(username=username, email=email, first_name=first_name, last_name=last_name)
    try:
        validate_password(password, user=candidate)
    except ValidationError as error:
        errors["password"] = list(error.messages)
    return errors


def _new_official(
    *, email: str, username: str, password: str, first_name: str, last_name: str
) -> User:
    username, first_name, last_name = username.strip(), first_name.strip(), last_name.strip()
    errors = official_account_errors(
        email=email,
        username=username,
        password=password,
        first_name=first_name,
        last_name=last_name,
    )
    if errors:
        raise ValidationError(errors)
    candidate = User(username=username, email=email, first_name=first_name, last_name=last_name)
    candidate.is_staff = True
    candidate.set_password(password)
    try:
        with transaction.atomic():
            candidate.save()
    except IntegrityError:
        raise ValidationError(
            {"username": [_("Ese nombre de usuario ya está en uso. Elige otro.")]}
        ) from None
    record(
        actor=candidate,
        action="user.created",
        target=candidate,
        data={"username": username, "kind": "official"},
    )
    return candidate


@transaction.atomic
def invitation_accept(
    *,
    token: str,
    user: Any = None,
    username: str = "",
    password: str = "",
    first_name: str = "",
    last_name: str = "",
) -> Membership:
    """Accept an invitation: a logged-in `user` takes the role, or (without `user`) a new
    official account is created from `username`, `password` and names, with back-office
    access. Raises ValidationError with a Spanish message when the link is unknown, used,
    annulled or expired, or an account field is wrong; nothing is written then."""
    invitation = invitation_by_token(token=token)
    problem = invitation_problem(invitation)
    if problem or invitation is None:
        raise ValidationError(problem, code="invitation")
    now = timezone.now()
    # Claim the invitation first: of two submissions of the same link, only one finds it open
    # (on PostgreSQL the second waits for the first's commit, then matches no row).
    claimed = Invitation.objects.filter(
        pk=invitation.pk, accepted_at__isnull=True, revoked_at__isnull=True, expires_at__gt=now
    ).update(accepted_at=now, updated_at=now)
    if claimed != 1:
        invitation.refresh_from_db()
        raise ValidationError(
            invitation_problem(invitation) or invitation_problem(None), code="invitation"
        )
    if user is not None and getattr(user, "is_authenticated", False):
        if not user.is_active:
            raise PermissionDenied(_("Esta cuenta está desactivada."))
        account = User.objects.select_for_update().get(pk=user.pk)
        if not account.is_staff:
            account.is_staff = True
            account.save(update_fields=["is_staff"])
            user.is_staff = True
    else:
        account = _new_official(
            email=invitation.email,
            username=username,
            password=password,
            first_name=first_name,
            last_name=last_name,
        )
    membership, created = Membership.objects.get_or_create(
        user=account, institution=invitation.institution, role=invitation.role
    )
    Invitation.objects.filter(pk=invitation.pk).update(accepted_by=account)
    invitation.accepted_at, invitation.accepted_by = now, account
    _forget_roles(account, user)
    record(
        actor=account,
        action="invitation.accepted",
        target=invitation,
        institution_id=invitation.institution_id,
        data={"user": account.pk, "role": invitation.role, "email": invitation.email},
    )
    if created:
        record(
            actor=account,
            action="membership.created",
            target=membership,
            institution_id=membership.institution_id,
            data={"user": account.pk, "role": membership.role, "invitation": invitation.pk},
        )
    return membership


@transaction.atomic
def invitation_revoke(*, invitation: Invitation, by: Any) -> Invitation:
    """Annul an open invitation so its link stops working. Revoking twice is harmless;
    an accepted invitation is not revoked (remove the official instead)."""
    if not can_manage_officials(by, invitation.institution_id):
        raise _deny_officials()
    current = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if current.accepted_at is not None:
        raise ValidationError(
            _("Esta invitación ya fue aceptada: para quitar el acceso, retire al funcionario."),
            code="accepted",
        )
    if current.revoked_at is None:
        current.revoked_at = timezone.now()
        current.save(update_fields=["revoked_at", "updated_at"])
        record(
            actor=by,
            action="invitation.revoked",
            target=current,
            institution_id=current.institution_id,
            data={"email": current.email, "role": current.role},
        )
    invitation.revoked_at = current.revoked_at
    return current


def _refuse_last_admin(*, membership: Membership, by: Any) -> None:
    """An institution keeps at least one active administrator, unless a platform
    administrator (who stands above every institution) decides otherwise."""
    if membership.role != Role.INSTITUTION_ADMIN or is_platform_admin(by):
        return
    # Lock the institution's administrators so two of them cannot remove each other at once.
    admins = list(
        Membership.objects.select_for_update()
        .filter(
            institution_id=membership.institution_id,
            role=Role.INSTITUTION_ADMIN,
            user__is_active=True,
        )
        .values_list("pk", flat=True)
    )
    if admins == [membership.pk]:
        raise ValidationError(
            _(
                "No puede dejar la institución sin administrador: invite o nombre a otro "
                "administrador antes."
            ),
            code="last_admin",
        )


def official_remove_check(*, membership: Membership, by: Any) -> None:
    """Raise PermissionDenied or ValidationError (Spanish) unless `by` may remove it."""
    if not can_manage_officials(by, membership.institution_id):
        raise _deny_officials()
    _refuse_last_admin(membership=membership, by=by)


@transaction.atomic
def official_remove(*, membership: Membership, by: Any) -> None:
    """Take a role away. When it was the person's last role and they are no platform
    administrator, their account also loses back-office access (is_staff)."""
    official_remove_check(membership=membership, by=by)
    user = User.objects.select_for_update().get(pk=membership.user_id)
    data = {"user": user.pk, "role": membership.role}
    deleted, _rows = Membership.objects.filter(pk=membership.pk).delete()
    if not deleted:
        return  # already removed (a second click): nothing to record
    left = Membership.objects.filter(user=user).exists()
    if not left and user.is_staff and not user.is_superuser:
        user.is_staff = False
        user.save(update_fields=["is_staff"])
        data["back_office_access"] = False
    _forget_roles(by, _cached_user(membership))
    record(
        actor=by,
        action="membership.deleted",
        target=membership,
        institution_id=membership.institution_id,
        data=data,
    )


def membership_role_change_check(*, membership: Membership, role: str, by: Any) -> None:
    if not can_manage_officials(by, membership.institution_id):
        raise _deny_officials()
    _role(role)
    if role == membership.role:
        return
    taken = Membership.objects.filter(
        user_id=membership.user_id, institution_id=membership.institution_id, role=role
    )
    if taken.exclude(pk=membership.pk).exists():
        raise ValidationError(
            {"role": _("Esa persona ya tiene ese rol en la institución.")}, code="duplicate"
        )
    _refuse_last_admin(membership=membership, by=by)


@transaction.atomic
def membership_role_change(*, membership: Membership, role: str, by: Any) -> Membership:
    """Give the official another role in the same institution."""
    current = Membership.objects.select_for_update().get(pk=membership.pk)
    membership_role_change_check(membership=current, role=role, by=by)
    if role == current.role:
        return current
    before = current.role
    current.role = role
    current.save(update_fields=["role", "updated_at"])
    membership.role = role
    _forget_roles(by, _cached_user(membership))
    record(
        actor=by,
        action="membership.role_changed",
        target=current,
        institution_id=current.institution_id,
        data={"user": current.user_id, "from": before, "to": role},
    )
    return current


@transaction.atomic
def membership_grant(*, user: Any, institution: Institution, role: str, by: Any) -> Membership:
    """Give an existing account a role directly, without an invitation (platform
    administrators only: an institution administrator invites instead)."""
    if not is_platform_admin(by):
        raise PermissionDenied(
            _("Solo los administradores de la plataforma asignan roles sin invitación.")
        )
    _role(role)
    membership, created = Membership.objects.get_or_create(
        user=user, institution=institution, role=role
    )
    if not user.is_staff:
        User.objects.filter(pk=user.pk).update(is_staff=True)
        user.is_staff = True
    _forget_roles(user)
    if created:
        record(
            actor=by,
            action="membership.created",
            target=membership,
            institution_id=institution.pk,
            data={"user": user.pk, "role": role},
        )
    return membership
