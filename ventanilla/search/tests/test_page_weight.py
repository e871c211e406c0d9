"""Every citizen page weighs under 30 KB transferred: gzipped HTML plus gzipped CSS."""

import gzip
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.test import Client

from ventanilla.catalogue.models import Channel
from ventanilla.catalogue.tests.factories import (
    ChannelFactory,
    ChannelStepFactory,
    LifeEventStepFactory,
    ProcedureFactory,
    ProcedureSectionFactory,
    RequirementFactory,
    TopicFactory,
)
from ventanilla.institutions.tests.factories import ContactChannelFactory, InstitutionFactory
from ventanilla.ubigeo.tests.factories import DistrictFactory

BUDGET = 30 * 1024
CSS = Path(settings.BASE_DIR) / "static" / "css" / "ventanilla.css"
SENTENCE = "Este trámite procede cuando el DNI está vigente y se realiza en un Centro de Atención. "


def gzipped(data: bytes) -> int:
    return len(gzip.compress(data, compresslevel=6))


@pytest.fixture
def heavy_portal(db: None) -> dict[str, Any]:
    """Pages as large as real ones get: long procedure texts, 20 rows per list, full selects."""
    district: Any = DistrictFactory()
    for n in range(24):
        DistrictFactory(province=district.province, name=f"Distrito con nombre largo {n}")
    institution = InstitutionFactory(
        name="Registro Nacional de Identificación y Estado Civil",
        acronym="RENIEC",
        department=district.province.department,
        province=district.province,
        district=district,
    )
    for n in range(6):
        ContactChannelFactory(institution=institution, value=f"(01) 315-27{n:02d}")
    topic: Any = TopicFactory(name="Identidad y documentos")
    procedure = ProcedureFactory(
        institution=institution,
        title="Solicitar duplicado de DNI",
        summary=SENTENCE * 8,
        audience=SENTENCE * 2,
        fee_detail=SENTENCE * 3,
        online_url="https://example.pe/",
        notes=SENTENCE,
    )
    topic.procedures.add(procedure)
    for n in range(15):
        RequirementFactory(procedure=procedure, text=f"{n}. {SENTENCE}")
    for kind in Channel.Kind.values:
        channel = ChannelFactory(procedure=procedure, kind=kind, description=SENTENCE * 2)
        for n in range(20):
            ChannelStepFactory(channel=channel, text=f"Paso {n}: {SENTENCE}")
    for n in range(8):
        ProcedureSectionFactory(procedure=procedure, heading=f"Sección {n}", items=[SENTENCE] * 12)
    for n in range(40):
        topic.procedures.add(
            ProcedureFactory(institution=institution, title=f"Solicitar certificado de tipo {n}")
        )
    for n in range(25):
        InstitutionFactory(
            name=f"Municipalidad distrital de un lugar del Perú {n}",
            department=district.province.department,
            province=district.province,
        )
    event = LifeEventStepFactory(procedure=procedure).life_event
    return {
        "procedure": procedure,
        "institution": institution,
        "topic": topic,
        "event": event,
        "district": district,
    }


def test_every_citizen_page_is_under_30_kb_gzipped_with_its_css(
    client: Client, heavy_portal: dict[str, Any]
) -> None:
    css = gzipped(CSS.read_bytes())
    d = heavy_portal["district"]
    urls = [
        "/",
        "/instituciones/",
        f"/instituciones/?departamento={d.province.department.code}&provincia={d.province.code}",
        heavy_portal["institution"].get_absolute_url(),
        "/tramites/",
        heavy_portal["procedure"].get_absolute_url(),
        "/temas/",
        heavy_portal["topic"].get_absolute_url(),
        "/momentos-de-vida/",
        heavy_portal["event"].get_absolute_url(),
        "/buscar/?q=certificado",
        "/no-existe/",
    ]
    sizes = {}
    for url in urls:
        response = client.get(url)
        assert response.status_code in (200, 404), url
        sizes[url] = gzipped(response.content) + css
    print({u: f"{s / 1024:.1f} KB" for u, s in sizes.items()}, f"CSS {css} B")
    assert all(size < BUDGET for size in sizes.values()), sizes
