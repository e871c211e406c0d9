"""The answer to "¿Te fue útil esta página?", sent from the bottom of every citizen page."""

from urllib.parse import urlencode

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from ventanilla.feedback.forms import PageFeedbackForm
from ventanilla.feedback.services import is_local_path, page_feedback_record

FIELD_IDS = {"util": "fb-util", "comentario": "fb-comment", "ruta": ""}


def _back(path: str | None) -> str:
    return path if path and is_local_path(path) else "/"


# The form sits in pages cached whole for every visitor, so it cannot carry a CSRF token.
@csrf_exempt
def page_feedback(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        form = PageFeedbackForm(request.POST)
        if form.is_valid():
            try:
                page_feedback_record(
                    path=form.cleaned_data["ruta"],
                    useful=form.useful,
                    comment=form.cleaned_data["comentario"],
                    language=getattr(request, "LANGUAGE_CODE", ""),
                )
            except ValidationError as error:
                form.add_error("ruta" if error.code == "path" else "comentario", error)
            else:
                query = urlencode({"gracias": "1", "volver": form.cleaned_data["ruta"]})
                return HttpResponseRedirect(f"{reverse('feedback:page')}?{query}", status=303)
        errors = [
            (FIELD_IDS.get(name, ""), msg) for name, msgs in form.errors.items() for msg in msgs
        ]
        context = {"form": form, "errors": errors, "back": _back(request.POST.get("ruta"))}
        return render(request, "feedback/page.html", context, status=400)
    back = _back(request.GET.get("volver"))
    if request.GET.get("gracias"):
        return render(
            request, "feedback/thanks.html", {"back": back, "crumbs": [(_("Gracias"), None)]}
        )
    return render(request, "feedback/page.html", {"form": PageFeedbackForm(), "back": back})
