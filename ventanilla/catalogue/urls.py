from django.urls import path, re_path

from ventanilla.catalogue import views

app_name = "catalogue"
urlpatterns = [
    path("tramites/", views.procedure_list, name="list"),
    path("tramites/<int:number>-<str:slug>/", views.procedure_detail, name="procedure"),
    path(
        "tramites/<int:number>-<str:slug>/iniciar/", views.procedure_start, name="procedure_start"
    ),
    re_path(r"^tramites/(?P<number>[0-9]+)/$", views.procedure_by_number, name="procedure_number"),
    path("temas/", views.topic_list, name="topics"),
    path("temas/<slug:slug>/", views.topic_detail, name="topic"),
    path("momentos-de-vida/", views.life_event_list, name="life_events"),
    path("momentos-de-vida/<slug:slug>/", views.life_event_detail, name="life_event"),
]
