"""GovStack Messaging (e-mail) API."""

from django.urls import URLPattern, URLResolver

app_name = "govstack_messaging"
urlpatterns: list[URLPattern | URLResolver] = []
