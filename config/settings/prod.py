"""Production: PostgreSQL and Redis are required, nginx compresses and caches in front."""

import os

from .base import *  # noqa: F403
from .base import env_bool

if not os.environ.get("VENTANILLA_DATABASE_URL"):
    raise RuntimeError("VENTANILLA_DATABASE_URL must point at PostgreSQL in production")
SESSION_ENGINE = "django.contrib.sessions.backends.cache"
SECURE_SSL_REDIRECT = env_bool("VENTANILLA_SSL_REDIRECT", False)
SESSION_COOKIE_SECURE = env_bool("VENTANILLA_SECURE_COOKIES", False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
USE_X_FORWARDED_HOST = True
