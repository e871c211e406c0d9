"""Settings for the test suite: SQLite by default, PostgreSQL when VENTANILLA_DATABASE_URL asks."""

import os

from .base import *  # noqa: F403
from .base import VAR_DIR, database_from_url

DATABASES = {
    "default": database_from_url(
        os.environ.get("VENTANILLA_DATABASE_URL", f"sqlite:///{VAR_DIR / 'test.sqlite3'}")
    )
}
if str(DATABASES["default"]["ENGINE"]).endswith("sqlite3"):
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test-db.sqlite3")}
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}

# The reference clients' identity, unless VENTANILLA_GOVSTACK_CLIENTS names others.
if "VENTANILLA_GOVSTACK_CLIENTS" not in os.environ:
    GOVSTACK_REGISTRATION_CLIENTS = [GOVSTACK_DEMO_CLIENT]  # noqa: F405

# GovStack's reference test instance needs no API key here (never in production).
if "VENTANILLA_INTEROP_OPEN_INSTANCES" not in os.environ:
    INTEROP_OPEN_INSTANCES = ["eGovStack"]

# Nothing listens on port 1: a test that wants the fake mail relay or SMS gateway starts its own
# (ventanilla.integrations.email.testing / sms.testing) and points these at it.
if "VENTANILLA_SMTP_PORT" not in os.environ:
    NOTIFICATIONS_SMTP_PORT = 1
if "VENTANILLA_SMS_URL" not in os.environ:
    NOTIFICATIONS_SMS_URL = "http://127.0.0.1:1"
NOTIFICATIONS_FAKES_DIR = VAR_DIR / "test-fakes"
