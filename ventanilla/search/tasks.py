"""Indexing on save, through Django's tasks API: a change to a published thing is queued
after its transaction commits, and a worker writes the index. The web request never waits."""

from django.tasks import task

from ventanilla.search.indexing import search_index_objects


@task()
def search_index_task(*, kind_name: str, ids: list[int]) -> int:
    return search_index_objects(kind_name=kind_name, ids=ids)
