from functools import partial
from typing import Any

from django.apps import AppConfig


class SearchConfig(AppConfig):
    name = "ventanilla.search"
    label = "search"
    verbose_name = "Búsqueda"

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from ventanilla.search import kinds  # noqa: F401  (registers the kinds)
        from ventanilla.search.registry import kinds as registered

        models = set()
        for kind in registered().values():
            models.add(kind.model)
            models.update(model for model, _ids in kind.watch)
        for model in models:
            post_save.connect(_queue_index, sender=model, dispatch_uid=f"search-save-{model}")
            post_delete.connect(_queue_index, sender=model, dispatch_uid=f"search-del-{model}")


def _queue_index(sender: Any, instance: Any, **kwargs: Any) -> None:
    """After the commit, queue the reindexing of what a saved or deleted object touches.
    A raw save (loaddata) is left to `search_rebuild`."""
    if kwargs.get("raw"):
        return
    from django.db import transaction

    from ventanilla.search.indexing import kind_ids_touched
    from ventanilla.search.tasks import search_index_task

    for kind_name, ids in kind_ids_touched(instance):
        if ids:
            transaction.on_commit(partial(search_index_task.enqueue, kind_name=kind_name, ids=ids))
