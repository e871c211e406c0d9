"""Project-wide pytest fixtures."""

import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def _empty_page_cache():
    """Each test starts with an empty cache: whole pages cached by one test must not answer
    the same URL in the next."""
    cache.clear()
    yield
    cache.clear()
