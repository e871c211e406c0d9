"""The casilla electrónica (at the site's root): the citizen's /casilla/…, the public check
/constancias/<code>/, and an official's copy of a constancia under /gestion/avisos/casilla/…"""

from django.urls import URLPattern, URLResolver, path

from ventanilla.notifications.views import inbox as views

app_name = "notifications_inbox"
urlpatterns: list[URLPattern | URLResolver] = [
    path("casilla/", views.inbox_list, name="list"),
    path("casilla/<uuid:item_id>/", views.inbox_detail, name="detail"),
    path(
        "casilla/<uuid:item_id>/adjuntos/<int:attachment_id>/",
        views.inbox_attachment,
        name="attachment",
    ),
    path("casilla/<uuid:item_id>/constancia.pdf", views.inbox_constancia, name="constancia"),
    path("constancias/<str:code>/", views.constancia_check, name="check"),
    path(
        "gestion/avisos/casilla/<uuid:item_id>/constancia.pdf",
        views.official_constancia,
        name="official_constancia",
    ),
]
