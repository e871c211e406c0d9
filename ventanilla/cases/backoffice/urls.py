"""/gestion/expedientes/: the officials' inbox and case pages."""

from django.urls import URLPattern, URLResolver, path

from ventanilla.cases.backoffice import views

app_name = "cases_backoffice"

urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.inbox_view, name="inbox"),
    path("exportar.csv", views.export_view, name="export"),
    path("<str:reference>/", views.case_view, name="case"),
    path("<str:reference>/asignar/", views.assign_view, name="assign"),
    path("<str:reference>/estado/", views.transition_view, name="transition"),
    path("<str:reference>/nota/", views.note_view, name="note"),
    path("<str:reference>/mensaje/", views.message_view, name="message"),
    path("<str:reference>/subsanacion/", views.correction_view, name="correction"),
    path("<str:reference>/documento.pdf", views.document_view, name="document"),
    path("<str:reference>/archivos/<str:file_id>/", views.file_view, name="file"),
]
