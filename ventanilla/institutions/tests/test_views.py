"""The directory of institutions as a citizen sees it."""

import pytest

from ventanilla.institutions.models import Kind, Level
from ventanilla.institutions.tests.factories import InstitutionFactory
from ventanilla.ubigeo.tests.factories import DistrictFactory, ProvinceFactory

pytestmark = pytest.mark.django_db


def test_directory_lists_institutions_twenty_per_page_with_counts(client):
    InstitutionFactory.create_batch(23)
    html = client.get("/instituciones/").content.decode()
    assert "23 resultados · mostrando 1–20" in html
    assert "?page=2" in html
    assert "mostrando 21–23" in client.get("/instituciones/?page=2").content.decode()


def test_directory_query_count_is_pinned(client, django_assert_num_queries):
    district = DistrictFactory()
    InstitutionFactory.create_batch(
        20, department=district.province.department, province=district.province, district=district
    )
    # 3 filter checks, count, page, departments, provinces, districts.
    url = (
        f"/instituciones/?departamento={district.province.department.code}"
        f"&provincia={district.province.code}&distrito={district.code}"
    )
    with django_assert_num_queries(8):
        response = client.get(url)
    assert "20 resultados" in response.content.decode()


def test_directory_filters_by_level_kind_and_place(client):
    lima = ProvinceFactory(name="Lima")
    InstitutionFactory(
        name="Municipalidad de Miraflores",
        level=Level.LOCAL,
        kind=Kind.DISTRICT_MUNICIPALITY,
        department=lima.department,
        province=lima,
    )
    InstitutionFactory(name="Ministerio de Salud", level=Level.NATIONAL, kind=Kind.MINISTRY)
    html = client.get(
        f"/instituciones/?nivel=local&tipo=district_municipality&departamento={lima.department.code}"
    ).content.decode()
    assert "Municipalidad de Miraflores" in html
    assert "Ministerio de Salud" not in html
    # Once the department is chosen its provinces are offered, narrowed server-side.
    assert f'<option value="{lima.code}">Lima</option>' in html


def test_province_outside_the_chosen_department_is_dropped_not_an_error(client):
    elsewhere = ProvinceFactory()
    other = ProvinceFactory()
    InstitutionFactory(department=other.department, province=other, name="Gobierno de allá")
    html = client.get(
        f"/instituciones/?departamento={other.department.code}&provincia={elsewhere.code}"
    ).content.decode()
    assert "Gobierno de allá" in html


def test_directory_letter_and_search_filters(client):
    InstitutionFactory(name="Órgano de Supervisión", acronym="OSX")
    InstitutionFactory(name="Banco de la Nación")
    html = client.get("/instituciones/?letra=O").content.decode()
    assert "Órgano de Supervisión" in html
    assert "Banco de la Nación" not in html
    assert "Banco de la Nación" in client.get("/instituciones/?q=nacion").content.decode()


def test_directory_unknown_filter_values_give_empty_list_and_spanish_message(client):
    InstitutionFactory()
    response = client.get("/instituciones/?nivel=espacial&departamento=99&letra=Ñ1")
    html = response.content.decode()
    assert response.status_code == 200
    assert "El nivel de gobierno «espacial» no existe." in html
    assert "El departamento «99» no existe." in html
    assert "No hay resultados con estos filtros." in html


def test_unknown_institution_is_a_spanish_404_with_a_way_back(client):
    response = client.get("/institucion/no-existe/")
    html = response.content.decode()
    assert response.status_code == 404
    assert "No encontramos esta página" in html
    assert 'href="/instituciones/"' in html
