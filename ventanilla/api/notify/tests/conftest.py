"""Fixtures of the Notify-compatible API's tests (see support.py)."""

import pytest

from ventanilla.api.notify.tests.support import NotifyClient, Setup, setup_make


@pytest.fixture
def notify(db: None) -> Setup:
    return setup_make()


@pytest.fixture
def live_api(notify: Setup) -> NotifyClient:
    return NotifyClient(notify.live)


@pytest.fixture
def test_api(notify: Setup) -> NotifyClient:
    return NotifyClient(notify.test)
