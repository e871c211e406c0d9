"""The demo's digital services and cases (`manage.py setup_demo` calls `demo_services_ensure`).

Two real services from ventanilla/formbuilder/reference/services/ — the MTC's "Permiso especial
de tránsito" and a municipality's "Mesa de partes digital" — created, saved and published through
the form builder's services, each linked to its catalogue page; their officials; and cases in
every status of both workflows, each filled page by page and submitted by a citizen of the fake
civil registry (and a few by the demo citizen), then moved along its workflow by the officials
through the case services, so timelines, issued documents and due dates are the real ones.

Idempotent: services are compared with the files before saving or publishing, and every demo
case carries a fixed idempotency key; a case whose key exists is left as it is. Each case is
made in one transaction, so a failure leaves no half-handled case behind."""

import io
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from ventanilla.accounts.models import Membership, Role
from ventanilla.cases.models import Case, CaseEvent
from ventanilla.cases.services.applications import application_page_save, application_start
from ventanilla.cases.services.deadlines import business_days_add
from ventanilla.cases.services.handling import (
    case_assign,
    case_correction_request,
    case_correction_submit,
    case_message_reply,
    case_message_send,
    case_note_add,
    case_transition,
)
from ventanilla.cases.services.submission import case_submit
from ventanilla.catalogue.models import Procedure
from ventanilla.catalogue.services import procedure_create
from ventanilla.formbuilder.models import DigitalService
from ventanilla.formbuilder.services import (
    digital_service_create,
    digital_service_draft_save,
    digital_service_publish,
    draft_differs,
)
from ventanilla.institutions.models import Institution
from ventanilla.integrations.civil_registry.fake_people import DEMO_CITIZEN_DNI, DNI_PERSONS
from ventanilla.ubigeo.selectors import district_names

REFERENCE_DIR = Path(__file__).resolve().parent.parent / "formbuilder" / "reference" / "services"
MTC_FILE = REFERENCE_DIR / "mtc-permiso-especial-de-transito.json"
MUNI_FILE = REFERENCE_DIR / "muni-mesa-de-partes-digital.json"
# Once-only (issue 6): prefilled from RENIEC and SUNAT through the mediator, for Huancayo, the
# municipality the Peruvian directory grants those registries to. No cases: a read happens only
# when a citizen authorises it.
BODEGA_FILE = REFERENCE_DIR / "muni-licencia-funcionamiento-bodega.json"
# The gob.pe page of each municipality's own mesa de partes (see the file's meta).
MUNI_PROCEDURE_GOBPE_ID = {"munihuancayo": 11017, "munisanbartolo": 27434}

# A function that creates or repairs one demo login: setup_demo's `_user`.
UserEnsure = Callable[..., tuple[Any, bool]]
Page = tuple[str, dict[str, Any], dict[str, Any] | None]


@dataclass
class DemoOutcome:
    """What the demo holds after the call: the official accounts to print (username, what
    they do), the services (name, citizen URL) and how many things were created or changed."""

    accounts: list[tuple[str, str]] = field(default_factory=list)
    services: list[tuple[str, str, str]] = field(default_factory=list)  # name, path, institution
    notes: list[str] = field(default_factory=list)
    changes: int = 0


def reference_service(path: Path) -> dict[str, Any]:
    """One service file of ventanilla/formbuilder/reference/services/ ("ventanilla-service/1")."""
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    if data.get("format") != "ventanilla-service/1":
        raise ValueError(f"{path.name}: not a ventanilla-service/1 file")
    return data


# --- Accounts ---------------------------------------------------------------------------------


def _official(
    user_ensure: UserEnsure, username: str, first_name: str, institution: Institution, role: str
) -> tuple[Any, int]:
    user, changed = user_ensure(username, superuser=False, first_name=first_name[:150])
    _membership, created = Membership.objects.get_or_create(
        user=user, institution=institution, role=role
    )
    return user, int(changed) + int(created)


def _citizens(user_ensure: UserEnsure) -> tuple[list[Any], int]:
    """One account per adult of the fake civil registry (the demo citizen apart), verified as
    registration would leave them."""
    users, changes = [], 0
    for person in DNI_PERSONS:
        if person.document_number == DEMO_CITIZEN_DNI:
            continue
        user, changed = user_ensure(
            f"dni-{person.document_number}",
            superuser=False,
            staff=False,
            document_type="dni",
            document_number=person.document_number,
            first_name=person.display_given_names,
            last_name=person.display_surnames,
            email=f"ciudadano.{person.document_number}@ventanilla.test",
        )
        if user.registry_verified_at is None:
            user.registry_verified_at = timezone.now()
            user.save(update_fields=["registry_verified_at"])
            changed = True
        users.append(user)
        changes += int(changed)
    return users, changes


# --- Services ---------------------------------------------------------------------------------


def _mtc_procedure(mtc: Institution, meta: dict[str, Any], admin: Any) -> tuple[Procedure, int]:
    """The MTC's page for the permit. gob.pe's catalogue has none of the MTC (the 2020 vehicle
    pass, gob.pe/9121, belongs to no institution there), and a service links only to a page of
    its own institution: the demo adds it as a local page, citing the pass it follows."""
    info = meta["procedure"]
    found = Procedure.objects.filter(institution=mtc, title=info["title"]).first()
    if found is not None:
        return found, 0
    procedure = procedure_create(
        institution=mtc,
        data={
            "title": info["title"],
            "summary": meta["description"],
            "audience": _(
                "Personas que necesitan trasladar un vehículo entre provincias mientras rige "
                "una restricción de tránsito."
            ),
            "fee_amount": 0,
            "time_limit": _("3 días hábiles"),
            "validity": _("Hasta la fecha de retorno indicada (máximo 15 días)."),
            "notes": info["note"],
            "source_url": f"https://www.gob.pe/{info['related_gobpe_ids'][0]}",
            "source_type": "demo",
        },
        by=admin,
    )
    return procedure, 1


def _service_ensure(
    *,
    data: dict[str, Any],
    institution: Institution,
    procedure: Procedure | None,
    designer: Any,
    slug: str,
    reference_prefix: str,
) -> tuple[DigitalService, int]:
    meta = data["meta"]
    changes = 0
    service = DigitalService.objects.filter(slug=slug).first()
    if service is None:
        service = digital_service_create(
            institution=institution,
            name=meta["name"],
            reference_prefix=reference_prefix,
            by=designer,
            procedure=procedure,
            slug=slug,
            min_assurance=meta["min_assurance"],
            description=meta["description"],
        )
        changes += 1
    if service.draft_definition != data["definition"] or service.draft_workflow != data["workflow"]:
        service = digital_service_draft_save(
            service=service, by=designer, definition=data["definition"], workflow=data["workflow"]
        )
        changes += 1
    if draft_differs(service):
        digital_service_publish(service=service, by=designer)
        changes += 1
    service.refresh_from_db()
    return service, changes


# --- Answers, page by page, as a browser would post them ----------------------------------------


def _pdf(title: str, lines: list[str]) -> bytes:
    """A one-page PDF standing for what a citizen would attach."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    buffer = io.BytesIO()
    sheet = canvas.Canvas(buffer, pagesize=A4, invariant=True)
    sheet.setTitle(title)
    sheet.setFont("Helvetica-Bold", 14)
    sheet.drawString(72, 770, title)
    sheet.setFont("Helvetica", 11)
    for number, line in enumerate(lines):
        sheet.drawString(72, 740 - 16 * number, line)
    sheet.showPage()
    sheet.save()
    return buffer.getvalue()


def _upload(name: str, title: str, lines: list[str]) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, _pdf(title, lines), content_type="application/pdf")


PLATES = ("F3K-482", "A7B-915", "C2M-306", "V1D-774", "B9H-120", "D4X-659", "T5Q-218", "Z8L-541")
VEHICLES = (
    ("carga", "Volvo FH 460"),
    ("automovil", "Toyota Yaris"),
    ("pasajeros", "Hyundai H-1"),
    ("carga", "Isuzu NPR"),
    ("automovil", "Kia Rio"),
    ("carga", "Hino 500"),
    ("automovil", "Nissan Sentra"),
    ("pasajeros", "Toyota Hiace"),
)
ROUTES = (
    ("150101", "120101"),
    ("080101", "040101"),
    ("130101", "150101"),
    ("200101", "130101"),
    ("210101", "080101"),
    ("120114", "150122"),
    ("110101", "150131"),
    ("040101", "210101"),
)
REASONS = (
    ("abastecimiento", "Traslado de víveres y medicinas para el mercado mayorista de Huancayo."),
    ("salud", "Llevo a mi madre a su control de oncología en el hospital regional de Arequipa."),
    ("trabajo", "Transporte al personal de una planta de alimentos que sigue operando."),
    ("abastecimiento", "Reparto de balones de oxígeno medicinal a clínicas de Trujillo."),
    ("retorno", "Vine por trabajo antes de la cuarentena y debo volver a mi domicilio en Cusco."),
    ("salud", "Traslado de un paciente dado de alta a su domicilio en Miraflores."),
    ("trabajo", "Soy técnico de mantenimiento de una central eléctrica en San Isidro."),
    ("otro", "Debo recoger a mis dos hijos menores que quedaron con sus abuelos en Puno."),
)


# Days between departure and return; the fifth asks for more than the 15 the permit allows (its
# case is asked to correct the date).
TRIP_DAYS = (4, 6, 10, 7, 20, 5, 3, 8, 12)


def _mtc_pages(n: int, user: Any, today: date) -> list[Page]:
    kind, model = VEHICLES[n % len(VEHICLES)]
    origin, destination = ROUTES[n % len(ROUTES)]
    reason, detail = REASONS[n % len(REASONS)]
    start = today + timedelta(days=1 + n % 4)
    drives = n % 3 != 2
    applicant = {
        "q-telefono": f"9{(user.document_number + '0')[:8]}",
        "q-correo": user.email,
        "q-es_conductor": "si" if drives else "no",
    }
    if not drives:
        other = DNI_PERSONS[(n + 5) % len(DNI_PERSONS)]
        applicant |= {
            "q-conductor_dni": other.document_number,
            "q-conductor_nombre": f"{other.display_given_names} {other.display_surnames}",
        }
    travellers: dict[str, Any] = {"q-lleva_pasajeros": "si" if n % 2 == 0 else "no"}
    if n % 2 == 0:
        for item in range(1 + n % 3):
            person = DNI_PERSONS[(n + item + 1) % len(DNI_PERSONS)]
            travellers[f"q-pasajeros-{item}-pasajero_dni"] = person.document_number
            travellers[f"q-pasajeros-{item}-pasajero_nombre"] = (
                f"{person.display_given_names} {person.display_surnames}"
            )
    support = _upload(
        "sustento.pdf",
        "Documento de sustento",
        [
            f"Solicitante: {user.get_full_name()} (DNI {user.document_number})",
            f"Motivo: {detail}",
            f"Vehículo: {PLATES[n % len(PLATES)]}, {model}",
        ],
    )
    return [
        ("solicitante", applicant, None),
        (
            "vehiculo",
            {"q-placa": PLATES[n % len(PLATES)], "q-tipo_vehiculo": kind, "q-marca_modelo": model},
            None,
        ),
        ("ruta", {"q-origen-district": origin, "q-destino-district": destination}, None),
        ("motivo_pagina", {"q-motivo": reason, "q-motivo_detalle": detail}, None),
        (
            "fechas",
            {
                "q-fecha_inicio": start.isoformat(),
                "q-fecha_fin": (start + timedelta(days=TRIP_DAYS[n % len(TRIP_DAYS)])).isoformat(),
            },
            None,
        ),
        ("ocupantes", travellers, None),
        ("sustento", {}, {"q-documento_sustento": [support]}),
    ]


SUBJECTS = (
    ("solicitud", "servicios_publicos", "Solicito poda de árboles en el parque de mi cuadra",
     "Los árboles del parque tocan los cables de luz y una rama cayó la semana pasada."),
    ("queja", "seguridad_ciudadana", "Queja por ruidos molestos de un local nocturno",
     "El local de la esquina funciona hasta las 4 a. m. todos los fines de semana."),
    ("solicitud", "desarrollo_urbano", "Solicito información sobre mi licencia de edificación",
     "Presenté los planos en marzo y quisiera saber en qué etapa está la evaluación."),
    ("carta", "alcaldia", "Invitación a la asamblea de la junta vecinal",
     "La junta vecinal invita al alcalde a la asamblea anual del próximo mes."),
    ("informacion", "promocion_economica", "Entrega de documentos pedidos para mi licencia",
     "Adjunto el certificado de defensa civil que me pidieron para continuar el trámite."),
    ("recurso", "rentas", "Reconsideración de la multa por arbitrios",
     "Pagué los arbitrios a tiempo y adjunto el voucher; pido que se deje sin efecto la multa."),
    ("solicitud", "transito", "Solicito señalización de un cruce peatonal escolar",
     "Frente al colegio no hay paso de cebra y los niños cruzan entre los autos."),
    ("otro", "no_se", "Ofrezco donar libros a la biblioteca municipal",
     "Tengo unos 200 libros escolares en buen estado que quisiera donar."),
)  # fmt: skip
STREETS = ("Jr. Ica 345", "Av. Giráldez 1020", "Calle Real 77", "Av. Huancavelica 512")
DISTRICTS = ("120101", "120114", "120107", "150122")
# A company for the odd filings: a RUC whose check digit is right.
COMPANY = ("20131312955", "Comercializadora Los Andes S.A.C.")


def _muni_pages(n: int, user: Any, today: date) -> list[Page]:
    kind, area, subject, description = SUBJECTS[n % len(SUBJECTS)]
    sender: dict[str, Any] = {
        "q-presenta_como": "juridica" if n % 4 == 3 else "natural",
        "q-telefono": f"9{(user.document_number + '1')[:8]}",
        "q-correo": user.email,
        "q-direccion-street": STREETS[n % len(STREETS)],
        "q-direccion-district": DISTRICTS[n % len(DISTRICTS)],
        "q-direccion-reference": "Frente al parque" if n % 2 else "",
    }
    if n % 4 == 3:
        sender |= {"q-ruc": COMPANY[0], "q-razon_social": COMPANY[1]}
    files = [
        _upload(
            "escrito.pdf",
            subject,
            [
                f"Señor alcalde: {description}",
                f"{user.get_full_name()}, DNI {user.document_number}",
            ],
        )
    ]
    if n % 3 == 0:
        files.append(_upload("anexo-1.pdf", "Anexo 1", ["Copia del documento de referencia."]))
    return [
        ("remitente", sender, None),
        (
            "documento",
            {
                "q-tipo_documento": kind,
                "q-asunto": subject,
                "q-dirigido_a": area,
                "q-expediente_previo": "",
                "q-descripcion": description,
            },
            None,
        ),
        ("adjuntos_pagina", {"q-folios": str(len(files) + n % 3)}, {"q-adjuntos": files}),
    ]


# --- Cases --------------------------------------------------------------------------------------

# Each step: ("assign",) | ("to", status, note) | ("note", text) | ("message", text) |
# ("reply", text) | ("correct", [question ids], message) | ("fix", {answers}).
Step = tuple[Any, ...]


@dataclass(frozen=True)
class DemoCase:
    applicant: str  # "demo" or "citizen"
    steps: tuple[Step, ...]


ASSIGN: Step = ("assign",)


def to(status: str, note: str = "") -> Step:
    return ("to", status, note)


def correct(fields: list[str], message: str) -> Step:
    return ("correct", fields, message)


MTC_CASES: tuple[DemoCase, ...] = (
    DemoCase("citizen", ()),
    DemoCase("citizen", (ASSIGN,)),
    DemoCase(
        "citizen",
        (
            ASSIGN,
            to("en_evaluacion"),
            ("note", "Se verificó la placa en el registro vehicular: coincide con el solicitante."),
        ),
    ),
    DemoCase(
        "demo",
        (
            ASSIGN,
            to("en_evaluacion"),
            correct(
                ["motivo_detalle"],
                "Indique el hospital y la fecha de la cita en la descripción del motivo.",
            ),
        ),
    ),
    DemoCase(
        "demo",
        (
            ASSIGN,
            to("en_evaluacion"),
            correct(
                ["fecha_fin"],
                "El permiso se otorga por 15 días como máximo: corrija la fecha de retorno.",
            ),
            ("fix", {"fecha_fin": "+5"}),
            to("aprobado", "Sustento conforme."),
        ),
    ),
    DemoCase(
        "citizen",
        (
            ASSIGN,
            to("en_evaluacion"),
            ("message", "Recibimos su sustento; lo evaluamos con la Policía de Carreteras."),
            ("reply", "Gracias, quedo atento."),
            to("aprobado"),
        ),
    ),
    DemoCase(
        "citizen",
        (
            ASSIGN,
            to("en_evaluacion"),
            to(
                "denegado",
                "El motivo no corresponde a una actividad esencial ni a un traslado humanitario "
                "(D.S. 044-2020-PCM).",
            ),
        ),
    ),
    DemoCase(
        "citizen",
        (
            ("reply", "Ya no necesito viajar: se levantó la restricción en mi provincia."),
            ASSIGN,
            to("archivado", "Desistimiento del solicitante."),
        ),
    ),
    DemoCase(
        "citizen",
        (
            ASSIGN,
            to("en_evaluacion"),
            correct(
                ["documento_sustento", "motivo_detalle"],
                "El documento adjunto no se lee: adjúntelo de nuevo y explique mejor el motivo.",
            ),
        ),
    ),
)

MUNI_CASES: tuple[DemoCase, ...] = (
    DemoCase("demo", ()),
    DemoCase("citizen", ()),
    DemoCase("citizen", (ASSIGN, to("derivado", "Derivado a la gerencia indicada."))),
    DemoCase(
        "citizen",
        (
            ASSIGN,
            to("derivado"),
            correct(["folios"], "El número de folios no coincide con los archivos adjuntos."),
        ),
    ),
    DemoCase(
        "citizen",
        (
            ASSIGN,
            to("derivado"),
            ("message", "Su pedido fue programado para la próxima semana."),
            to("atendido"),
        ),
    ),
    DemoCase(
        "citizen",
        (
            ASSIGN,
            correct(["folios"], "El escrito menciona un anexo de 2 páginas: indique el total."),
            ("fix", {"folios": 4}),
            to("derivado"),
            to("atendido", "Se atendió lo solicitado."),
        ),
    ),
    DemoCase(
        "citizen",
        (
            ASSIGN,
            to("derivado"),
            to("improcedente", "El plazo para la reconsideración venció (Ley 27444, art. 218)."),
        ),
    ),
    DemoCase("citizen", (ASSIGN, to("archivado", "Escrito duplicado del expediente anterior."))),
)


def _fix_value(value: Any, case: Case, question_id: str) -> Any:
    """ "+N" for a date: N days after the case's start date answer."""
    if isinstance(value, str) and value.startswith("+"):
        start = date.fromisoformat(str(case.answers.get("fecha_inicio")))
        return (start + timedelta(days=int(value[1:]))).isoformat()
    return value


def _case_make(
    *,
    key: str,
    service: DigitalService,
    applicant: Any,
    pages: list[Page],
    steps: tuple[Step, ...],
    official: Any,
) -> Case:
    application = application_start(service=service, applicant=applicant)
    for page_id, data, files in pages:
        outcome = application_page_save(
            application=application, page_id=page_id, data=data, by=applicant, files=files
        )
        if not outcome.ok:
            raise ValueError(f"demo case {key}, page {page_id}: {outcome.errors}")
        application.refresh_from_db()
    case = case_submit(application=application, by=applicant, idempotency_key=key)
    corrections = 0
    for step in steps:
        case.refresh_from_db()
        match step:
            case ("assign",):
                case = case_assign(case=case, assignee=official, by=official)
            case ("to", status, note):
                case = case_transition(case=case, to_status=status, by=official, note=note)
            case ("note", text):
                case_note_add(case=case, text=text, by=official)
            case ("message", text):
                case_message_send(case=case, text=text, by=official)
            case ("reply", text):
                case_message_reply(case=case, text=text, by=applicant)
            case ("correct", fields, message):
                case_correction_request(case=case, fields=fields, message=message, by=official)
            case ("fix", answers):
                corrections += 1
                fixed = {qid: _fix_value(v, case, qid) for qid, v in answers.items()}
                case = case_correction_submit(
                    case=case,
                    answers=fixed,
                    by=applicant,
                    idempotency_key=f"{key}-fix{corrections}",
                )
            case _:
                raise ValueError(f"unknown demo step {step!r}")
    case.refresh_from_db()
    return case


def _cases_ensure(
    *,
    service: DigitalService,
    scenario: tuple[DemoCase, ...],
    pages: Callable[[int, Any, date], list[Page]],
    citizens: list[Any],
    demo_citizen: Any,
    official: Any,
    offset: int,
) -> int:
    made = 0
    today = timezone.localdate()
    for n, demo_case in enumerate(scenario):
        key = f"demo-{service.slug}-{n:02d}"
        if Case.objects.filter(idempotency_key=key).exists():
            continue
        applicant = (
            demo_citizen
            if demo_case.applicant == "demo"
            else citizens[(offset + n) % len(citizens)]
        )
        with transaction.atomic():
            case = _case_make(
                key=key,
                service=service,
                applicant=applicant,
                pages=pages(n, applicant, today),
                steps=demo_case.steps,
                official=official,
            )
            _backdate(case, DAYS_AGO[n % len(DAYS_AGO)])
        made += 1
    return made


# How long ago each demo case was filed (calendar days), so the inbox shows cases due in a few
# days, due today and overdue, as a real one does.
DAYS_AGO = (9, 1, 4, 0, 13, 2, 6, 21, 3)


def _backdate(case: Case, days: int) -> None:
    """Move a demo case's history `days` back: filed, its timeline and its time limit."""
    if days <= 0:
        return
    delta = timedelta(days=days)
    CaseEvent.objects.filter(case=case).update(created_at=F("created_at") - delta)
    case.submitted_at -= delta
    if case.status_changed_at:
        case.status_changed_at -= delta
    if case.decided_at:
        case.decided_at -= delta
    limit = (case.service_version.workflow if case.service_version else {}).get("time_limit_days")
    if case.due_on and limit:
        case.due_on = business_days_add(timezone.localdate(case.submitted_at), int(limit))
    case.save(update_fields=["submitted_at", "status_changed_at", "decided_at", "due_on"])


def _districts_missing() -> list[str]:
    used = {code for route in ROUTES for code in route} | set(DISTRICTS)
    return sorted(code for code in used if district_names(code) is None)


def demo_services_ensure(
    *, admin: Any, citizen: Any, muni: Institution, user_ensure: UserEnsure
) -> DemoOutcome:
    """The two demo services published, their officials, and their cases in every status.
    `admin` is the demo's platform administrator (it adds the MTC's catalogue page), `citizen`
    the demo citizen, `muni` the demo's municipality, `user_ensure` setup_demo's `_user`.
    Without the MTC in the directory its service is left out; without the UBIGEO districts the
    answers name, the cases are (both come with load_reference_data)."""
    outcome = DemoOutcome()
    mtc = Institution.objects.filter(slug="mtc").first()
    missing = _districts_missing()
    with transaction.atomic():
        citizens, changes = _citizens(user_ensure)
        outcome.changes += changes
    plans = []
    if mtc is None:
        outcome.notes.append(_("Sin el servicio del MTC: el MTC no está en el directorio."))
    else:
        plans.append((mtc, MTC_FILE, "mtc", MTC_CASES, _mtc_pages))
    plans.append((muni, MUNI_FILE, "muni", MUNI_CASES, _muni_pages))
    offset = 0
    for institution, path, short, scenario, pages in plans:
        with transaction.atomic():
            designer, c1 = _official(
                user_ensure, f"designer.{short}",
                _("Diseño de servicios %(i)s") % {"i": institution.acronym or institution.name},
                institution, Role.SERVICE_DESIGNER,
            )  # fmt: skip
            gestor, c2 = _official(
                user_ensure, f"gestor.{short}",
                _("Gestión de expedientes %(i)s") % {"i": institution.acronym or institution.name},
                institution, Role.CASE_OFFICER,
            )  # fmt: skip
            data = reference_service(path)
            procedure: Procedure | None
            if institution == mtc:
                procedure, c3 = _mtc_procedure(institution, data["meta"], admin)
                slug, prefix = data["meta"]["slug"], data["meta"]["reference_prefix"]
            else:
                gobpe_id = MUNI_PROCEDURE_GOBPE_ID.get(institution.slug)
                procedure = (
                    Procedure.objects.filter(gobpe_id=gobpe_id, institution=institution).first()
                    if gobpe_id
                    else None
                )
                acronym = (institution.acronym or "MUNI").upper()
                c3, slug, prefix = 0, f"{acronym.lower()}-mesa-de-partes-digital", acronym[:12]
            service, c4 = _service_ensure(
                data=data,
                institution=institution,
                procedure=procedure,
                designer=designer,
                slug=slug,
                reference_prefix=prefix,
            )
            outcome.changes += c1 + c2 + c3 + c4
        outcome.accounts += [
            (f"designer.{short}", _("diseñador de servicios de %(i)s") % {"i": institution.name}),
            (f"gestor.{short}", _("gestor de expedientes de %(i)s") % {"i": institution.name}),
        ]
        outcome.services.append((service.name, f"/servicios/{service.slug}/", institution.name))
        if missing:
            continue
        outcome.changes += _cases_ensure(
            service=service,
            scenario=scenario,
            pages=pages,
            citizens=citizens,
            demo_citizen=citizen,
            official=gestor,
            offset=offset,
        )
        offset += len(scenario)
    if missing:
        outcome.notes.append(
            _("Sin expedientes de demostración: faltan los distritos %(c)s (load_reference_data).")
            % {"c": ", ".join(missing)}
        )
    _bodega_ensure(muni=muni, user_ensure=user_ensure, outcome=outcome)
    return outcome


def _bodega_ensure(*, muni: Institution, user_ensure: UserEnsure, outcome: DemoOutcome) -> None:
    """The once-only demo service, published for its institution (Huancayo); nothing is read
    from a registry here."""
    data = reference_service(BODEGA_FILE)
    meta = data["meta"]
    institution = Institution.objects.filter(slug=meta["institution"]).first()
    if institution is None:
        outcome.notes.append(
            _("Sin «%(s)s»: la Municipalidad Provincial de Huancayo no está en el directorio.")
            % {"s": meta["name"]}
        )
        return
    short = "muni" if institution == muni else "mph"
    with transaction.atomic():
        designer, c1 = _official(
            user_ensure, f"designer.{short}",
            _("Diseño de servicios %(i)s") % {"i": institution.acronym or institution.name},
            institution, Role.SERVICE_DESIGNER,
        )  # fmt: skip
        service, c2 = _service_ensure(
            data=data,
            institution=institution,
            procedure=None,
            designer=designer,
            slug=meta["slug"],
            reference_prefix=meta["reference_prefix"],
        )
        outcome.changes += c1 + c2
    if short != "muni":
        outcome.accounts.append(
            (f"designer.{short}", _("diseñador de servicios de %(i)s") % {"i": institution.name})
        )
    outcome.services.append((service.name, f"/servicios/{service.slug}/", institution.name))
