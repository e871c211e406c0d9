"""Factories for accounts: plain users, citizens with a DNI, officials with their roles,
platform administrators and invitations (whose raw token the factory keeps on `.token`)."""

from collections.abc import Iterable
from datetime import timedelta
from typing import Any

import factory
from django.utils import timezone

from ventanilla.accounts.models import DocumentType, Invitation, Membership, Role, User
from ventanilla.accounts.services.officials import invitation_token_hash
from ventanilla.institutions.tests.factories import InstitutionFactory

PASSWORD = "ventanilla-prueba-2026"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"usuario{n}")
    email = factory.LazyAttribute(lambda o: f"{o.username}@correo.pe")
    first_name = "Ana"
    last_name = factory.Sequence(lambda n: f"Quispe {n}")
    password = factory.django.Password(PASSWORD)


class CitizenFactory(UserFactory):
    """A citizen whose DNI the registry confirmed (8 digits; any 8 digits are a DNI number,
    the check digit is a separate character)."""

    username = factory.Sequence(lambda n: f"ciudadano{n}")
    document_type = DocumentType.DNI
    document_number = factory.Sequence(lambda n: f"{45678912 + n:08d}")
    registry_verified_at = factory.LazyFunction(timezone.now)


class OfficialFactory(UserFactory):
    """A back-office account. `memberships=[(institution, role), ...]` gives its roles;
    `OfficialFactory(institution=i, role=r)` is the one-role shortcut."""

    institution: Any = None
    role: Any = None
    username = factory.Sequence(lambda n: f"funcionario{n}")
    email = factory.LazyAttribute(lambda o: f"{o.username}@entidad.gob.pe")
    is_staff = True

    @factory.post_generation
    def memberships(
        obj: User, create: bool, extracted: Iterable[tuple[Any, str]] | None, **kwargs: Any
    ) -> None:
        if not create:
            return
        for institution, role in extracted or ():
            Membership.objects.create(user=obj, institution=institution, role=role)

    @classmethod
    def _create(cls, model_class: Any, *args: Any, **kwargs: Any) -> Any:
        institution = kwargs.pop("institution", None)
        role = kwargs.pop("role", None)
        user = super()._create(model_class, *args, **kwargs)
        if institution is not None and role is not None:
            Membership.objects.create(user=user, institution=institution, role=role)
        return user


class PlatformAdminFactory(UserFactory):
    username = factory.Sequence(lambda n: f"plataforma{n}")
    is_staff = True
    is_superuser = True


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(OfficialFactory)
    institution = factory.SubFactory(InstitutionFactory)
    role = Role.EDITOR


class InvitationFactory(factory.django.DjangoModelFactory):
    """An open invitation; its raw token is `invitation.token` (never stored)."""

    class Meta:
        model = Invitation

    institution = factory.SubFactory(InstitutionFactory)
    email = factory.Sequence(lambda n: f"invitado{n}@entidad.gob.pe")
    role = Role.EDITOR
    token = factory.Sequence(lambda n: f"token-de-prueba-{n:06d}")
    token_hash = factory.LazyAttribute(lambda o: invitation_token_hash(o.token))
    expires_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=7))

    @classmethod
    def _create(cls, model_class: Any, *args: Any, **kwargs: Any) -> Any:
        token = kwargs.pop("token")
        invitation = super()._create(model_class, *args, **kwargs)
        invitation.token = token
        return invitation
