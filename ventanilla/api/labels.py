"""Spanish labels of choice values, computed once per language rather than once per row.

Model.get_FOO_display() rebuilds a dict of every lazy label on each call: on a page of 100
institutions that was most of the response time."""

from functools import lru_cache

from django.db.models import Choices
from django.utils.translation import get_language


@lru_cache(maxsize=64)
def _labels(choices: type[Choices], language: str | None) -> dict[str, str]:
    return {str(value): str(label) for value, label in choices.choices}


def label(choices: type[Choices], value: str) -> str:
    """The label of `value` in the active language ('' for an empty value)."""
    if not value:
        return ""
    return _labels(choices, get_language()).get(value, value)
