"""A small slice of the real portal for the browser checks, copied from ../shared/data.

RENIEC and a district municipality, "Solicitar duplicado de DNI" (gob.pe 224, P001) as a full page
with requirements and channels, a title-only catalogue page, a topic and the life event
"Perdí mi DNI". Values are the real ones, so lengths and accents are what citizens see. The
directory and the catalogue also get more than a page of the *longest* real names and titles, so
the weight and 320 px checks see a full list page at its worst.
"""

import csv
import json
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import cache

from django.conf import settings

from ventanilla.catalogue.models import Channel, LifeEvent, Procedure, Topic
from ventanilla.catalogue.tests.factories import (
    CatalogueEntryFactory,
    ChannelFactory,
    ChannelStepFactory,
    LifeEventFactory,
    LifeEventStepFactory,
    ProcedureFactory,
    RequirementFactory,
    TopicFactory,
)
from ventanilla.institutions.models import Branch, ContactChannel, Institution, Kind, Level
from ventanilla.institutions.tests.factories import ContactChannelFactory, InstitutionFactory
from ventanilla.ubigeo.tests.factories import DepartmentFactory, DistrictFactory, ProvinceFactory


@dataclass(frozen=True)
class PortalSample:
    institution: Institution
    procedure: Procedure
    topic: Topic
    life_event: LifeEvent

    def pages(self) -> dict[str, str]:
        """Every citizen page the checks visit, by name: path."""
        return {
            "home": "/",
            "directory": "/instituciones/",
            "institution": self.institution.get_absolute_url(),
            "procedure": self.procedure.get_absolute_url(),
            "catalogue": "/tramites/",
            "topic": self.topic.get_absolute_url(),
            "life_event": self.life_event.get_absolute_url(),
            "search": "/buscar/?q=duplicado+dni",
            "not_found": "/institucion/esta-entidad-no-existe/",
        }


FULL_LIST = 45  # more than two pages of the directory and the catalogue


@cache
def _longest_real_names() -> tuple[list[dict[str, str]], list[dict[str, str]]]:
    """The institutions with the longest names and the gob.pe pages with the longest titles."""
    data = settings.SHARED_DATA_DIR
    directory = json.loads(
        (data / "gobpe_entidades_muniscan" / "entities_2026-08-21.json").read_text("utf-8")
    )["lista"]
    entities = sorted(directory, key=lambda e: -len(e["nombre"]))[:FULL_LIST]
    with (data / "gobpe_catalogo" / "catalogo.csv").open(encoding="utf-8-sig", newline="") as f:
        pages = sorted(csv.DictReader(f), key=lambda row: -len(row["title"]))[:FULL_LIST]
    return entities, pages


def _longest_real_rows() -> None:
    entities, pages = _longest_real_names()
    Institution.objects.bulk_create(
        InstitutionFactory.build(slug=e["slug"], name=e["nombre"])
        for e in entities
        if e["slug"] not in {"reniec", "munimiraflores"}
    )
    Procedure.objects.bulk_create(
        CatalogueEntryFactory.build(number=int(row["gobpe_id"]), title=row["title"][:300])
        for row in pages
        if int(row["gobpe_id"]) not in {224, 133}
    )


def portal_sample() -> PortalSample:
    lima = DepartmentFactory(
        code="15", reniec_code="14", name="Lima", slug="lima", capital="Lima", iso_code="PE-LIM"
    )
    lima_province = ProvinceFactory(
        code="1501", reniec_code="1401", department=lima, name="Lima", capital="Lima"
    )
    lima_district = DistrictFactory(
        code="150101", reniec_code="140101", province=lima_province, name="Lima", capital="Lima"
    )
    miraflores = DistrictFactory(
        code="150122",
        reniec_code="140115",
        province=lima_province,
        name="Miraflores",
        capital="Miraflores",
    )

    reniec = InstitutionFactory(
        slug="reniec",
        name="Registro Nacional de Identificación y Estado Civil",
        acronym="RENIEC",
        level=Level.NATIONAL,
        branch=Branch.AUTONOMOUS,
        kind=Kind.CONSTITUTIONAL,
        ruc="20295613620",
        department=lima,
        province=lima_province,
        district=lima_district,
        sector="Organismos autónomos",
    )
    ContactChannelFactory(
        institution=reniec, kind=ContactChannel.Kind.WEBSITE, value="https://www.gob.pe/reniec"
    )
    InstitutionFactory(
        slug="munimiraflores",
        name="Municipalidad Distrital de Miraflores",
        level=Level.LOCAL,
        branch=Branch.LOCAL_GOVERNMENT,
        kind=Kind.DISTRICT_MUNICIPALITY,
        department=lima,
        province=lima_province,
        district=miraflores,
    )

    duplicate = ProcedureFactory(
        number=224,
        slug="solicitar-duplicado-de-dni",
        code="P001",
        title="Solicitar duplicado de DNI",
        institution=reniec,
        summary=(
            "En caso de que pierdas tu Documento Nacional de Identidad Electrónico (DNIe), te lo "
            "roben o esté en muy mal estado, debes solicitar el Duplicado del DNI."
        ),
        audience=(
            "Personas con DNI vigente (no caduco ni dentro de los 60 días antes de su caducidad). "
            "Los menores de 17 años lo solicitan de forma presencial, con el padre o la madre "
            "declarante."
        ),
        fee_amount=Decimal("30.00"),
        fee_detail=(
            "DNI azul S/ 30.00 (cód. 02121); DNIe S/ 35.00 (cód. 00522); menor de edad S/ 16.00 "
            "(cód. 00647); gratuito para personas con discapacidad (presencial)"
        ),
        time_limit="aprox. 10 días hábiles (presencial)",
        validity="misma fecha de caducidad que el DNI anterior",
        online_url="https://www.gob.pe/224-solicitar-duplicado-de-dni",
        source_url="https://www.gob.pe/224-solicitar-duplicado-de-dni",
        source_type="Ficha de gob.pe",
        source_checked_on=date(2026, 9, 8),
        gobpe_id=224,
        popularity=100,
    )
    for position, text in enumerate(
        [
            "Recibo de pago por derechos administrativos.",
            "DNI vigente (no caduco ni dentro de 60 días de caducar).",
            "Estado civil actualizado.",
        ]
    ):
        RequirementFactory(procedure=duplicate, position=position, text=text)
    online = ChannelFactory(
        procedure=duplicate,
        kind=Channel.Kind.ONLINE,
        position=0,
        description="Por la web, si tu DNI está vigente y eres mayor de edad.",
        url="https://www.gob.pe/224-solicitar-duplicado-de-dni",
    )
    in_person = ChannelFactory(
        procedure=duplicate,
        kind=Channel.Kind.IN_PERSON,
        position=1,
        description="En un Centro de Atención del Reniec o en un Centro MAC.",
    )
    steps = {
        online: [
            "Realiza el pago del duplicado en Pagalo.pe o con Yape.",
            "Ingresa al servicio en línea con tu DNI y el número de operación.",
            "Elige dónde recoger tu DNI.",
        ],
        in_person: [
            "Acércate a un Centro de Atención del Reniec o a un Centro MAC.",
            "Presenta el recibo de pago y toma tu foto y huellas.",
        ],
    }
    for channel, texts in steps.items():
        for position, text in enumerate(texts):
            ChannelStepFactory(channel=channel, position=position, text=text)

    # A gob.pe catalogue page of which only the number and the title are known.
    CatalogueEntryFactory(
        number=133, slug="afiliarte-al-sis-gratuito", title="Afiliarte al SIS Gratuito"
    )

    topic = TopicFactory(
        slug="dni-e-identidad",
        name="DNI e identidad",
        description="Obtén, renueva o recupera tu Documento Nacional de Identidad.",
    )
    topic.procedures.add(duplicate)

    lost_dni = LifeEventFactory(
        slug="perdi-mi-dni",
        title="Perdí mi DNI",
        summary="Qué hacer si perdiste tu DNI o te lo robaron.",
    )
    LifeEventStepFactory(
        life_event=lost_dni,
        position=0,
        title="Denuncia la pérdida o el robo",
        description="No es un requisito, pero evita que otra persona use tu DNI.",
        procedure=None,
    )
    LifeEventStepFactory(
        life_event=lost_dni, position=1, title="Pide el duplicado", procedure=duplicate
    )
    _longest_real_rows()
    return PortalSample(institution=reniec, procedure=duplicate, topic=topic, life_event=lost_dni)
