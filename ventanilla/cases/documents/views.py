"""The public verification of issued documents: /verificar/ (type a code) and
/verificar/<code>/ (what the code says, and whether an uploaded PDF is the very file issued).

No login. Every answer is `never_cache` (private, no-store): a revocation must show at once,
not after a cache expires, and the page holds a per-visitor CSRF token for the upload form.
Nothing here is costly enough to need caching (one indexed query)."""

from typing import Any

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_http_methods

from ventanilla.cases.documents.codes import (
    MAX_INPUT,
    code_display,
    code_is_wellformed,
    code_normalise,
)
from ventanilla.cases.documents.display import document_number_masked, name_masked
from ventanilla.cases.models import IssuedDocument
from ventanilla.cases.services.documents import (
    date_long,
    document_matches,
    document_verify,
    holder_document_label,
    lima,
    valid_until,
)

# Issued PDFs weigh tens of kilobytes; anything this big cannot be one.
MAX_UPLOAD_BYTES = 5 * 1024 * 1024
MALFORMED = "El código no es válido: revisa que esté bien escrito."


def _crumbs(*extra: tuple[str, str | None]) -> list[tuple[str, str | None]]:
    return [(_("Verificar un documento"), reverse("documents:start") if extra else None), *extra]


@never_cache
@require_http_methods(["GET", "HEAD"])
def verify_start(request: HttpRequest) -> HttpResponse:
    """The form to type a code; `?codigo=` sends a well-formed code to its page."""
    raw = request.GET.get("codigo")
    error = ""
    if raw is not None:
        canonical = code_normalise(raw)
        if not raw.strip():
            error = _("Escribe el código de verificación que figura en el documento.")
        elif len(raw) > MAX_INPUT or not code_is_wellformed(canonical):
            error = _(MALFORMED)
        else:
            return HttpResponseRedirect(reverse("documents:verify", args=[code_display(canonical)]))
    context = {
        "title": _("Verificar un documento"),
        "value": (raw or "")[:MAX_INPUT],
        "error": error,
        "errors": [("codigo", error)] if error else [],
        "crumbs": _crumbs(),
    }
    return render(request, "cases/documents/start.html", context, status=400 if error else 200)


def _document_facts(document: IssuedDocument) -> dict[str, Any]:
    case = document.case
    until = valid_until(document)
    today = timezone.localdate()
    return {
        "title": document.title,
        "institution": case.institution.name,
        "reference": case.reference,
        "issued_on": date_long(lima(document.issued_at).date()),
        "holder": name_masked(case.applicant_name),
        "holder_document_label": holder_document_label(case.applicant_document),
        "holder_document": document_number_masked(case.applicant_document),
        "valid_until": date_long(until) if until else "",
        "expired": bool(until and until < today),
        "revoked_on": date_long(lima(document.revoked_at).date()) if document.revoked_at else "",
        "sha256": document.sha256,
        "code": code_display(document.code),
    }


TOO_BIG = "El archivo no puede pesar más de 5 MB."


def _upload_check(request: HttpRequest, document: IssuedDocument) -> tuple[str, str]:
    """(field error, result) for the posted file: result is "same" or "different"."""
    upload = request.FILES.get("archivo")
    if upload is None or not upload.size:
        return _("Elige el archivo PDF que quieres comprobar."), ""
    if upload.size > MAX_UPLOAD_BYTES:
        return _(TOO_BIG), ""
    head = next(iter(upload.chunks(chunk_size=1024)), b"")
    upload.seek(0)
    if not head.lstrip().startswith(b"%PDF-"):
        return _("El archivo no es un PDF. Elige el PDF del documento."), ""
    same = document_matches(document=document, chunks=upload.chunks())
    return "", "same" if same else "different"


def _verify(request: HttpRequest, code: str, *, too_big: bool = False) -> HttpResponse:
    canonical = code_normalise(code) if len(code) <= MAX_INPUT else ""
    if code_is_wellformed(canonical) and code != code_display(canonical):
        # One address per document: «abcd efgh…» or the undashed form land on the printed one.
        return HttpResponseRedirect(reverse("documents:verify", args=[code_display(canonical)]))
    state, document = document_verify(code=canonical or "?")
    context: dict[str, Any] = {
        "state": state,
        "code": code_display(canonical) if state != "malformed" else "",
        "errors": [],
        "upload_error": "",
        "result": "",
        "max_upload_mb": MAX_UPLOAD_BYTES // (1024 * 1024),
        "crumbs": _crumbs((_("Resultado"), None)),
    }
    if document is not None:
        context["doc"] = _document_facts(document)
    titles = {
        "valid": _("El código corresponde a un documento emitido"),
        "revoked": _("Este documento fue anulado"),
        "unknown": _("No existe un documento con ese código"),
        "malformed": _(MALFORMED),
    }
    context["title"] = titles[state]
    status = {"valid": 200, "revoked": 200, "unknown": 404, "malformed": 404}[state]
    if request.method == "POST" and state == "valid" and document is not None:
        error, result = (_(TOO_BIG), "") if too_big else _upload_check(request, document)
        context["upload_error"] = error
        context["result"] = result
        if error:
            context["errors"] = [("archivo", error)]
            status = 413 if too_big else 400
    return render(request, "cases/documents/result.html", context, status=status)


_verify_protected = csrf_protect(_verify)


@never_cache
@csrf_exempt  # checked inside, once the body is known not to be oversized
@require_http_methods(["GET", "HEAD", "POST"])
def verify(request: HttpRequest, code: str) -> HttpResponse:
    """What a code says: valid (with the document's facts and the PDF check), revoked, unknown
    or malformed. Never an error page for odd input: any text is answered."""
    length = request.META.get("CONTENT_LENGTH") or "0"
    if request.method == "POST" and length.isdigit() and int(length) > MAX_UPLOAD_BYTES + 65536:
        # Answered without reading the body: no 5 MB+ upload can be an issued document.
        return _verify(request, code, too_big=True)
    return _verify_protected(request, code)
