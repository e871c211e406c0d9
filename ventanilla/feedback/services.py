"""Writes of the feedback domain."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from ventanilla.audit import services as audit
from ventanilla.feedback.forms import COMMENT_MAX_LENGTH
from ventanilla.feedback.masking import mask_personal_data
from ventanilla.feedback.models import PageFeedback

PATH_MAX_LENGTH = 300


def is_local_path(path: str) -> bool:
    """'/tramites/224-x/' yes; 'https://evil.example/', '//evil.example', 'javascript:' no."""
    return (
        path.startswith("/")
        and not path.startswith(("//", "/\\"))
        and "\\" not in path
        and not any(ch.isspace() or ord(ch) < 32 for ch in path)
        and len(path) <= PATH_MAX_LENGTH
    )


def page_feedback_record(*, path: str, useful: bool, comment: str, language: str) -> PageFeedback:
    """Store one answer to "¿Te fue útil esta página?" with personal data masked out of the
    comment. Anyone may answer (no permission to check); raises ValidationError with a
    Spanish message when the path is not a local path or the comment is too long."""
    comment = (comment or "").strip()
    if not is_local_path(path):
        raise ValidationError(_("La dirección de la página no es válida."), code="path")
    if len(comment) > COMMENT_MAX_LENGTH:
        raise ValidationError(
            _("El comentario puede tener hasta %(n)s caracteres.") % {"n": COMMENT_MAX_LENGTH},
            code="comment",
        )
    with transaction.atomic():
        feedback = PageFeedback.objects.create(
            path=path,
            useful=useful,
            comment=mask_personal_data(comment),
            language=(language or "")[:8],
        )
        audit.record(
            actor=None,
            action="feedback.page_answered",
            target=feedback,
            data={"path": path, "useful": useful},
        )
    return feedback
