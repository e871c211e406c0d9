"""The embedded default used by `make demo`: SQLite, local files, in-process cache."""

import os

from .base import *  # noqa: F403

# The reference clients' identity, unless VENTANILLA_GOVSTACK_CLIENTS names others.
if "VENTANILLA_GOVSTACK_CLIENTS" not in os.environ:
    GOVSTACK_REGISTRATION_CLIENTS = [GOVSTACK_DEMO_CLIENT]  # noqa: F405

# GovStack's reference test instance needs no API key here (never in production).
if "VENTANILLA_INTEROP_OPEN_INSTANCES" not in os.environ:
    INTEROP_OPEN_INSTANCES = ["eGovStack"]

# The demo's mailbox page shows what the fake mail relay and SMS gateway received.
NOTIFICATIONS_DEMO_MAILBOX = env_bool("VENTANILLA_DEMO_MAILBOX", True)  # noqa: F405
