"""The catalogue pages: procedures, topics and life events."""

from datetime import date
from typing import Any
from urllib.parse import urlencode

from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponsePermanentRedirect,
    HttpResponseRedirect,
)
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import http_date
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from ventanilla.accounts.assurance import meets, parse_level, session_level
from ventanilla.catalogue.models import Channel, LifeEvent, Procedure, ProcedureKind, Topic
from ventanilla.catalogue.selectors import (
    ProcedureFilters,
    ProcedurePage,
    life_event_get,
    procedure_filter_choices,
    procedure_filters_parse,
    procedure_page_get,
    topic_get,
    topic_list_with_counts,
)
from ventanilla.catalogue.selectors import (
    life_event_list as select_life_events,
)
from ventanilla.catalogue.selectors import (
    procedure_list as select_procedures,
)
from ventanilla.core.pagecache import citizen_page
from ventanilla.core.pagination import paginate
from ventanilla.institutions.models import Level


def _with_last_modified(response: HttpResponse, obj: object) -> HttpResponse:
    response["Last-Modified"] = http_date(obj.updated_at.timestamp())  # type: ignore[attr-defined]
    return response


@citizen_page
def procedure_list(request: HttpRequest) -> HttpResponse:
    filters = procedure_filters_parse(request.GET)
    page_of = paginate(select_procedures(filters=filters), request.GET.get("page"))
    context = {
        "filters": filters,
        "page_of": page_of,
        "choices": procedure_filter_choices(filters=filters),
        "kinds": ProcedureKind.choices,
        "levels": Level.choices,
        "crumbs": [(_("Trámites y servicios"), None)],
    }
    return render(request, "catalogue/procedure_list.html", context)


def _procedure_or_404(number: int) -> ProcedurePage:
    try:
        return procedure_page_get(number=number)
    except Procedure.DoesNotExist:
        raise Http404(_("No encontramos ese trámite.")) from None


def _procedure_url(doc: dict[str, Any]) -> str:
    return reverse("catalogue:procedure", kwargs={"number": doc["number"], "slug": doc["slug"]})


@citizen_page
def procedure_detail(request: HttpRequest, number: int, slug: str) -> HttpResponse:
    page = _procedure_or_404(number)
    doc = page.content
    if slug != doc["slug"]:
        return HttpResponsePermanentRedirect(_procedure_url(doc))
    institution = doc["institution"]
    crumbs: list[tuple[str, str | None]] = [(_("Trámites y servicios"), reverse("catalogue:list"))]
    if institution:
        crumbs.append((institution["acronym"] or institution["name"], institution["url"]))
    crumbs.append((doc["title"], None))
    checked_on = doc["source"]["checked_on"]
    context = {
        "procedure": doc,
        "crumbs": crumbs,
        "checked_on": date.fromisoformat(checked_on) if checked_on else None,
        "kind_label": ProcedureKind(doc["kind"]).label,
        "channel_kinds": dict(Channel.Kind.choices),
    }
    response = render(request, "catalogue/procedure_detail.html", context)
    response["Last-Modified"] = http_date(page.updated_at.timestamp())
    return response


@never_cache
def procedure_start(request: HttpRequest, number: int, slug: str) -> HttpResponse:
    """ "Iniciar trámite en línea": a procedure that asks for a level of identification sends the
    citizen to log in (or step up) first, then on to the online service."""
    doc = _procedure_or_404(number).content
    required = parse_level(doc.get("min_assurance"))
    if not doc["online_url"]:
        raise Http404(_("Este trámite no se puede iniciar en línea."))
    if required is not None and not meets(session_level(request), required):
        query = {"next": request.get_full_path()}
        if required != "one_factor":
            query["nivel"] = str(required)
        return HttpResponseRedirect(f"{reverse('accounts:login')}?{urlencode(query)}")
    return HttpResponseRedirect(doc["online_url"])


def procedure_by_number(request: HttpRequest, number: str) -> HttpResponse:
    return HttpResponsePermanentRedirect(_procedure_url(_procedure_or_404(int(number)).content))


@citizen_page
def topic_list(request: HttpRequest) -> HttpResponse:
    context = {"topics": list(topic_list_with_counts()), "crumbs": [(_("Temas"), None)]}
    return render(request, "catalogue/topic_list.html", context)


@citizen_page
def topic_detail(request: HttpRequest, slug: str) -> HttpResponse:
    try:
        topic = topic_get(slug=slug)
    except Topic.DoesNotExist:
        raise Http404(_("No encontramos ese tema.")) from None
    procedures = select_procedures(filters=ProcedureFilters(topic=topic.slug))
    context = {
        "topic": topic,
        "page_of": paginate(procedures, request.GET.get("page")),
        "crumbs": [(_("Temas"), reverse("catalogue:topics")), (topic.name, None)],
    }
    return _with_last_modified(render(request, "catalogue/topic_detail.html", context), topic)


@citizen_page
def life_event_list(request: HttpRequest) -> HttpResponse:
    context = {
        "life_events": list(select_life_events()),
        "crumbs": [(_("Momentos de vida"), None)],
    }
    return render(request, "catalogue/life_event_list.html", context)


@citizen_page
def life_event_detail(request: HttpRequest, slug: str) -> HttpResponse:
    try:
        life_event = life_event_get(slug=slug)
    except LifeEvent.DoesNotExist:
        raise Http404(_("No encontramos ese momento de vida.")) from None
    context = {
        "life_event": life_event,
        "crumbs": [
            (_("Momentos de vida"), reverse("catalogue:life_events")),
            (life_event.title, None),
        ],
    }
    response = render(request, "catalogue/life_event_detail.html", context)
    return _with_last_modified(response, life_event)
