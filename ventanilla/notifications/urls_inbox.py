"""Notifications URLs (issue 7)."""

from django.urls import URLPattern, URLResolver

app_name = "notifications_inbox"
urlpatterns: list[URLPattern | URLResolver] = []
