from django.urls import path

from ventanilla.search import views

app_name = "search"
urlpatterns = [
    path("buscar/", views.search, name="results"),
    path("buscar/clic/", views.click, name="click"),
    path("buscar/sugerencias/", views.suggestions, name="suggestions"),
]
