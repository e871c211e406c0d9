"""/cuenta/avisos/: the citizen's choice of e-mail and SMS besides the casilla (issue 7)."""

from django.urls import URLPattern, URLResolver, path

from ventanilla.notifications.views.citizen import preferences_view

app_name = "notifications_citizen"
urlpatterns: list[URLPattern | URLResolver] = [
    path("", preferences_view, name="preferences"),
]
