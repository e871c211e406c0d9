"""Project-wide pytest fixtures."""

import pytest
from django.core.cache import cache

# The fake registries, each its own process (`registry_processes`), and the mediator's directory
# pointing at them (`interop_directory`, `civil_registry`, `civil_registry_fake`).
# The fake mail relay (`mail_relay`) and SMS gateway (`sms_gateway`), each its own process.
pytest_plugins = [
    "ventanilla.integrations.registries.testing",
    "ventanilla.interop.testing",
    "ventanilla.integrations.email.testing",
    "ventanilla.integrations.sms.testing",
]


@pytest.fixture(autouse=True)
def _empty_page_cache():
    """Each test starts with an empty cache: whole pages cached by one test must not answer
    the same URL in the next."""
    cache.clear()
    yield
    cache.clear()
