"""The citizen's journey: /servicios/<slug>/ (start), /solicitudes/<id>/… (the pages, check
your answers) and /mis-tramites/… (confirmation, list, detail, downloads)."""

from django.urls import URLPattern, URLResolver, path

from ventanilla.cases.citizen import views

app_name = "cases_citizen"

urlpatterns: list[URLPattern | URLResolver] = [
    path("servicios/ubigeo/<str:code>.json", views.ubigeo_children, name="ubigeo"),
    path("servicios/<slug:slug>/", views.service_start, name="start"),
    path("servicios/<slug:slug>/empezar/", views.service_begin, name="begin"),
    path("solicitudes/<uuid:public_id>/revisar/", views.application_check, name="check"),
    path(
        "solicitudes/<uuid:public_id>/autorizar-datos/",
        views.application_consent,
        name="consent",
    ),
    path("solicitudes/<uuid:public_id>/<slug:page_id>/", views.application_page, name="page"),
    path("mis-tramites/", views.case_list, name="list"),
    path("mis-tramites/<str:reference>/", views.case_detail, name="detail"),
    path("mis-tramites/<str:reference>/enviado/", views.case_sent, name="sent"),
    path("mis-tramites/<str:reference>/constancia.pdf", views.case_receipt, name="receipt"),
    path("mis-tramites/<str:reference>/documento.pdf", views.case_document, name="document"),
    path("mis-tramites/<str:reference>/mensaje/", views.case_message, name="message"),
    path("mis-tramites/<str:reference>/subsanar/", views.case_correction, name="correction"),
    path("mis-tramites/<str:reference>/archivos/<str:file_id>/", views.case_file, name="file"),
]
