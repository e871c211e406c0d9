"""The demo's mailbox (issue 7): /demo/buzon/… — what the fake relay and gateway received."""

from django.urls import URLPattern, URLResolver, path

from ventanilla.notifications.views import demo

app_name = "notifications_demo"
urlpatterns: list[URLPattern | URLResolver] = [
    path("demo/buzon/", demo.mailbox_emails, name="emails"),
    path("demo/buzon/sms/", demo.mailbox_sms, name="sms"),
    path("demo/buzon/correo/<int:seq>/", demo.mailbox_email, name="email"),
    path("demo/buzon/correo/<int:seq>/html", demo.mailbox_email_html, name="email_html"),
]
