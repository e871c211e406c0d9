"""Reads of digital services, with their rules (published for citizens, tenancy for designers)."""

from typing import Any

from django.db.models import QuerySet

from ventanilla.accounts.permissions import is_platform_admin
from ventanilla.formbuilder.models import DigitalService, ServiceVersion
from ventanilla.formbuilder.permissions import designable_institution_ids


def digital_service_published(*, slug: str) -> DigitalService | None:
    """The service a citizen may apply to, with its current version; None when it does not
    exist, was never published or was withdrawn."""
    return (
        DigitalService.objects.select_related("current_version", "institution", "procedure")
        .filter(slug=slug, current_version__isnull=False, archived_at__isnull=True)
        # Records held for the GovStack reference clients are not services anyone applies to.
        .exclude(govstack__has_key="foreign")
        .first()
    )


def digital_services_for_designer(*, user: Any) -> QuerySet[DigitalService]:
    """The services `user` may design, by institution and name."""
    services = DigitalService.objects.select_related(
        "institution", "procedure", "current_version"
    ).order_by("institution__name", "name")
    if is_platform_admin(user):
        return services
    return services.filter(institution_id__in=designable_institution_ids(user))


def digital_service_for_designer(*, user: Any, pk: int) -> DigitalService | None:
    return digital_services_for_designer(user=user).filter(pk=pk).first()


def service_versions(*, service: DigitalService) -> QuerySet[ServiceVersion]:
    """A service's published versions, newest first, with who published them."""
    return service.versions.select_related("published_by").order_by("-number")
