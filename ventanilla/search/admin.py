"""Search in the back office: the synonym list editors keep, and what visitors searched.

Saves and deletions go through ventanilla.search.services (permission, audit, the synonym
cache dropped after the commit). Both screens are open to whoever `can_manage_synonyms`."""

import csv
from collections.abc import Callable, Iterable
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import QuerySet
from django.forms import ModelForm
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import URLPattern, path
from django.utils import timezone
from django.utils.text import Truncator
from django.utils.translation import gettext as _t
from django.utils.translation import gettext_lazy as _

from ventanilla.core.backoffice import ServiceBackedAdmin, adopt
from ventanilla.search.analysis import tokens
from ventanilla.search.analytics import (
    DEFAULT_PERIOD,
    PERIODS,
    analytics_since,
    search_no_click_queries,
    search_top_queries,
    search_zero_result_queries,
)
from ventanilla.search.models import SearchLog, Synonym
from ventanilla.search.permissions import can_manage_synonyms, can_view_search_analytics
from ventanilla.search.selectors import search
from ventanilla.search.services import synonym_delete, synonym_save

MAX_LINE = 120
MAX_LINES = 30
PREVIEW_HITS = 3


# --- Synonyms -----------------------------------------------------------------------------


class SynonymForm(ModelForm[Synonym]):
    class Meta:
        model = Synonym
        fields = ("term", "expansions", "note", "is_active")
        widgets = {"expansions": forms.Textarea(attrs={"rows": 5})}
        error_messages = {
            "term": {"required": _("Escriba la palabra o frase que escribe la gente.")},
            "expansions": {
                "required": _("Escriba al menos una palabra o frase que se deba buscar también.")
            },
        }

    def clean_term(self) -> str:
        term = " ".join(str(self.cleaned_data.get("term", "")).split()).lower()
        key = tokens(term)
        if not key:
            raise forms.ValidationError(_t("El término debe tener letras o números."))
        # «Partída» and «partida» are the same word to the search: one row each would clash.
        others = Synonym.objects.exclude(pk=self.instance.pk).values_list("term", flat=True)
        if any(tokens(other) == key for other in others):
            raise forms.ValidationError(
                _t("Ya existe un sinónimo para «%(term)s»: edítelo en lugar de crear otro.")
                % {"term": term}
            )
        return term

    def clean_expansions(self) -> str:
        lines = [line.strip() for line in str(self.cleaned_data.get("expansions", "")).splitlines()]
        lines = [line for line in lines if line]
        if not lines:
            raise forms.ValidationError(
                _t("Escriba al menos una palabra o frase que se deba buscar también.")
            )
        if len(lines) > MAX_LINES:
            raise forms.ValidationError(
                _t("Como máximo %(n)s líneas: separe los sinónimos en varios términos.")
                % {"n": MAX_LINES}
            )
        for number, line in enumerate(lines, start=1):
            if len(line) > MAX_LINE:
                raise forms.ValidationError(
                    _t(
                        "La línea %(line)s tiene %(length)s caracteres; el máximo es %(n)s. "
                        "Escriba una palabra o frase corta por línea."
                    )
                    % {"line": number, "length": len(line), "n": MAX_LINE}
                )
            if not tokens(line):
                raise forms.ValidationError(
                    _t("La línea %(line)s no tiene letras ni números.") % {"line": number}
                )
        return "\n".join(lines)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        term, expansions = cleaned.get("term"), cleaned.get("expansions")
        if term and expansions:
            key = tokens(term)
            if any(tokens(line) == key for line in expansions.splitlines()):
                self.add_error(
                    "expansions",
                    _t("«%(term)s» no puede expandirse a sí mismo: quite esa línea.")
                    % {"term": term},
                )
        return cleaned


def synonym_preview(term: str) -> str:
    """What a search for `term` now shows first, as a message for the editor."""
    results = search(q=term, per_page=PREVIEW_HITS)
    titles = [hit.title for hit in results.hits[:PREVIEW_HITS]]
    if not titles:
        return _t(
            "Vista previa: al buscar «%(term)s» no aparece ningún resultado. Revise que las "
            "expansiones estén escritas como en los trámites."
        ) % {"term": term}
    return _t("Vista previa: al buscar «%(term)s» aparecen primero (de %(total)s): %(titles)s.") % {
        "term": term,
        "total": results.total,
        "titles": "; ".join(f"{n}. {title}" for n, title in enumerate(titles, start=1)),
    }


@admin.register(Synonym)
class SynonymAdmin(ServiceBackedAdmin[Synonym]):
    form = SynonymForm
    list_display = ("term", "expansions_short", "is_active", "updated_at")
    list_filter = ("is_active",)
    search_fields = ("term", "expansions")
    search_help_text = _("Busque por el término o por lo que busca también.")
    fields = ("term", "expansions", "note", "is_active")
    list_per_page = 100

    @admin.display(description=_("buscar también"))
    def expansions_short(self, obj: Synonym) -> str:
        return Truncator(" · ".join(obj.expansion_list)).chars(100)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return can_manage_synonyms(request.user)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return can_manage_synonyms(request.user)

    has_change_permission = has_view_permission
    has_delete_permission = has_view_permission

    def has_add_permission(self, request: HttpRequest) -> bool:
        return can_manage_synonyms(request.user)

    def save_model(
        self, request: HttpRequest, obj: Synonym, form: ModelForm[Any], change: bool
    ) -> None:
        data = form.cleaned_data
        saved = synonym_save(
            by=request.user,
            term=data["term"],
            expansions=data["expansions"],
            note=data.get("note", ""),
            is_active=data.get("is_active", False),
            synonym=obj if change else None,
        )
        if not change:
            adopt(obj, saved)
        term, active = saved.term, saved.is_active

        def preview() -> None:
            # After the commit, when the synonym cache has been dropped: the search sees it.
            messages.info(request, synonym_preview(term))
            if not active:
                messages.warning(request, _t("El sinónimo está inactivo: la búsqueda no lo usa."))

        transaction.on_commit(preview)

    def delete_through_service(self, *, obj: Synonym, by: Any) -> None:
        synonym_delete(by=by, synonym=obj)


# --- Search analytics ---------------------------------------------------------------------

CSV_TABLES = {
    "principales": _("búsquedas más frecuentes"),
    "sin-resultados": _("búsquedas sin resultados"),
    "sin-clic": _("búsquedas sin clic"),
}


def _csv_cell(value: Any) -> Any:
    # A spreadsheet runs a cell that starts with = + - @ as a formula; visitors typed these.
    if isinstance(value, str) and value[:1] in {"=", "+", "-", "@", "\t", "\r"}:
        return "'" + value
    return value


def _local(moment: Any) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M")


def _csv_rows(table: str, since: Any) -> tuple[list[str], Iterable[list[Any]]]:
    if table == "principales":
        header = [
            _t("búsqueda"),
            _t("veces"),
            _t("resultados en promedio"),
            _t("veces con clic"),
            _t("tasa de clic (%)"),
        ]
        return header, (
            [
                r.query,
                r.searches,
                f"{r.average_results:.1f}",
                r.clicked,
                f"{r.click_through * 100:.1f}",
            ]
            for r in search_top_queries(since=since)
        )
    if table == "sin-resultados":
        header = [_t("búsqueda"), _t("veces"), _t("última vez")]
        return header, (
            [r.query, r.searches, _local(r.last_seen)]
            for r in search_zero_result_queries(since=since)
        )
    header = [_t("búsqueda"), _t("veces"), _t("resultados en promedio"), _t("última vez")]
    return header, (
        [r.query, r.searches, f"{r.average_results:.1f}", _local(r.last_seen)]
        for r in search_no_click_queries(since=since)
    )


@admin.register(SearchLog)
class SearchAnalyticsAdmin(admin.ModelAdmin[SearchLog]):
    """The search log is read only as tables of aggregates: its changelist is the analytics
    page, and single rows have no screen."""

    def has_module_permission(self, request: HttpRequest) -> bool:
        return can_view_search_analytics(request.user)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return obj is None and can_view_search_analytics(request.user)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def get_urls(self) -> list[URLPattern]:
        view: Callable[..., HttpResponse] = self.admin_site.admin_view(self.analytics_view)
        return [path("", view, name="search_searchlog_changelist")]

    def get_queryset(self, request: HttpRequest) -> QuerySet[SearchLog]:
        return super().get_queryset(request).none()

    def _period(self, request: HttpRequest) -> int:
        raw = request.GET.get("periodo", "")
        if raw == "":
            return DEFAULT_PERIOD
        if raw.strip().isdigit() and int(raw) in PERIODS:
            return int(raw)
        self.message_user(
            request,
            _t("El periodo «%(value)s» no existe; se muestran los últimos %(n)s días.")
            % {"value": raw[:20], "n": DEFAULT_PERIOD},
            level=messages.WARNING,
        )
        return DEFAULT_PERIOD

    def analytics_view(self, request: HttpRequest) -> HttpResponse:
        if not can_view_search_analytics(request.user):
            raise PermissionDenied
        period = self._period(request)
        since = analytics_since(period)
        table = request.GET.get("descargar", "")
        if table in CSV_TABLES:
            return self._csv(table, since, period)
        if table:
            self.message_user(
                request,
                _t("No existe la tabla «%(value)s» para descargar.") % {"value": table[:40]},
                level=messages.WARNING,
            )
        context = {
            **self.admin_site.each_context(request),
            "title": _t("Analítica de búsqueda"),
            "subtitle": None,
            "opts": self.opts,
            "period": period,
            "periods": PERIODS,
            "top": search_top_queries(since=since),
            "zero": search_zero_result_queries(since=since),
            "no_click": search_no_click_queries(since=since),
            "can_add_synonym": can_manage_synonyms(request.user),
        }
        return TemplateResponse(request, "admin/search/analytics.html", context)

    def _csv(self, table: str, since: Any, period: int) -> HttpResponse:
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = (
            f'attachment; filename="busquedas-{table}-{period}-dias.csv"'
        )
        # A byte-order mark, so spreadsheets open the file as UTF-8.
        response.write("\ufeff")
        writer = csv.writer(response)
        header, rows = _csv_rows(table, since)
        writer.writerow(header)
        for row in rows:
            writer.writerow([_csv_cell(cell) for cell in row])
        return response
