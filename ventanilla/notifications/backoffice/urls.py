"""The back office of notifications: templates, API keys, sent messages."""

from django.urls import URLPattern, URLResolver

app_name = "notifications_backoffice"
urlpatterns: list[URLPattern | URLResolver] = []
