"""The GovStack reference records, loaded as the demo loads them, and the reference client."""

import json
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client

from ventanilla.cases.management.commands.govstack_registration_load import DEFAULT_FIXTURES

BASE = "/api/govstack/registration/"
CLIENT_ID = "eGovStack/GOV/90000009/eregistrations-dev"
HEADER = {"Information-Mediator-Client": CLIENT_ID}
FIXTURES: dict[str, Any] = json.loads(Path(DEFAULT_FIXTURES).read_text(encoding="utf-8"))


@pytest.fixture
def reference(db: None) -> dict[str, Any]:
    call_command("govstack_registration_load", verbosity=0)
    return FIXTURES


@pytest.fixture
def api() -> Client:
    return Client()
