"""Project-wide pytest fixtures."""

import pytest
from django.core.cache import cache

# The fake civil registry, as its own process (fixtures `civil_registry`, `civil_registry_fake`).
pytest_plugins = ["ventanilla.integrations.civil_registry.testing"]


@pytest.fixture(autouse=True)
def _empty_page_cache():
    """Each test starts with an empty cache: whole pages cached by one test must not answer
    the same URL in the next."""
    cache.clear()
    yield
    cache.clear()
