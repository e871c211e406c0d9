"""Settings shared by every environment. This package is the one place that reads os.environ."""

import os
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from django.utils.translation import gettext_lazy as _

from ventanilla.oidc.keys import signing_key_pem

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = Path(os.environ.get("VENTANILLA_VAR_DIR", BASE_DIR / "var"))
SHARED_DATA_DIR = Path(
    os.environ.get("VENTANILLA_SHARED_DATA", BASE_DIR.parent / "shared" / "data")
)


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def database_from_url(url: str) -> dict[str, object]:
    """Turn sqlite:///path or postgres://user@host:port/name into a DATABASES entry."""
    parts = urlsplit(url)
    if parts.scheme == "sqlite":
        name = parts.path[1:] if parts.path.startswith("//") else parts.path.lstrip("/")
        if parts.path.startswith("//"):
            name = "/" + name.lstrip("/")
        return {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": name or str(VAR_DIR / "ventanilla.sqlite3"),
            # Reconnecting costs ~1.2 ms a request; a thread keeps its connection.
            "CONN_MAX_AGE": 600,
            # WAL lets readers go on while the loader or an editor writes.
            "OPTIONS": {
                "transaction_mode": "IMMEDIATE",
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            },
        }
    if parts.scheme in {"postgres", "postgresql"}:
        query = {k: v[0] for k, v in parse_qs(parts.query).items()}
        return {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": parts.path.lstrip("/") or "ventanilla",
            "USER": parts.username or "postgres",
            "PASSWORD": parts.password or "",
            "HOST": parts.hostname or "127.0.0.1",
            "PORT": str(parts.port or 5432),
            "CONN_MAX_AGE": int(query.pop("conn_max_age", "60")),
            "CONN_HEALTH_CHECKS": True,
            "OPTIONS": query,
        }
    raise ValueError(f"Unsupported database URL scheme: {parts.scheme!r}")


def cache_from_url(url: str) -> dict[str, object]:
    if url.startswith("redis://"):
        return {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": url}
    return {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "ventanilla"}


SECRET_KEY = os.environ.get("VENTANILLA_SECRET_KEY", "insecure-demo-key-change-me-in-production")
DEBUG = env_bool("VENTANILLA_DEBUG", False)
ALLOWED_HOSTS = os.environ.get("VENTANILLA_ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]").split(",")
CSRF_TRUSTED_ORIGINS = [
    o for o in os.environ.get("VENTANILLA_CSRF_TRUSTED_ORIGINS", "").split(",") if o
]
# The site's public address, for links made outside a request (the QR code of an issued document).
PUBLIC_BASE_URL = os.environ.get("VENTANILLA_PUBLIC_BASE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_tasks_db",
    "ninja",  # serves the API docs (Swagger UI) from our own static files, not a CDN
    "ventanilla.core",
    "ventanilla.audit",
    "ventanilla.accounts",
    "ventanilla.ubigeo",
    "ventanilla.institutions",
    "ventanilla.catalogue",
    "ventanilla.feedback",
    "ventanilla.search",
    "ventanilla.formbuilder",
    "ventanilla.cases",
    "ventanilla.interop",
    "ventanilla.notifications",
    "ventanilla.api",
    "ventanilla.integrations.registries",
    "oauth2_provider",  # before ventanilla.oidc: its admin registers our Application admin
    "ventanilla.oidc",
]

# Whole-page cache for anonymous citizens, and compression when no nginx sits in front.
PAGE_CACHE_ENABLED = env_bool("VENTANILLA_PAGE_CACHE", True)
PAGE_CACHE_SECONDS = int(os.environ.get("VENTANILLA_PAGE_CACHE_SECONDS", "86400"))
# Paths that are never whole-page cached (API answers carry their own Cache-Control).
PAGE_CACHE_SKIP_PREFIXES = (
    "/api/",
    "/gestion/",
    "/static/",
    "/media/",
    "/opinion/",
    "/idioma/",
    "/oidc/",
    "/.well-known/",
    "/servicios/",
    "/solicitudes/",
    "/mis-tramites/",
    "/verificar/",
)
COMPRESS_RESPONSES = env_bool("VENTANILLA_COMPRESS", True)
# nginx caches to purge after a publish, e.g. "http://127.0.0.1:8080" (comma-separated).
PAGE_CACHE_PURGE_URLS = [u for u in os.environ.get("VENTANILLA_PURGE_URLS", "").split(",") if u]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    *(["django.middleware.gzip.GZipMiddleware"] if COMPRESS_RESPONSES else []),
    "django.middleware.http.ConditionalGetMiddleware",
    "ventanilla.core.middleware.LanguageMiddleware",
    "ventanilla.api.middleware.ApiMiddleware",
    "ventanilla.core.middleware.OddRequestMiddleware",
    "ventanilla.core.pagecache.PageCacheMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "ventanilla.accounts.middleware.SessionTrackingMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    # Citizen pages (templates/): Jinja2 renders the procedure page ~4x faster than Django
    # templates (docs/decisions/0004-jinja2-citizen-pages.md). It compiles each template
    # once per process and caches it.
    {
        "BACKEND": "ventanilla.core.jinja2.Jinja2",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": False,
        "OPTIONS": {
            "environment": "ventanilla.core.jinja2.environment",
            # inbox_unread() for the header: no query unless a citizen's session is present.
            "context_processors": ["ventanilla.notifications.views.inbox.inbox_header"],
            "autoescape": True,
            "keep_trailing_newline": True,
            "auto_reload": DEBUG,
        },
    },
    # The back office (Django admin) and any app's own templates.
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": False,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
            ],
            # Cached loader everywhere: templates are read once per process.
            "loaders": [
                (
                    "django.template.loaders.cached.Loader",
                    ["django.template.loaders.app_directories.Loader"],
                )
            ],
            "builtins": ["ventanilla.core.templatetags.ds"],
        },
    },
]

DATABASES = {
    "default": database_from_url(
        os.environ.get("VENTANILLA_DATABASE_URL", f"sqlite:///{VAR_DIR / 'ventanilla.sqlite3'}")
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

CACHES = {"default": cache_from_url(os.environ.get("VENTANILLA_CACHE_URL", "locmem://"))}

TASKS = {
    "default": {
        "BACKEND": os.environ.get("VENTANILLA_TASKS_BACKEND", "django_tasks_db.DatabaseBackend")
    }
}

# Identity (docs/decisions/0007-identity.md). Older hashes are upgraded on the next login.
PASSWORD_HASHERS = [
    "ventanilla.accounts.hashers.VentanillaArgon2Hasher",
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTHENTICATION_BACKENDS = ["ventanilla.accounts.backends.AccountBackend"]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "accounts:home"
# Failed logins: after this many for one account or one address, each try waits (doubling);
# after LOGIN_LOCK_AFTER for one account it is locked until an administrator lifts it.
LOGIN_DELAY_AFTER = int(os.environ.get("VENTANILLA_LOGIN_DELAY_AFTER", "5"))
LOGIN_DELAY_SECONDS = int(os.environ.get("VENTANILLA_LOGIN_DELAY_SECONDS", "30"))
LOGIN_LOCK_AFTER = int(os.environ.get("VENTANILLA_LOGIN_LOCK_AFTER", "10"))
# Per address the bar is higher: many citizens share one address behind a mobile carrier's NAT.
LOGIN_ADDRESS_DELAY_AFTER = int(os.environ.get("VENTANILLA_LOGIN_ADDRESS_DELAY_AFTER", "20"))
# Sessions: two weeks at most, and a citizen idle for LOGIN_IDLE_SECONDS logs in again.
SESSION_COOKIE_AGE = 14 * 24 * 3600
LOGIN_IDLE_SECONDS = int(os.environ.get("VENTANILLA_LOGIN_IDLE_SECONDS", str(2 * 3600)))
# Outgoing e-mail (password recovery, invitations): printed to the console in the demo.
MAILERS = {
    "default": {
        "BACKEND": os.environ.get(
            "VENTANILLA_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend"
        )
    }
}
DEFAULT_FROM_EMAIL = os.environ.get(
    "VENTANILLA_FROM_EMAIL", "Ventanilla <no-responder@ventanilla.gob.pe>"
)

# Single sign-on: Ventanilla as an OpenID Connect provider (django-oauth-toolkit), see
# docs/decisions/0008-openid-connect-provider.md. Code flow with PKCE S256 only.
OAUTH2_PROVIDER = {
    "OIDC_ENABLED": True,
    # PEM text or a file path; unset, a key is generated once into VAR_DIR (demo, tests).
    "OIDC_RSA_PRIVATE_KEY": signing_key_pem(
        os.environ.get("VENTANILLA_OIDC_PRIVATE_KEY", ""),
        default_path=VAR_DIR / "oidc" / "signing-key.pem",
    ),
    # Keys retired by a rotation, still published in the JWKS until their tokens expire.
    "OIDC_RSA_PRIVATE_KEYS_INACTIVE": [
        signing_key_pem(k, default_path=VAR_DIR / "oidc" / "signing-key.pem")
        for k in os.environ.get("VENTANILLA_OIDC_PREVIOUS_KEYS", "").split(",")
        if k.strip()
    ],
    # e.g. "https://www.ventanilla.gob.pe"; unset, the issuer is the address the request came to.
    "OIDC_ISS_ENDPOINT": os.environ.get("VENTANILLA_OIDC_ISSUER", ""),
    "OIDC_RESPONSE_TYPES_SUPPORTED": ["code"],
    "OIDC_RP_INITIATED_LOGOUT_ENABLED": True,
    "OIDC_RP_INITIATED_LOGOUT_ALWAYS_PROMPT": False,
    "OIDC_RP_INITIATED_LOGOUT_STRICT_REDIRECT_URIS": True,
    "PKCE_REQUIRED": True,
    "COMPLIANT_BCP_RFC9700_PKCE_METHOD": True,
    "COMPLIANT_BCP_RFC9700_IMPLICIT_GRANT": True,
    "COMPLIANT_BCP_RFC9700_PASSWORD_GRANT": True,
    "COMPLIANT_BCP_RFC9700_ACCESS_TOKEN_TRANSPORT": True,  # never a token in a query string
    "COMPLIANT_BCP_RFC9700_AUTHZ_RESPONSE_ISS": True,  # RFC 9207 iss on the redirect back
    "COMPLIANT_BCP_RFC9700_TOKEN_STORAGE": True,  # tokens kept as hashes only
    "REFRESH_TOKEN_REUSE_PROTECTION": True,
    "AUTHORIZATION_CODE_EXPIRE_SECONDS": 60,
    "ACCESS_TOKEN_EXPIRE_SECONDS": 3600,
    "ID_TOKEN_EXPIRE_SECONDS": 3600,
    "REFRESH_TOKEN_EXPIRE_SECONDS": 30 * 24 * 3600,
    # What the consent screen says each scope shares.
    "SCOPES": {
        "openid": _("Saber que eres tú (un identificador que no revela tus datos)"),
        "profile": _("Tus nombres, apellidos y número de documento"),
        "email": _("Tu correo electrónico"),
        "phone": _("Tu número de celular"),
    },
    "DEFAULT_SCOPES": ["openid"],
    "SCOPES_BACKEND_CLASS": "ventanilla.oidc.scopes.ClientScopes",
    "OAUTH2_VALIDATOR_CLASS": "ventanilla.oidc.validators.VentanillaValidator",
    "APPLICATION_ADMIN_CLASS": "ventanilla.oidc.admin.ApplicationAdmin",
}
# django-oauth-toolkit's own models (not swapped); named so migrations can refer to them.
OAUTH2_PROVIDER_APPLICATION_MODEL = "oauth2_provider.Application"
OAUTH2_PROVIDER_GRANT_MODEL = "oauth2_provider.Grant"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Spanish (Peru) first; the source strings are Spanish, translations live in locale/.
LANGUAGE_CODE = "es"
LANGUAGES = [("es", _("Español")), ("en", _("English"))]
# Quechua and Aymara: add ("qu", ...) / ("ay", ...) here and a locale/<code>/ catalogue.
EXTRA_LANG_INFO = {
    "qu": {"bidi": False, "code": "qu", "name": "Quechua", "name_local": "Runasimi"},
    "ay": {"bidi": False, "code": "ay", "name": "Aymara", "name_local": "Aymar aru"},
}
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "America/Lima"
USE_I18N = True
USE_TZ = True
LANGUAGE_COOKIE_NAME = "lang"

STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("VENTANILLA_STATIC_ROOT", VAR_DIR / "static"))
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
MEDIA_ROOT = Path(os.environ.get("VENTANILLA_MEDIA_ROOT", VAR_DIR / "media"))
MEDIA_URL = "/media/"

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

# How many proxies (nginx, a load balancer) append to X-Forwarded-For in front of the web
# processes: 0 when Django's own server faces the client (the demo).
TRUSTED_PROXY_COUNT = int(os.environ.get("VENTANILLA_TRUSTED_PROXIES", "0"))

# Query strings longer than this are answered with a clear 400 page instead of being parsed.
MAX_QUERY_STRING_LENGTH = 2048
DATA_UPLOAD_MAX_NUMBER_FIELDS = 500

# GovStack Registration API (docs/decisions/0011): the information-mediator clients
# (INSTANCE/CLASS/MEMBER/SUBSYSTEM, comma-separated) that may read applications and tasks.
GOVSTACK_DEMO_CLIENT = "eGovStack/GOV/90000009/eregistrations-dev"
GOVSTACK_REGISTRATION_CLIENTS = [
    c.strip() for c in os.environ.get("VENTANILLA_GOVSTACK_CLIENTS", "").split(",") if c.strip()
]

# The information mediator (issue 6, docs/decisions/0012): X-Road-style exchange between
# institutions under /r1/, with a signed, hash-chained message log.
INTEROP_INSTANCE = os.environ.get("VENTANILLA_INTEROP_INSTANCE", "PE")
# The platform's own subsystem (PCM): it verifies identities at sign-up.
INTEROP_PLATFORM_CLIENT = os.environ.get(
    "VENTANILLA_INTEROP_PLATFORM_CLIENT", "PE/GOB/20168999926/ventanilla"
)
# Instances whose clients need no API key: only GovStack's reference test instance, and only
# where dev.py and test.py set it. Production authenticates every client.
INTEROP_OPEN_INSTANCES: list[str] = [
    c.strip()
    for c in os.environ.get("VENTANILLA_INTEROP_OPEN_INSTANCES", "").split(",")
    if c.strip()
]
# Ed25519 key that signs the message log: PEM text or a file path; unset, generated once into
# VAR_DIR (demo, tests). Keys retired by a rotation stay verifiable by their key id.
INTEROP_SIGNING_KEY = os.environ.get("VENTANILLA_INTEROP_SIGNING_KEY", "")
INTEROP_SIGNING_KEY_PATH = VAR_DIR / "interop" / "signing-key.pem"
INTEROP_PREVIOUS_KEYS = [
    k.strip()
    for k in os.environ.get("VENTANILLA_INTEROP_PREVIOUS_KEYS", "").split(",")
    if k.strip()
]
# Where the registries answer (the demo's fakes, which `make demo` starts on these ports).
INTEROP_REGISTRY_HOST = os.environ.get("VENTANILLA_INTEROP_REGISTRY_HOST", "127.0.0.1")
# Six consecutive ports from VENTANILLA_INTEROP_REGISTRY_PORT_BASE (a test runs its own set).
_REGISTRY_PORT_BASE = int(os.environ.get("VENTANILLA_INTEROP_REGISTRY_PORT_BASE", "8911"))
INTEROP_REGISTRY_PORTS = {
    name: _REGISTRY_PORT_BASE + offset
    for offset, name in enumerate(("reniec", "migraciones", "sunat", "sunarp", "mtc", "govstack"))
}

# Notifications (docs/decisions/0013-notifications.md): the casilla, e-mail and SMS.
# E-mail goes over SMTP to NOTIFICATIONS_SMTP_HOST:PORT (the demo's fake relay, which posts
# Mailgun-style delivery events back); SMS to an HTTP gateway speaking Infobip's SMS API v2
# (the demo's fake). Both fakes run on this machine unless these point elsewhere.
NOTIFICATIONS_SMTP_HOST = os.environ.get("VENTANILLA_SMTP_HOST", "127.0.0.1")
NOTIFICATIONS_SMTP_PORT = int(os.environ.get("VENTANILLA_SMTP_PORT", "8921"))
NOTIFICATIONS_SMTP_USERNAME = os.environ.get("VENTANILLA_SMTP_USERNAME", "")
NOTIFICATIONS_SMTP_PASSWORD = os.environ.get("VENTANILLA_SMTP_PASSWORD", "")
NOTIFICATIONS_SMTP_USE_TLS = env_bool("VENTANILLA_SMTP_USE_TLS", False)
NOTIFICATIONS_SMTP_TIMEOUT = float(os.environ.get("VENTANILLA_SMTP_TIMEOUT", "10"))
# The relay's delivery-event webhooks are signed with this key (Mailgun's scheme).
NOTIFICATIONS_EMAIL_WEBHOOK_KEY = os.environ.get(
    "VENTANILLA_EMAIL_WEBHOOK_KEY", "demo-email-webhook-key"
)
NOTIFICATIONS_SMS_URL = os.environ.get("VENTANILLA_SMS_URL", "http://127.0.0.1:8922")
NOTIFICATIONS_SMS_API_KEY = os.environ.get("VENTANILLA_SMS_API_KEY", "demo-sms-key")
NOTIFICATIONS_SMS_SENDER = os.environ.get("VENTANILLA_SMS_SENDER", "GOBPE")
NOTIFICATIONS_SMS_TIMEOUT = float(os.environ.get("VENTANILLA_SMS_TIMEOUT", "10"))
# Delivery reports reach /notificaciones/proveedores/sms/<token>/reportes (a secret path).
NOTIFICATIONS_SMS_CALLBACK_TOKEN = os.environ.get(
    "VENTANILLA_SMS_CALLBACK_TOKEN", "demo-sms-callback-token"
)
# Where providers post delivery reports back: this platform's address as they reach it.
NOTIFICATIONS_CALLBACK_BASE_URL = os.environ.get(
    "VENTANILLA_NOTIFY_CALLBACK_BASE_URL", PUBLIC_BASE_URL
).rstrip("/")
# Message-ID of every e-mail: <message uuid>@this domain (providers report on it).
NOTIFICATIONS_MESSAGE_ID_DOMAIN = os.environ.get(
    "VENTANILLA_MESSAGE_ID_DOMAIN", "ventanilla.gob.pe"
)
# Messages a second per provider, across every worker (counted in the cache).
NOTIFICATIONS_RATE_LIMITS = {
    "email": int(os.environ.get("VENTANILLA_EMAIL_RATE", "500")),
    "sms": int(os.environ.get("VENTANILLA_SMS_RATE", "200")),
}
# Retries: BASE * 2^(attempt-1) seconds, capped at MAX, jittered; a temporary failure turns
# final after GIVE_UP seconds (Notify's 72 hours).
NOTIFICATIONS_RETRY_BASE_SECONDS = float(os.environ.get("VENTANILLA_NOTIFY_RETRY_BASE", "5"))
NOTIFICATIONS_RETRY_MAX_SECONDS = float(os.environ.get("VENTANILLA_NOTIFY_RETRY_MAX", "300"))
NOTIFICATIONS_GIVE_UP_SECONDS = int(os.environ.get("VENTANILLA_NOTIFY_GIVE_UP", str(72 * 3600)))
# A worker holds a claimed batch this long; a killed worker's batch is taken again after it.
NOTIFICATIONS_LEASE_SECONDS = int(os.environ.get("VENTANILLA_NOTIFY_LEASE", "60"))
NOTIFICATIONS_BATCH_SIZE = int(os.environ.get("VENTANILLA_NOTIFY_BATCH", "100"))
NOTIFICATIONS_EMAIL_ATTACHMENT_MAX_BYTES = 2 * 1024 * 1024  # Notify's limit
# Requests a minute per key on the Notify-compatible API (Notify's own limit).
NOTIFICATIONS_API_RATE_LIMIT = int(os.environ.get("VENTANILLA_NOTIFY_API_RATE_LIMIT", "3000"))
NOTIFICATIONS_INBOX_ATTACHMENT_MAX_BYTES = 10 * 1024 * 1024
# The demo's mailbox page (/demo/buzon/) shows what the fake relay and gateway received,
# read from this folder; off in production.
NOTIFICATIONS_DEMO_MAILBOX = env_bool("VENTANILLA_DEMO_MAILBOX", False)
NOTIFICATIONS_FAKES_DIR = VAR_DIR / "fakes"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("VENTANILLA_LOG_LEVEL", "WARNING")},
}
