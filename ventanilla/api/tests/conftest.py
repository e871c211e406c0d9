"""A small directory and catalogue for the API tests, built with the domain factories."""

from dataclasses import dataclass
from decimal import Decimal

import pytest

from ventanilla.catalogue.models import Channel, Procedure, Topic
from ventanilla.catalogue.tests.factories import (
    CatalogueEntryFactory,
    ChannelFactory,
    ChannelStepFactory,
    ProcedureFactory,
    ProcedureSectionFactory,
    RequirementFactory,
    TopicFactory,
)
from ventanilla.institutions.models import ContactChannel, Institution, Kind, Level
from ventanilla.institutions.tests.factories import ContactChannelFactory, InstitutionFactory
from ventanilla.ubigeo.tests.factories import DepartmentFactory, DistrictFactory, ProvinceFactory


@dataclass
class Catalogue:
    reniec: Institution
    municipality: Institution
    dni: Procedure
    entry: Procedure


@pytest.fixture
def catalogue(db: None) -> Catalogue:
    lima = DepartmentFactory(code="15", name="Lima", slug="lima")
    province = ProvinceFactory(code="1501", department=lima, name="Lima")
    district = DistrictFactory(code="150101", province=province, name="Lima")
    reniec: Institution = InstitutionFactory.create(
        slug="reniec",
        name="Registro Nacional de Identificación y Estado Civil",
        acronym="RENIEC",
        kind=Kind.PUBLIC_AGENCY,
        level=Level.NATIONAL,
        ruc="20295613620",
        department=lima,
        province=province,
        district=district,
    )
    ContactChannelFactory(institution=reniec, kind=ContactChannel.Kind.PHONE, value="(01) 315-2700")
    ContactChannelFactory(
        institution=reniec, kind=ContactChannel.Kind.WEBSITE, value="https://www.gob.pe/reniec"
    )
    municipality: Institution = InstitutionFactory.create(
        slug="munilima",
        name="Municipalidad Metropolitana de Lima",
        acronym="MML",
        kind=Kind.PROVINCIAL_MUNICIPALITY,
        level=Level.LOCAL,
        department=lima,
        province=province,
    )
    topic: Topic = TopicFactory.create(slug="identidad", name="Identidad y documentos")
    dni: Procedure = ProcedureFactory.create(
        number=224,
        code="P001",
        title="Solicitar duplicado de DNI",
        slug="solicitar-duplicado-de-dni",
        institution=reniec,
        fee_amount=Decimal("30.00"),
        fee_detail="DNI azul S/ 30.00; DNIe S/ 35.00",
        validity="Misma fecha de caducidad",
        tupa_code="PA-01",
        online_url="https://www.gob.pe/reniec/duplicado",
        gobpe_id=224,
        popularity=100,
    )
    dni.topics.add(topic)
    RequirementFactory(procedure=dni, position=1, text="Recibo de pago")
    RequirementFactory(procedure=dni, position=2, text="DNI vigente")
    online = ChannelFactory(procedure=dni, kind=Channel.Kind.ONLINE, position=1)
    ChannelStepFactory(channel=online, position=1, text="Ingresa a la plataforma")
    ChannelStepFactory(channel=online, position=2, text="Paga en línea")
    ChannelFactory(procedure=dni, kind=Channel.Kind.IN_PERSON, position=2)
    ProcedureSectionFactory(procedure=dni, heading="Debes saber", items=["Uno.", "Dos."])
    ProcedureFactory(
        number=900_001,
        code="P002",
        title="Obtener licencia de funcionamiento",
        institution=municipality,
        fee_amount=Decimal("0"),
    )
    entry: Procedure = CatalogueEntryFactory.create(
        number=5_001, title="Consultar el estado de tu trámite"
    )
    return Catalogue(reniec=reniec, municipality=municipality, dni=dni, entry=entry)


@pytest.fixture
def many_rows(catalogue: Catalogue) -> Catalogue:
    """Thirty more institutions with a location and thirty more procedures with an institution,
    to show that query counts do not grow with the rows."""
    for n in range(30):
        inst = InstitutionFactory(
            name=f"Entidad adicional {n:02d}",
            department=catalogue.reniec.department,
            province=catalogue.reniec.province,
            district=catalogue.reniec.district,
        )
        ProcedureFactory(title=f"Solicitar constancia {n:02d}", institution=inst)
    return catalogue
