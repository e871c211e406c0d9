from django.urls import URLPattern, URLResolver, path

from ventanilla.cases.documents import views

app_name = "documents"

urlpatterns: list[URLPattern | URLResolver] = [
    path("verificar/", views.verify_start, name="start"),
    path("verificar/<str:code>/", views.verify, name="verify"),
]
