"""The public, versioned HTTP API. Thin: it parses, calls selectors and services, serialises."""

from ninja import NinjaAPI

api = NinjaAPI(
    title="Ventanilla API",
    version="1.0.0",
    description="API pública de Ventanilla: instituciones y trámites del Estado peruano.",
    urls_namespace="api-v1",
)
