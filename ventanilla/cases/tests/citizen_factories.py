"""A small service asking every question type over several pages (with a branch and an exit
page) for the citizen-journey tests, and the place rows its ubigeo questions need."""

# ruff: noqa: E501 - the test form reads best one question per line
import copy
from typing import Any

from ventanilla.formbuilder.definition import default_workflow
from ventanilla.formbuilder.tests.factories import published_service
from ventanilla.ubigeo.tests.factories import DistrictFactory, ProvinceFactory

PDF = b"%PDF-1.4\n% prueba\n" + b"0" * 200
DNI_OK = "45678912"  # with check digit: see python-stdnum pe.cui

JOURNEY: dict[str, Any] = {
    "format": "ventanilla-form/1",
    "title": "Permiso de prueba",
    "intro": "Ten a mano tu DNI y la tarjeta de propiedad.",
    "pages": [
        {
            "id": "datos",
            "title": "Tus datos",
            "questions": [
                {"id": "aviso", "type": "info", "label": "Antes de empezar", "text": "Lee con atención."},
                {"id": "nombre", "type": "text", "label": "Nombre completo", "required": True},
                {"id": "dni", "type": "dni", "label": "DNI", "required": True,
                 "hint": "8 dígitos y, si quieres, el dígito de verificación tras un guion."},
                {"id": "urgente", "type": "yes_no", "label": "¿Es urgente?", "required": True},
                {"id": "tipo", "type": "choice", "label": "Tipo de vehículo", "required": True,
                 "choices": [{"value": "carga", "label": "Carga"},
                             {"value": "particular", "label": "Particular"}]},
            ],
        },
        {
            "id": "carga",
            "title": "Datos de la carga",
            "show_if": {"question": "tipo", "op": "equals", "value": "carga"},
            "questions": [
                {"id": "peso", "type": "number", "label": "Peso (kg)", "required": True, "min": 1},
                {"id": "monto", "type": "money", "label": "Valor de la carga"},
                {"id": "fecha", "type": "date", "label": "Fecha del viaje", "required": True},
                {"id": "dias", "type": "multi_choice", "label": "Días",
                 "choices": [{"value": "lun", "label": "Lunes"}, {"value": "mar", "label": "Martes"}]},
                {"id": "correo", "type": "email", "label": "Correo"},
                {"id": "celular", "type": "phone", "label": "Celular"},
                {"id": "ruc", "type": "ruc", "label": "RUC de la empresa"},
                {"id": "motivo", "type": "textarea", "label": "Motivo"},
            ],
        },
        {
            "id": "no_puede",
            "title": "No puedes solicitar este permiso",
            "exit": True,
            "exit_message": "Los vehículos particulares no necesitan este permiso.",
            "show_if": {"question": "tipo", "op": "equals", "value": "particular"},
            "questions": [],
        },
        {
            "id": "lugar",
            "title": "Dónde",
            "questions": [
                {"id": "lugar", "type": "ubigeo", "label": "Lugar de origen", "required": True},
                {"id": "domicilio", "type": "address", "label": "Domicilio"},
            ],
        },
        {
            "id": "adjuntos",
            "title": "Documentos",
            "questions": [
                {"id": "nota", "type": "text", "label": "Nota para la institución"},
                {"id": "sustento", "type": "file", "label": "Tarjeta de propiedad", "required": True,
                 "max_files": 2, "accept": ["application/pdf"], "max_size_mb": 5},
            ],
        },
        {
            "id": "personas",
            "title": "Pasajeros",
            "questions": [
                {"id": "pasajeros", "type": "group", "label": "Pasajeros", "item_label": "Pasajero",
                 "max_items": 3,
                 "questions": [{"id": "p_nombre", "type": "text", "label": "Nombre", "required": True},
                               {"id": "p_dni", "type": "dni", "label": "DNI"}]},
            ],
        },
        {
            "id": "final",
            "title": "Compromiso",
            "questions": [
                {"id": "acepto", "type": "declaration", "label": "Compromiso",
                 "text": "Me comprometo a respetar la ruta.", "required": True},
            ],
        },
    ],
    "declaration": "Declaro bajo juramento que los datos son verdaderos.",
    "confirmation": "La institución revisará tu solicitud en 10 días hábiles.",
}  # fmt: skip


def journey_service(**kwargs: Any) -> Any:
    flow = default_workflow()
    flow["time_limit_days"] = 10
    flow["document"] = {"title": "Permiso de prueba", "body": "Se autoriza a {nombre}.",
                        "validity_days": 30}  # fmt: skip
    kwargs.setdefault("slug", "permiso-prueba")
    return published_service(definition=copy.deepcopy(JOURNEY), workflow=flow, **kwargs)


def places() -> Any:
    """Lima › Lima › Miraflores (150122), and Lima › Lima › Barranco (150104)."""
    province = ProvinceFactory(
        code="1501", department__code="15", department__name="Lima", name="Lima"
    )
    DistrictFactory(code="150104", province=province, name="Barranco")
    district = DistrictFactory(code="150122", province=province, name="Miraflores")
    return district
