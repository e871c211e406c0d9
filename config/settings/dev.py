"""The embedded default used by `make demo`: SQLite, local files, in-process cache."""

import os

from .base import *  # noqa: F403

# The reference clients' identity, unless VENTANILLA_GOVSTACK_CLIENTS names others.
if "VENTANILLA_GOVSTACK_CLIENTS" not in os.environ:
    GOVSTACK_REGISTRATION_CLIENTS = [GOVSTACK_DEMO_CLIENT]  # noqa: F405
