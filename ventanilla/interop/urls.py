"""The citizen's pages: /mis-datos/ and the consents they gave."""

from django.urls import path

from .views import citizen

urlpatterns = [
    path("mis-datos/", citizen.data_reads, name="interop-data-reads"),
    path("mis-datos/autorizaciones/", citizen.consents, name="interop-consents"),
    path(
        "mis-datos/autorizaciones/<uuid:record_id>/revocar/",
        citizen.consent_withdraw,
        name="interop-consent-withdraw",
    ),
]
