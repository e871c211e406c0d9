"""A small slice of the real portal for the browser checks, copied from ../shared/data.

RENIEC and a district municipality, "Solicitar duplicado de DNI" (gob.pe 224, P001) as a full page
with requirements and channels, a title-only catalogue page, a topic and the life event
"Perdí mi DNI". Values are the real ones, so lengths and accents are what citizens see.
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from ventanilla.catalogue.models import (
    Channel,
    ChannelStep,
    LifeEvent,
    LifeEventStep,
    Procedure,
    ProcedureKind,
    Requirement,
    Topic,
)
from ventanilla.core.text import fold
from ventanilla.institutions.models import Branch, ContactChannel, Institution, Kind, Level
from ventanilla.ubigeo.models import Department, District, Province


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


def _institution(**fields: object) -> Institution:
    name = str(fields["name"])
    acronym = str(fields.get("acronym", ""))
    return Institution.objects.create(
        search_text=fold(f"{name} {acronym}"), initial=fold(name)[:1], **fields
    )


def _procedure(**fields: object) -> Procedure:
    return Procedure.objects.create(search_text=fold(str(fields["title"])), **fields)


def portal_sample() -> PortalSample:
    lima = Department.objects.create(
        code="15", reniec_code="14", name="Lima", slug="lima", capital="Lima", iso_code="PE-LIM"
    )
    lima_province = Province.objects.create(
        code="1501", reniec_code="1401", department=lima, name="Lima", capital="Lima"
    )
    lima_district = District.objects.create(
        code="150101", reniec_code="140101", province=lima_province, name="Lima", capital="Lima"
    )
    miraflores = District.objects.create(
        code="150122",
        reniec_code="140115",
        province=lima_province,
        name="Miraflores",
        capital="Miraflores",
    )

    reniec = _institution(
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
    ContactChannel.objects.create(
        institution=reniec, kind=ContactChannel.Kind.WEBSITE, value="https://www.gob.pe/reniec"
    )
    _institution(
        slug="munimiraflores",
        name="Municipalidad Distrital de Miraflores",
        level=Level.LOCAL,
        branch=Branch.LOCAL_GOVERNMENT,
        kind=Kind.DISTRICT_MUNICIPALITY,
        department=lima,
        province=lima_province,
        district=miraflores,
    )

    duplicate = _procedure(
        number=224,
        slug="solicitar-duplicado-de-dni",
        code="P001",
        title="Solicitar duplicado de DNI",
        kind=ProcedureKind.PROCEDURE,
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
        has_detail=True,
        popularity=100,
    )
    for position, text in enumerate(
        [
            "Recibo de pago por derechos administrativos.",
            "DNI vigente (no caduco ni dentro de 60 días de caducar).",
            "Estado civil actualizado.",
        ]
    ):
        Requirement.objects.create(procedure=duplicate, position=position, text=text)
    channels = {
        Channel.Kind.ONLINE: [
            "Realiza el pago del duplicado en Pagalo.pe o con Yape.",
            "Ingresa al servicio en línea con tu DNI y el número de operación.",
            "Elige dónde recoger tu DNI.",
        ],
        Channel.Kind.IN_PERSON: [
            "Acércate a un Centro de Atención del Reniec o a un Centro MAC.",
            "Presenta el recibo de pago y toma tu foto y huellas.",
        ],
    }
    for position, (kind, steps) in enumerate(channels.items()):
        channel = Channel.objects.create(
            procedure=duplicate,
            kind=kind,
            position=position,
            url="https://www.gob.pe/224-solicitar-duplicado-de-dni"
            if kind == Channel.Kind.ONLINE
            else "",
        )
        for step_position, text in enumerate(steps):
            ChannelStep.objects.create(channel=channel, position=step_position, text=text)

    # A gob.pe catalogue page of which only the number and the title are known.
    _procedure(
        number=133,
        slug="afiliarte-al-sis-gratuito",
        title="Afiliarte al SIS Gratuito",
        kind=ProcedureKind.PROCEDURE,
        gobpe_id=133,
    )

    topic = Topic.objects.create(
        slug="dni-e-identidad",
        name="DNI e identidad",
        description="Obtén, renueva o recupera tu Documento Nacional de Identidad.",
    )
    topic.procedures.add(duplicate)

    lost_dni = LifeEvent.objects.create(
        slug="perdi-mi-dni",
        title="Perdí mi DNI",
        summary="Qué hacer si perdiste tu DNI o te lo robaron.",
    )
    LifeEventStep.objects.create(
        life_event=lost_dni,
        position=0,
        title="Denuncia la pérdida o el robo",
        description="No es un requisito, pero evita que otra persona use tu DNI.",
    )
    LifeEventStep.objects.create(
        life_event=lost_dni, position=1, title="Pide el duplicado", procedure=duplicate
    )
    return PortalSample(institution=reniec, procedure=duplicate, topic=topic, life_event=lost_dni)
