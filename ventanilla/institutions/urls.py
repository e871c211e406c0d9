from django.urls import path

from ventanilla.institutions import views

app_name = "institutions"
urlpatterns = [
    path("instituciones/", views.institution_list, name="list"),
    path("institucion/<slug:slug>/", views.institution_detail, name="detail"),
]
