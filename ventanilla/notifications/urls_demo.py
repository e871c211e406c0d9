"""Notifications URLs (issue 7)."""

from django.urls import URLPattern, URLResolver

app_name = "notifications_demo"
urlpatterns: list[URLPattern | URLResolver] = []
