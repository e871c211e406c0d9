"""GOV.UK Notify-compatible API, v2."""

from django.urls import URLPattern, URLResolver

app_name = "notify_api"
urlpatterns: list[URLPattern | URLResolver] = []
