"""The directory of institutions: the filtered list and each institution's page."""

from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import http_date
from django.utils.translation import gettext as _

from ventanilla.core.pagecache import citizen_page
from ventanilla.core.pagination import paginate
from ventanilla.institutions.models import Institution, Kind, Level
from ventanilla.institutions.selectors import (
    institution_filters_parse,
    institution_get,
    institution_place_choices,
    institution_procedures,
)
from ventanilla.institutions.selectors import (
    institution_list as select_institutions,
)

LETTERS = [chr(c) for c in range(ord("A"), ord("Z") + 1)]


def _narrowed(params: QueryDict) -> QueryDict:
    """Drop a province outside the chosen department (and a district outside the chosen
    province): without JavaScript the old value is still sent after the visitor changes
    the wider place."""
    params = params.copy()
    department, province = params.get("departamento", ""), params.get("provincia", "")
    if department and province and not province.startswith(department):
        params.pop("provincia", None)
        params.pop("distrito", None)
        province = ""
    district = params.get("distrito", "")
    if district and not (province and district.startswith(province)):
        params.pop("distrito", None)
    return params


@citizen_page
def institution_list(request: HttpRequest) -> HttpResponse:
    filters = institution_filters_parse(_narrowed(request.GET))
    page_of = paginate(select_institutions(filters=filters), request.GET.get("page"))
    context = {
        "filters": filters,
        "page_of": page_of,
        "places": institution_place_choices(filters=filters),
        "levels": Level.choices,
        "kinds": Kind.choices,
        "letters": LETTERS,
        "crumbs": [(_("Instituciones"), None)],
    }
    return render(request, "institutions/list.html", context)


@citizen_page
def institution_detail(request: HttpRequest, slug: str) -> HttpResponse:
    try:
        institution = institution_get(slug=slug)
    except Institution.DoesNotExist:
        raise Http404(_("No encontramos esa institución.")) from None
    procedures, procedure_count = institution_procedures(institution=institution, limit=20)
    context = {
        "institution": institution,
        "procedures": procedures,
        "procedure_count": procedure_count,
        "all_procedures_url": reverse("catalogue:list") + f"?institucion={institution.slug}",
        "crumbs": [
            (_("Instituciones"), reverse("institutions:list")),
            (institution.acronym or institution.name, None),
        ],
    }
    response = render(request, "institutions/detail.html", context)
    response["Last-Modified"] = http_date(institution.updated_at.timestamp())
    return response
