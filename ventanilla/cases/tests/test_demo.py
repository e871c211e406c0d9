"""`setup_demo` publishes the two demo services and fills their inboxes with a case in every
status of each workflow, through the real services, and a second run changes nothing."""

import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from ventanilla.accounts.models import Membership, Role
from ventanilla.audit.models import AuditEvent
from ventanilla.cases.demo import DISTRICTS, MTC_FILE, MUNI_FILE, ROUTES, reference_service
from ventanilla.cases.models import Case, CaseEvent, CaseFile, IssuedDocument
from ventanilla.catalogue.models import Procedure
from ventanilla.formbuilder.definition import definition_errors, workflow_errors
from ventanilla.formbuilder.interchange import definition_from_xlsform, definition_to_xlsform
from ventanilla.formbuilder.models import DigitalService, ServiceVersion
from ventanilla.institutions.tests.factories import InstitutionFactory
from ventanilla.notifications.models import InboxItem, Message, Preference
from ventanilla.ubigeo.tests.factories import (
    DepartmentFactory,
    DistrictFactory,
    ProvinceFactory,
)

pytestmark = pytest.mark.django_db(transaction=True)


def _districts() -> None:
    for code in {c for route in ROUTES for c in route} | set(DISTRICTS):
        department = DepartmentFactory(code=code[:2])
        province = ProvinceFactory(code=code[:4], department=department)
        DistrictFactory(code=code, province=province)


def _counts() -> dict[str, int]:
    return {
        model.__name__: model.objects.count()
        for model in (
            Case,
            CaseEvent,
            CaseFile,
            IssuedDocument,
            DigitalService,
            ServiceVersion,
            Procedure,
            Membership,
            InboxItem,
            Message,
        )
    } | {
        # setup_demo's own OIDC client step audits itself on every run; ours must not.
        "audit": AuditEvent.objects.exclude(action__startswith="oidc.").count()
    }


def test_reference_service_files_are_valid_and_survive_an_xlsform_round_trip():
    for path in (MTC_FILE, MUNI_FILE):
        data = reference_service(path)
        assert definition_errors(data["definition"]) == []
        assert workflow_errors(data["workflow"]) == []
        sheet = definition_to_xlsform(definition=data["definition"], workflow=data["workflow"])
        assert definition_from_xlsform(content=sheet) == (data["definition"], [])
        assert data["meta"]["reference_prefix"]
        assert data["meta"]["min_assurance"]
    bench = json.loads((MTC_FILE.parents[4] / "bench" / "submissions_form.json").read_text())
    assert definition_errors(bench["definition"]) == []


def test_setup_demo_cases_in_every_status_of_both_services_and_second_run_changes_nothing():
    InstitutionFactory(slug="reniec", name="Registro Nacional de Identificación y Estado Civil")
    muni = InstitutionFactory(
        slug="munihuancayo", name="Municipalidad Provincial de Huancayo", acronym="MPH"
    )
    mtc = InstitutionFactory(slug="mtc", name="Ministerio de Transportes y Comunicaciones",
                             acronym="MTC")  # fmt: skip
    _districts()
    out = StringIO()
    call_command("setup_demo", stdout=out)
    printed = out.getvalue()
    for username in ("designer.mtc", "gestor.mtc", "designer.muni", "gestor.muni"):
        assert username in printed
    assert "/servicios/mtc-permiso-especial-de-transito/" in printed

    permit = DigitalService.objects.get(slug="mtc-permiso-especial-de-transito")
    desk = DigitalService.objects.get(institution=muni, slug="mph-mesa-de-partes-digital")
    assert permit.institution == mtc
    assert permit.min_assurance == "two_factor"
    assert permit.current_version is not None
    assert desk.current_version is not None
    assert permit.procedure is not None
    assert permit.procedure.online_url.endswith(f"/servicios/{permit.slug}/")
    for service in (permit, desk):
        codes = {s["code"] for s in service.current_version.workflow["statuses"]}
        assert set(Case.objects.filter(service=service).values_list("status", flat=True)) == codes
    for case in Case.objects.filter(status__in=["aprobado", "atendido"]):
        assert IssuedDocument.objects.filter(case=case).exists()
        assert case.ended
        assert case.decided_at is not None
    for case in Case.objects.all():
        assert case.events.filter(kind=CaseEvent.Kind.SUBMITTED).count() == 1
        assert case.files.exists()  # the upload went through the application to the case
        assert case.due_on is not None
    assert Case.objects.filter(applicant__document_number="45678912").count() >= 2
    # The inbox shows what a real one does: open cases overdue and not yet due.
    today = timezone.localdate()
    open_cases = Case.objects.filter(ended=False)
    assert open_cases.filter(due_on__lt=today).exists()
    assert open_cases.filter(due_on__gte=today).exists()
    assert Membership.objects.filter(user__username="gestor.mtc", role=Role.CASE_OFFICER,
                                     institution=mtc).exists()  # fmt: skip

    # The demo citizen's casilla holds real case notices, each also by e-mail and SMS.
    demo_citizen = Preference.objects.get(user__document_number="45678912")
    assert (demo_citizen.email_enabled, demo_citizen.sms_enabled) == (True, True)
    assert demo_citizen.phone == "+51987654321"
    assert demo_citizen.phone_verified_at is not None
    items = InboxItem.objects.filter(recipient_id=demo_citizen.user_id)
    kinds = set(items.values_list("kind", flat=True))
    assert {"case.submitted", "case.correction_requested", "case.decided"} <= kinds
    decided = items.filter(kind="case.decided", attachments__isnull=False).distinct()
    assert decided.exists()
    for item in items:
        assert set(item.messages.values_list("channel", flat=True)) == {"email", "sms"}

    before = _counts()
    call_command("setup_demo", stdout=StringIO())
    assert _counts() == before
