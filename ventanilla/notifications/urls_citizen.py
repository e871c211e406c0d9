"""Notifications URLs (issue 7)."""

from django.urls import URLPattern, URLResolver

app_name = "notifications_citizen"
urlpatterns: list[URLPattern | URLResolver] = []
