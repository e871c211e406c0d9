import pytest

from ventanilla.search.indexing import search_index_rebuild


@pytest.fixture
def reindex():
    """Build the index from what the test created. Saves inside a test's transaction queue
    their indexing for after a commit that never comes; tests of that path capture it."""

    def run() -> int:
        return search_index_rebuild()

    return run
