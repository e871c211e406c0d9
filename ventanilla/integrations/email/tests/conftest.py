from collections.abc import Iterator

import pytest

from ventanilla.integrations.fakes import CallbackCollector


@pytest.fixture
def collector() -> Iterator[CallbackCollector]:
    """An HTTP endpoint that keeps what the fake posts to it."""
    receiver = CallbackCollector()
    try:
        yield receiver
    finally:
        receiver.close()
