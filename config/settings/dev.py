"""The embedded default used by `make demo`: SQLite, local files, in-process cache."""

from .base import *  # noqa: F403
