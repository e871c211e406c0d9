"""The OpenAPI document of /api/v1/, as committed in docs/api/openapi.json."""

import json
from pathlib import Path

from django.conf import settings
from django.utils import translation
from ninja.responses import NinjaJSONEncoder

from ventanilla.api.urls import api

DOCUMENT_PATH = Path(settings.BASE_DIR) / "docs" / "api" / "openapi.json"


def openapi_document() -> str:
    """The live schema as stable text: sorted keys, indent 2, UTF-8, trailing newline."""
    with translation.override(settings.LANGUAGE_CODE):
        schema = api.get_openapi_schema()
    return (
        json.dumps(schema, cls=NinjaJSONEncoder, sort_keys=True, indent=2, ensure_ascii=False)
        + "\n"
    )
