"""The institution page lists the institution's procedures: tested here because the catalogue
sits above the directory in the import layers."""

import pytest

from ventanilla.catalogue.tests.factories import CatalogueEntryFactory, ProcedureFactory
from ventanilla.institutions.models import ContactChannel
from ventanilla.institutions.tests.factories import ContactChannelFactory, InstitutionFactory
from ventanilla.ubigeo.tests.factories import DistrictFactory

pytestmark = pytest.mark.django_db


def test_institution_page_shows_identity_location_contacts_and_procedures(client):
    district = DistrictFactory(name="Miraflores", province__name="Lima")
    institution = InstitutionFactory(
        name="Registro Nacional de Identificación y Estado Civil",
        acronym="RENIEC",
        ruc="20295613620",
        department=district.province.department,
        province=district.province,
        district=district,
    )
    ContactChannelFactory(
        institution=institution, kind=ContactChannel.Kind.PHONE, value="(01) 315-2700"
    )
    ContactChannelFactory(
        institution=institution, kind=ContactChannel.Kind.WEBSITE, value="https://www.reniec.gob.pe"
    )
    CatalogueEntryFactory(institution=institution, title="Página solo con título", popularity=50)
    ProcedureFactory(institution=institution, title="Solicitar duplicado de DNI")

    response = client.get(institution.get_absolute_url())
    html = response.content.decode()
    for text in [
        "RENIEC",
        "20295613620",
        "Miraflores, Lima",
        "(01) 315-2700",
        "https://www.reniec.gob.pe",
        "Nacional",
        "Organismo público",
        "Esta institución aún no ha publicado noticias.",
        "Normas legales",
        "Publicaciones",
    ]:
        assert text in html, text
    assert html.index("Solicitar duplicado de DNI") < html.index("Página solo con título")
    assert response["Last-Modified"]


def test_institution_page_query_count_is_pinned(client, django_assert_num_queries):
    institution = InstitutionFactory()
    ProcedureFactory.create_batch(3, institution=institution)
    # institution, contacts, procedure count, procedures.
    with django_assert_num_queries(4):
        client.get(institution.get_absolute_url())
