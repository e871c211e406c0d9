"""A committed catalogue edit purges the nginx caches in front, as a real HTTP server in a
thread receives the PURGE requests (see ventanilla/core/tests/test_pagecache_purge.py)."""

import pytest

from ventanilla.accounts.models import Role
from ventanilla.accounts.tests.backoffice import official
from ventanilla.catalogue import services
from ventanilla.catalogue.tests.factories import ProcedureFactory
from ventanilla.core.tests.http_recorder import recording_servers


@pytest.fixture
def front_cache():
    with recording_servers() as start:
        yield start


@pytest.mark.django_db
def test_a_committed_edit_purges_the_front_caches(
    front_cache, settings, django_capture_on_commit_callbacks
):
    nginx = front_cache(200)
    settings.PAGE_CACHE_PURGE_URLS = [nginx.url]
    procedure = ProcedureFactory(number=77, slug="licencia")
    editor = official("editora", institution=procedure.institution, role=Role.EDITOR)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.procedure_update(procedure=procedure, data={"title": "Sacar licencia"}, by=editor)
    assert nginx.paths() == []  # nothing leaves before the commit
    for callback in callbacks:
        callback()
    purged = nginx.paths()
    assert "/_purge/es/tramites/77-licencia/" in purged
    assert "/_purge/en/tramites/77-licencia/" in purged
    assert f"/_purge/es{procedure.institution.get_absolute_url()}" in purged
