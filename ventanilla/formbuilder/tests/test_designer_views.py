"""The service designer's web editor, driven through its pages with the test client the way a
designer with a keyboard and no JavaScript would: plain forms, POST then redirect."""

import json
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from ventanilla.accounts.models import Role
from ventanilla.accounts.tests.factories import OfficialFactory, PlatformAdminFactory
from ventanilla.audit.models import AuditEvent
from ventanilla.catalogue.tests.factories import ProcedureFactory
from ventanilla.formbuilder.models import DigitalService, ServiceVersion
from ventanilla.institutions.tests.factories import InstitutionFactory

pytestmark = pytest.mark.django_db


def _url(name: str, **kwargs: Any) -> str:
    return reverse(f"formbuilder:{name}", kwargs=kwargs)


@pytest.fixture
def institution() -> Any:
    return InstitutionFactory(name="Municipalidad Distrital de Pachacámac", acronym="MDP")


@pytest.fixture
def designer(institution: Any) -> Any:
    return OfficialFactory(institution=institution, role=Role.SERVICE_DESIGNER)


@pytest.fixture
def client_in(designer: Any) -> Client:
    client = Client()
    client.force_login(designer)
    return client


def _create(client: Client, institution: Any, **extra: str) -> DigitalService:
    data = {
        "institution": str(institution.pk),
        "name": "Licencia de funcionamiento",
        "reference_prefix": "mdp",
        "min_assurance": "one_factor",
        **extra,
    }
    response = client.post(_url("new"), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    return DigitalService.objects.get(name=data["name"])


def _add_question(
    client: Client, service: DigitalService, page_id: str, kind: str, **data: Any
) -> None:
    url = _url("question_new", pk=service.pk, page_id=page_id) + f"?tipo={kind}"
    response = client.post(url, {"tipo": kind, **data})
    assert response.status_code == 302, response.content.decode()[:3000]


def test_a_designer_builds_and_publishes_a_service_and_later_edits_only_the_draft(
    client_in: Client, institution: Any, designer: Any
) -> None:
    procedure = ProcedureFactory(institution=institution)
    service = _create(client_in, institution, procedure=str(procedure.number))
    assert service.reference_prefix == "MDP"
    assert service.procedure == procedure
    assert client_in.get(_url("list")).status_code == 200
    assert "Licencia de funcionamiento" in client_in.get(_url("list")).content.decode()

    # The first page, renamed; a second page; questions of several types.
    editor = client_in.get(_url("editor", pk=service.pk))
    assert editor.status_code == 200
    response = client_in.post(
        _url("page", pk=service.pk, page_id="datos"),
        {"title": "Datos del local", "id": "local", "cond_question": ""},
    )
    assert response.status_code == 302
    _add_question(client_in, service, "local", "text", label="Nombre comercial", required="1",
                  max_length="80", hint="Como figura en el letrero")  # fmt: skip
    _add_question(client_in, service, "local", "choice", label="Tipo de local", required="1",
                  choices="tienda | Tienda\nrestaurante | Restaurante\nOficina")  # fmt: skip
    _add_question(
        client_in, service, "local", "money", label="Monto declarado", min="0", max="5000.50"
    )
    _add_question(client_in, service, "local", "file", label="Plano del local",
                  accept=["application/pdf", "image/png"],
                  max_size_mb="5", max_files="2")  # fmt: skip
    _add_question(
        client_in, service, "local", "group", label="Socios", item_label="Socio", max_items="5"
    )
    child_url = _url("child_new", pk=service.pk, page_id="local", group_id="socios") + "?tipo=dni"
    assert client_in.get(child_url).status_code == 200
    assert (
        client_in.post(
            child_url, {"tipo": "dni", "label": "DNI del socio", "required": "1"}
        ).status_code
        == 302
    )
    response = client_in.post(_url("page_add", pk=service.pk), {"page_title": "Restaurante"})
    assert response.status_code == 302
    # The second page is shown only for restaurants (a condition on an earlier question).
    response = client_in.post(
        _url("page", pk=service.pk, page_id="restaurante"),
        {
            "title": "Restaurante",
            "cond_question": "tipo_de_local",
            "cond_op": "equals",
            "cond_value": "restaurante",
        },
    )
    assert response.status_code == 302
    _add_question(
        client_in, service, "restaurante", "yes_no", label="¿Tiene aforo mayor a 50?", required="1"
    )
    _add_question(
        client_in, service, "restaurante", "declaration", text="Cumplo las normas de salubridad."
    )

    service.refresh_from_db()
    pages = service.draft_definition["pages"]
    assert [p["id"] for p in pages] == ["local", "restaurante"]
    assert pages[1]["show_if"] == {
        "question": "tipo_de_local",
        "op": "equals",
        "value": "restaurante",
    }
    local = {q["id"]: q for q in pages[0]["questions"]}
    assert local["nombre_comercial"]["max_length"] == 80
    assert local["tipo_de_local"]["choices"][2] == {"value": "oficina", "label": "Oficina"}
    assert local["monto_declarado"]["max"] == 5000.5
    assert local["plano_del_local"]["accept"] == ["application/pdf", "image/png"]
    assert local["socios"]["questions"][0]["id"] == "dni_del_socio"

    # Moving a question down, then back up.
    move = _url("question_move", pk=service.pk, page_id="local", question_id="nombre_comercial")
    assert client_in.post(move, {"direction": "down"}).status_code == 302
    service.refresh_from_db()
    assert service.draft_definition["pages"][0]["questions"][1]["id"] == "nombre_comercial"
    client_in.post(move, {"direction": "up"})

    # The workflow: a 15-day limit, a document on approval, an extra status and a transition.
    workflow_page = client_in.get(_url("workflow", pk=service.pk))
    assert workflow_page.status_code == 200
    transitions = [f"{t['from']}>{t['to']}" for t in service.draft_workflow["transitions"]]
    data: dict[str, Any] = {
        f"s-{s['code']}-label": s["label"] for s in service.draft_workflow["statuses"]
    } | {f"s-{s['code']}-kind": s["kind"] for s in service.draft_workflow["statuses"]}
    data |= {
        "initial": "recibido", "t": [*transitions, "recibido>denegado"], "time_limit_days": "15",
        "notify_citizen": "1", "emails": "licencias@munipachacamac.gob.pe",
        "document": "yes", "doc_title": "Licencia", "doc_body": "Se autoriza a {nombre_comercial}.",
        "doc_validity_days": "365", "new_label": "Inspección", "new_kind": "open",
    }  # fmt: skip
    response = client_in.post(_url("workflow", pk=service.pk), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    service.refresh_from_db()
    workflow = service.draft_workflow
    assert workflow["time_limit_days"] == 15
    assert {"from": "recibido", "to": "denegado"} in workflow["transitions"]
    assert workflow["document"] == {
        "title": "Licencia",
        "body": "Se autoriza a {nombre_comercial}.",
        "validity_days": 365,
    }
    assert workflow["notify"] == {
        "citizen": True,
        "assignee": False,
        "emails": ["licencias@munipachacamac.gob.pe"],
    }
    assert workflow["statuses"][-1] == {"code": "inspeccion", "label": "Inspección", "kind": "open"}

    # Publish: version 1.
    assert "Publicar versión 1" in client_in.get(_url("publish", pk=service.pk)).content.decode()
    assert client_in.post(_url("publish_do", pk=service.pk)).status_code == 302
    service.refresh_from_db()
    version = service.current_version
    assert version is not None
    assert version.number == 1
    first_definition = json.loads(json.dumps(version.definition))
    shown = client_in.get(_url("version_json", pk=service.pk, number=1))
    assert json.loads(shown.content)["definition"] == first_definition

    # Editing afterwards changes the draft only.
    response = client_in.post(
        _url("question", pk=service.pk, page_id="local", question_id="nombre_comercial"),
        {"tipo": "text", "label": "Nombre comercial del local", "id": "nombre", "required": "1"},
    )
    assert response.status_code == 302
    service.refresh_from_db()
    assert service.draft_definition != first_definition
    assert (
        "Hay cambios sin publicar" in client_in.get(_url("editor", pk=service.pk)).content.decode()
    )
    # The renamed id followed into the document's placeholders.
    assert service.draft_workflow["document"]["body"] == "Se autoriza a {nombre}."
    assert ServiceVersion.objects.get(service=service, number=1).definition == first_definition
    actions = set(
        AuditEvent.objects.filter(target_id=str(service.pk)).values_list("action", flat=True)
    )
    assert {
        "digital_service.created",
        "digital_service.draft_saved",
        "digital_service.published",
    } <= actions


def test_a_designer_of_another_institution_gets_403_on_every_screen(
    client_in: Client, institution: Any
) -> None:
    service = _create(client_in, institution)
    other = OfficialFactory(institution=InstitutionFactory(), role=Role.SERVICE_DESIGNER)
    client = Client()
    client.force_login(other)  # type: ignore[arg-type]
    for name in ("editor", "workflow", "publish", "settings", "interchange", "preview"):
        assert client.get(_url(name, pk=service.pk)).status_code == 403, name
    assert client.post(_url("page_add", pk=service.pk), {"page_title": "X"}).status_code == 403
    assert client.post(_url("publish_do", pk=service.pk)).status_code == 403
    assert "Licencia" not in client.get(_url("list")).content.decode()
    # Nor can they create a service for an institution that is not theirs.
    response = client.post(
        _url("new"),
        {"institution": str(institution.pk), "name": "Intruso", "reference_prefix": "INT"},
    )
    assert response.status_code == 400
    assert not DigitalService.objects.filter(name="Intruso").exists()


def test_officials_without_a_designing_role_get_403_and_anonymous_go_to_login(
    institution: Any,
) -> None:
    officer = OfficialFactory(institution=institution, role=Role.CASE_OFFICER)
    client = Client()
    client.force_login(officer)  # type: ignore[arg-type]
    assert client.get(_url("list")).status_code == 403
    anonymous = Client().get(_url("list"))
    assert anonymous.status_code == 302
    assert anonymous["Location"].startswith("/gestion/login/")


def test_a_platform_admin_sees_every_service(client_in: Client, institution: Any) -> None:
    _create(client_in, institution)
    client = Client()
    client.force_login(PlatformAdminFactory())  # type: ignore[arg-type]
    assert "Licencia de funcionamiento" in client.get(_url("list")).content.decode()


def test_invalid_input_shows_spanish_errors_and_keeps_what_was_typed(
    client_in: Client, institution: Any
) -> None:
    response = client_in.post(
        _url("new"),
        {"institution": str(institution.pk), "name": "Mi servicio", "reference_prefix": "12"},
    )
    body = response.content.decode()
    assert response.status_code == 400
    assert "El prefijo va en mayúsculas" in body
    assert 'value="Mi servicio"' in body

    service = _create(client_in, institution)
    url = _url("question_new", pk=service.pk, page_id="datos") + "?tipo=text"
    response = client_in.post(
        url, {"tipo": "text", "label": "Placa", "min_length": "diez", "pattern": "^[A-Z",
              "hint": "Ejemplo: ABC-123"},
    )  # fmt: skip
    body = response.content.decode()
    assert response.status_code == 400
    assert "Escribe un número entero, sin decimales." in body
    assert 'value="Ejemplo: ABC-123"' in body
    assert 'value="^[A-Z"' in body
    response = client_in.post(url, {"tipo": "text", "label": "Placa", "pattern": "^[A-Z"})
    assert response.status_code == 400
    assert "el patrón no es una expresión regular válida" in response.content.decode()
    service.refresh_from_db()
    assert service.draft_definition["pages"][0]["questions"] == []

    # A condition may only name an earlier question: moving the page above it is refused.
    _add_question(client_in, service, "datos", "yes_no", label="¿Es persona jurídica?")
    client_in.post(_url("page_add", pk=service.pk), {"page_title": "Empresa"})
    client_in.post(
        _url("page", pk=service.pk, page_id="empresa"),
        {
            "title": "Empresa",
            "cond_question": "es_persona_juridica",
            "cond_op": "equals",
            "cond_value": "sí",
        },
    )
    response = client_in.post(
        _url("page_move", pk=service.pk, page_id="empresa"), {"direction": "up"}, follow=True
    )
    assert "no es una pregunta anterior" in response.content.decode()
    service.refresh_from_db()
    assert [p["id"] for p in service.draft_definition["pages"]] == ["datos", "empresa"]

    # Publishing an incomplete form is refused with the reasons.
    client_in.post(_url("page_add", pk=service.pk), {"page_title": "Vacía"})
    page = client_in.get(_url("publish", pk=service.pk)).content.decode()
    assert "la página no tiene preguntas" in page
    response = client_in.post(_url("publish_do", pk=service.pk), follow=True)
    assert "la página no tiene preguntas" in response.content.decode()
    assert not ServiceVersion.objects.filter(service=service).exists()


def test_deleting_a_page_asks_first(client_in: Client, institution: Any) -> None:
    service = _create(client_in, institution)
    client_in.post(_url("page_add", pk=service.pk), {"page_title": "Anexos"})
    url = _url("page_delete", pk=service.pk, page_id="anexos")
    assert "¿Seguro que quieres eliminar" in client_in.get(url).content.decode()
    service.refresh_from_db()
    assert len(service.draft_definition["pages"]) == 2
    assert client_in.post(url).status_code == 302
    service.refresh_from_db()
    assert [p["id"] for p in service.draft_definition["pages"]] == ["datos"]


def test_the_preview_walks_the_draft_with_its_branching_and_sends_nothing(
    client_in: Client, institution: Any
) -> None:
    service = _create(client_in, institution)
    _add_question(
        client_in, service, "datos", "choice", label="Tipo", required="1", choices="a | A\nb | B"
    )
    client_in.post(_url("page_add", pk=service.pk), {"page_title": "Solo B"})
    client_in.post(
        _url("page", pk=service.pk, page_id="solo_b"),
        {"title": "Solo B", "exit": "1", "exit_message": "No puedes seguir con B.",
         "cond_question": "tipo", "cond_op": "equals", "cond_value": "b"},
    )  # fmt: skip
    start = client_in.get(_url("preview", pk=service.pk))
    assert start["Location"] == _url("preview_page", pk=service.pk, page_id="datos")
    page = client_in.get(start["Location"]).content.decode()
    assert "Vista previa — nada se envía" in page
    assert 'name="q-tipo"' in page
    missing = client_in.post(start["Location"], {})
    assert missing.status_code == 400
    answered = client_in.post(start["Location"], {"q-tipo": "a"})
    assert answered["Location"] == _url("preview_check", pk=service.pk)
    assert "Revisa tus respuestas" in client_in.get(answered["Location"]).content.decode()
    exit_page = client_in.post(start["Location"], {"q-tipo": "b"})
    assert exit_page["Location"] == _url("preview_page", pk=service.pk, page_id="solo_b")
    assert "No puedes seguir con B." in client_in.get(exit_page["Location"]).content.decode()


def test_import_refuses_a_big_or_malformed_file_and_previews_a_good_one(
    client_in: Client, institution: Any
) -> None:
    service = _create(client_in, institution)
    url = _url("interchange", pk=service.pk)
    big = SimpleUploadedFile("f.json", b"{" + b" " * (2 * 1024 * 1024) + b"}", "application/json")
    response = client_in.post(url, {"archivo": big})
    assert "pesa más de 2 MB" in response.content.decode()
    response = client_in.post(url, {"archivo": SimpleUploadedFile("f.txt", b"hola", "text/plain")})
    assert "XLSForm (.xlsx) o un JSON" in response.content.decode()


def _publishable(client: Client, service: DigitalService) -> None:
    _add_question(client, service, "datos", "text", label="Nombre comercial", required="1")
    _add_question(
        client, service, "datos", "choice", label="Giro", choices="a | Bodega\nb | Farmacia"
    )


@pytest.mark.parametrize("export", ["export_json", "export_xlsform"])
def test_an_exported_draft_imports_back_after_a_look_at_what_changes(
    client_in: Client, institution: Any, export: str
) -> None:
    service = _create(client_in, institution)
    _publishable(client_in, service)
    service.refresh_from_db()
    before = service.draft_definition
    download = client_in.get(_url(export, pk=service.pk))
    assert download.status_code == 200
    assert "attachment" in download["Content-Disposition"]
    # Emptied meanwhile: the import brings the questions back.
    client_in.post(_url("question_delete", pk=service.pk, page_id="datos", question_id="giro"))
    name = "servicio.json" if export == "export_json" else "servicio.xlsx"
    upload = SimpleUploadedFile(name, download.content)
    response = client_in.post(_url("interchange", pk=service.pk), {"archivo": upload})
    body = response.content.decode()
    assert response.status_code == 200
    assert "Revisa lo que vas a importar" in body
    service.refresh_from_db()
    assert len(service.draft_definition["pages"][0]["questions"]) == 1  # nothing saved yet
    confirmed = client_in.post(_url("import_confirm", pk=service.pk))
    assert confirmed.status_code == 302
    service.refresh_from_db()
    questions = service.draft_definition["pages"][0]["questions"]
    assert [q["id"] for q in questions] == [q["id"] for q in before["pages"][0]["questions"]]
    if export == "export_json":
        assert service.draft_definition == before


def test_import_reports_a_malformed_file_in_spanish(client_in: Client, institution: Any) -> None:
    service = _create(client_in, institution)
    url = _url("interchange", pk=service.pk)
    response = client_in.post(
        url, {"archivo": SimpleUploadedFile("f.json", b"{no es json", "application/json")}
    )
    assert response.status_code == 400
    assert 'class="error-summary"' in response.content.decode()
    response = client_in.post(url, {"archivo": SimpleUploadedFile("f.xlsx", b"PK\x03\x04basura")})
    assert response.status_code == 400
    service.refresh_from_db()
    assert len(service.draft_definition["pages"]) == 1


EVERY_TYPE: dict[str, dict[str, Any]] = {
    "text": {"label": "Texto"}, "textarea": {"label": "Texto largo"},
    "number": {"label": "Número", "decimals": "2"}, "money": {"label": "Monto"},
    "date": {"label": "Fecha", "max": "hoy"}, "yes_no": {"label": "Sí o no"},
    "choice": {"label": "Una", "choices": "x | X"},
    "multi_choice": {"label": "Varias", "choices": "x | X"},
    "email": {"label": "Correo"}, "phone": {"label": "Teléfono"}, "dni": {"label": "DNI"},
    "ruc": {"label": "RUC"}, "ubigeo": {"label": "Lugar"}, "address": {"label": "Dirección"},
    "file": {"label": "Archivo"}, "group": {"label": "Personas"},
    "declaration": {"text": "Declaro que es verdad."}, "info": {"text": "Lee esto."},
}  # fmt: skip


def test_every_question_type_has_its_form_and_shows_in_the_preview(
    client_in: Client, institution: Any
) -> None:
    service = _create(client_in, institution)
    for kind, data in EVERY_TYPE.items():
        new = _url("question_new", pk=service.pk, page_id="datos") + f"?tipo={kind}"
        assert client_in.get(new).status_code == 200, kind
        _add_question(client_in, service, "datos", kind, **data)
    service.refresh_from_db()
    questions = service.draft_definition["pages"][0]["questions"]
    assert [q["type"] for q in questions] == list(EVERY_TYPE)
    assert questions[4]["max"] == "today"
    for q in questions:
        url = _url("question", pk=service.pk, page_id="datos", question_id=q["id"])
        assert client_in.get(url).status_code == 200, q["type"]
    assert client_in.get(_url("page", pk=service.pk, page_id="datos")).status_code == 200
    preview = client_in.get(_url("preview_page", pk=service.pk, page_id="datos"))
    assert preview.status_code == 200
    assert 'name="q-lugar-department"' in preview.content.decode()


def test_the_preview_adds_group_items_and_checks_uploads_like_the_citizen_journey(
    client_in: Client, institution: Any
) -> None:
    service = _create(client_in, institution)
    _add_question(client_in, service, "datos", "group", label="Personas", item_label="Persona")
    child = _url("child_new", pk=service.pk, page_id="datos", group_id="personas")
    client_in.post(child, {"tipo": "text", "label": "Nombre", "required": "1"})
    _add_question(client_in, service, "datos", "file", label="Plano", accept=["application/pdf"])
    url = _url("preview_page", pk=service.pk, page_id="datos")
    added = client_in.post(url, {"accion": "anadir:personas", "q-personas-0-nombre": "Ana"})
    body = added.content.decode()
    assert 'name="q-personas-1-nombre"' in body
    assert 'value="Ana"' in body
    png = SimpleUploadedFile("plano.pdf", b"\x89PNG\r\n\x1a\n" + b"0" * 50, "application/pdf")
    refused = client_in.post(url, {"q-personas-0-nombre": "Ana", "q-plano": png})
    assert "no es de un tipo admitido" in refused.content.decode()
    pdf = SimpleUploadedFile("plano.pdf", b"%PDF-1.7\n" + b"0" * 50, "application/pdf")
    sent = client_in.post(url, {"q-personas-0-nombre": "Ana", "q-plano": pdf})
    assert sent.status_code == 302
    check = client_in.get(sent["Location"]).content.decode()
    assert "Ana" in check
