"""The citizen's "Mis datos": who read their data (from the mediator's message log, like
Estonia's data tracker), and the consents they gave, which they can withdraw.

Every page holds personal data, so none is cached (never_cache); every button is a plain form
submit (works without JavaScript)."""

import uuid
from datetime import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.timezone import localtime
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from ventanilla.interop.models import ConsentRecord
from ventanilla.interop.selectors import citizen_consent, citizen_consents, citizen_data_reads
from ventanilla.interop.services.consent import consent_withdraw as consent_withdraw_service
from ventanilla.interop.services.consent import individual_ref_for


def _when(moment: datetime | None, *, time: bool = True) -> str:
    """A date (and time) as read in Lima: 27/03/2026 14:05."""
    if moment is None:
        return ""
    return localtime(moment).strftime("%d/%m/%Y %H:%M" if time else "%d/%m/%Y")


def _crumbs(*items: tuple[str, str | None]) -> list[tuple[str, str | None]]:
    return [(_("Mi cuenta"), reverse("accounts:home")), *items]


def _notices(request: HttpRequest) -> list[str]:
    return [str(m) for m in messages.get_messages(request)]


@never_cache
@login_required
@require_http_methods(["GET"])
def data_reads(request: HttpRequest) -> HttpResponse:
    """ "Quién consultó tus datos": every read of the citizen's data, newest first."""
    has_document = bool(individual_ref_for(request.user))
    page_of = citizen_data_reads(request.user, page=request.GET.get("page"))
    rows = [{"read": r, "when": _when(r.when)} for r in page_of.page.object_list]
    context = {
        "has_document": has_document,
        "page_of": page_of,
        "rows": rows,
        "total": page_of.paginator.count,
        "crumbs": _crumbs((_("Mis datos"), None)),
    }
    return render(request, "interop/data_reads.html", context)


@never_cache
@login_required
@require_http_methods(["GET"])
def consents(request: HttpRequest) -> HttpResponse:
    """The consents the citizen gave: to whom, which data, what for, until when; withdraw."""
    rows = [
        {
            "consent": c,
            "until": _when(c.expires_at, time=False),
            "withdrawn": _when(c.withdrawn_at, time=False),
        }
        for c in citizen_consents(request.user)
    ]
    context = {
        "has_document": bool(individual_ref_for(request.user)),
        "rows": rows,
        "notices": _notices(request),
        "crumbs": _crumbs(
            (_("Mis datos"), reverse("interop-data-reads")), (_("Autorizaciones"), None)
        ),
    }
    return render(request, "interop/consents.html", context)


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def consent_withdraw(request: HttpRequest, record_id: uuid.UUID) -> HttpResponse:
    """GET asks to confirm; POST withdraws (again: nothing more happens) and goes back to the
    list with what now changes."""
    record = citizen_consent(user=request.user, record_id=str(record_id))
    if record is None:
        raise Http404(_("No encontramos esa autorización."))
    institution = record.agreement.client.member.name
    if request.method == "POST":
        try:
            consent_withdraw_service(user=request.user, record=record)
        except PermissionDenied as error:  # the record changed hands since it was read
            raise Http404(_("No encontramos esa autorización.")) from error
        messages.success(
            request,
            _(
                "Revocaste la autorización. %(institution)s ya no puede consultar estos datos. "
                "Si los necesita para un trámite, te volverá a pedir permiso o podrás "
                "escribirlos tú."
            )
            % {"institution": institution},
        )
        return HttpResponseRedirect(reverse("interop-consents"), status=303)
    context = {
        "record": record,
        "institution": institution,
        "already": record.state == ConsentRecord.State.WITHDRAWN,
        "service": record.agreement.service,
        "crumbs": _crumbs(
            (_("Mis datos"), reverse("interop-data-reads")),
            (_("Autorizaciones"), reverse("interop-consents")),
            (_("Revocar"), None),
        ),
    }
    return render(request, "interop/consent_withdraw.html", context)
