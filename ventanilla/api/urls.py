"""The public, versioned HTTP API. Thin: it parses, calls selectors and services, serialises."""

from typing import Any

from ninja import NinjaAPI
from ninja.openapi.schema import OpenAPISchema
from ninja.renderers import JSONRenderer

from ventanilla.api import institutions, procedures, search
from ventanilla.api.errors import install_handlers

DESCRIPTION = """
API pública y abierta de Ventanilla: el directorio de instituciones, el catálogo de trámites
y servicios del Estado peruano y la búsqueda del portal, con los mismos datos y filtros que el
portal.

- Sin autenticación ni cookies; `Access-Control-Allow-Origin: *` permite usarla desde cualquier
  sitio web. Las respuestas se pueden guardar en caché unos minutos (`Cache-Control`) y traen
  `ETag` para revalidarlas.
- Las listas se paginan con `page` y `page_size` (de 1 a 100, por defecto 20) y responden
  `{count, page, page_size, next, previous, results, messages}`. La búsqueda (`/search`) se
  pagina con `page` y `per_page` (de 1 a 50) y responde `{total, page, pages, per_page, …}`.
- Los errores son siempre JSON con un mensaje en español: `{"detail": "…"}`, y además
  `"errors": [...]` cuando un parámetro no es válido (422). Un recurso o una dirección que no
  existe responde 404; un método distinto de GET, 405.
- Los textos (mensajes y etiquetas como `level_label`) están en español.
- La versión va en la dirección (`/api/v1/`): dentro de v1 solo se agregan campos.
"""


class ReadableJSONRenderer(JSONRenderer):
    # «Ñuñoa» rather than "\u00d1u\u00f1oa": still valid JSON, readable by people.
    json_dumps_params = {"ensure_ascii": False}


RESPONSE_DESCRIPTIONS = {
    "200": "Respuesta correcta.",
    "404": "No existe el recurso o la página pedida.",
    "422": "Algún parámetro no es válido; `errors` dice cuál y por qué.",
}
TAGS = [
    {"name": "Instituciones", "description": "El directorio de las instituciones del Estado."},
    {
        "name": "Trámites y servicios",
        "description": "El catálogo de trámites, servicios y orientaciones, con sus fichas.",
    },
    {
        "name": "Búsqueda",
        "description": "Una búsqueda en todo el portal, que entiende el español como se escribe.",
    },
]


class VentanillaAPI(NinjaAPI):
    def get_openapi_schema(
        self, *, path_prefix: str | None = None, path_params: dict[str, Any] | None = None
    ) -> OpenAPISchema:
        """django-ninja's schema with Spanish response descriptions and described tags."""
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        for path_item in schema["paths"].values():
            for operation in path_item.values():
                for status, response in operation.get("responses", {}).items():
                    response["description"] = RESPONSE_DESCRIPTIONS.get(
                        str(status), response["description"]
                    )
        schema["tags"] = TAGS
        return schema


api = VentanillaAPI(
    title="Ventanilla API",
    version="1.0.0",
    description=DESCRIPTION.strip(),
    urls_namespace="api-v1",
    renderer=ReadableJSONRenderer(),
)
install_handlers(api)
api.add_router("/institutions", institutions.router)
api.add_router("/procedures", procedures.router)
api.add_router("/search", search.router)
