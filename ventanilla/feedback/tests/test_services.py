"""page_feedback_record: what is stored, what is refused."""

import pytest
from django.core.exceptions import ValidationError

from ventanilla.audit.models import AuditEvent
from ventanilla.feedback.models import PageFeedback
from ventanilla.feedback.services import page_feedback_record

pytestmark = pytest.mark.django_db


def test_feedback_is_stored_with_personal_data_masked_and_audited():
    feedback = page_feedback_record(
        path="/tramites/224-solicitar-duplicado-de-dni/",
        useful=False,
        comment="  No pude pagar. Mi DNI 12345678-9, correo ana@mail.com, cel 987654321  ",
        language="es",
    )
    feedback.refresh_from_db()
    assert feedback.useful is False
    assert feedback.path == "/tramites/224-solicitar-duplicado-de-dni/"
    assert feedback.comment == "No pude pagar. Mi DNI [DNI], correo [correo], cel [teléfono]"
    assert feedback.language == "es"
    event = AuditEvent.objects.get(action="feedback.page_answered")
    assert event.target_id == str(feedback.pk)
    assert "12345678" not in str(event.data)


@pytest.mark.parametrize(
    "path",
    [
        "https://evil.example/x",
        "//evil.example/",
        "tramites/",
        "",
        "/a b",
        "/\\evil",
        "/" + "a" * 300,
    ],
)
def test_feedback_for_a_path_that_is_not_local_is_refused_and_nothing_saved(path):
    with pytest.raises(ValidationError, match="La dirección de la página no es válida"):
        page_feedback_record(path=path, useful=True, comment="", language="es")
    assert not PageFeedback.objects.exists()
    assert not AuditEvent.objects.exists()


def test_overlong_comment_is_refused_and_nothing_saved():
    with pytest.raises(ValidationError, match="hasta 1000 caracteres"):
        page_feedback_record(path="/", useful=True, comment="a" * 1001, language="es")
    assert not PageFeedback.objects.exists()
