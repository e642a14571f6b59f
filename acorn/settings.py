"""Acorn settings: one module, read from the environment, closed by default.

Variable names are fixed in API.md. Development needs ACORN_DEBUG=1; anything else is
treated as production and refuses to start without a secret key.
"""

import os
import sys
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

BASE_DIR = Path(__file__).resolve().parent.parent


def env_flag(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


DEBUG = env_flag("ACORN_DEBUG")
# The test suite runs on this same module; pytest is detected so a bare `pytest` works too.
TESTING = env_flag("ACORN_TESTING") or "pytest" in sys.modules
DATA_DIR = Path(os.environ.get("ACORN_DATA_DIR") or BASE_DIR / "var").resolve()

SECRET_KEY = os.environ.get("ACORN_SECRET_KEY", "")
if not SECRET_KEY:
    if DEBUG or TESTING:
        SECRET_KEY = "acorn-development-only-not-secret"  # noqa: S105
    else:
        raise ImproperlyConfigured(
            "ACORN_SECRET_KEY must be set when ACORN_DEBUG is not 1. "
            "Generate one with: python -c 'import secrets; print(secrets.token_urlsafe(50))'"
        )

ALLOWED_HOSTS = [
    h.strip()
    for h in os.environ.get("ACORN_ALLOWED_HOSTS", "localhost,127.0.0.1").split(",")
    if h.strip()
]
if TESTING:
    ALLOWED_HOSTS += ["testserver"]

# Plain HTTP is only for a laptop or a test run: secure cookies and HSTS are on unless
# ACORN_HTTPS=0 is given explicitly (the README's run command does so for localhost).
HTTPS = env_flag("ACORN_HTTPS", default=not DEBUG)

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_tasks_db",
    "acorn.core",
    "acorn.audit",
    "acorn.ops",
    "acorn.accounts",
    "acorn.org",
    "acorn.children",
    "acorn.journal",
    "acorn.suitability",
    "acorn.devices",
    "acorn.eyfs",
    "acorn.leaving",
    "acorn.reports",
    "acorn.notices",
    "acorn.demo",
]

MIDDLEWARE = [
    "acorn.ops.logs.RequestIdMiddleware",
    "acorn.core.middleware.TransportSecurityMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "acorn.core.middleware.NoStoreMiddleware",
    "acorn.core.middleware.ApiErrorShapeMiddleware",
    "acorn.core.middleware.NulByteMiddleware",
    "acorn.core.middleware.UploadSizeMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "acorn.devices.middleware.DeviceSessionMiddleware",
    "acorn.accounts.middleware.SessionPolicyMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "acorn.core.middleware.PolicyRefusalMiddleware",
]

ROOT_URLCONF = "acorn.urls"
WSGI_APPLICATION = "acorn.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "acorn" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "acorn.core.context_processors.navigation",
            ],
        },
    }
]

DATA_DIR.mkdir(parents=True, exist_ok=True)
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{DATA_DIR / 'acorn.sqlite3'}",
        conn_max_age=60,
    )
}
# Persistent connections (a minute), checked before reuse so a restarted database or a
# dropped connection costs one reconnect, not an error page.
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if "postgresql" in DATABASES["default"]["ENGINE"] and os.environ.get("ACORN_DB_PREPARED") != "0":
    # Values bound on the server, and a query prepared the fifth time a connection runs
    # it: planning was about a millisecond of each of a page's larger queries (issue 13).
    # ACORN_DB_PREPARED=0 for a pooler that can't keep prepared statements.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        server_side_binding=True, prepare_threshold=5
    )
if "postgresql" in DATABASES["default"]["ENGINE"]:
    # PostgreSQL's planner costs a random read at four sequential ones, as for a spinning
    # disk; Acorn's working set is in memory, where 1.1 is the usual figure. At four it read
    # whole small tables instead of the per-child index: a tenth of the journal API's time
    # for a setting in its first year (issue 13). Empty leaves the server's own setting;
    # a pooler that refuses start-up options needs it empty (and set on the server).
    page_cost = os.environ.get("ACORN_DB_RANDOM_PAGE_COST", "1.1").strip()
    if page_cost:
        DATABASES["default"].setdefault("OPTIONS", {})["options"] = (
            f"-c random_page_cost={float(page_cost)}"
        )
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Django's backend, with each query's placeholders rewritten once (acorn/core/sqlite).
    DATABASES["default"]["ENGINE"] = "acorn.core.sqlite"
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        # Reads through a memory map (up to 256 MiB of the file): each request opens its
        # own connection, whose page cache starts empty, and a journal page read at 100k
        # entries made a system call for every page it touched (issue 13).
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA mmap_size=268435456;"
        ),
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
    if TESTING:
        # A file, not the shared in-memory database: its table locks fail at once instead
        # of waiting, so tests that sign in from parallel threads couldn't run.
        DATABASES["default"]["TEST"] = {"NAME": str(DATA_DIR / f"test-{os.getpid()}.sqlite3")}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = ["acorn.accounts.backends.EmailBackend"]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
if TESTING:
    # Argon2 is deliberately slow; tests that check hashing use it explicitly.
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher", *PASSWORD_HASHERS]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STORAGES = {
    "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(DATA_DIR / "media"), "base_url": None},
    },
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG or TESTING

# Sessions: staff sessions end when the browser closes and after inactivity
# (A-2, the setting's idle timeout); parents stay signed in for two weeks.
SESSION_COOKIE_AGE = 14 * 24 * 3600
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
CSRF_COOKIE_HTTPONLY = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if HTTPS and not DEBUG:
    # HSTS is sent on every answer by TransportSecurityMiddleware, whatever the request
    # claims; these keep Django's deployment checks informed.
    SECURE_HSTS_SECONDS = 31536000
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
# No SECURE_PROXY_SSL_HEADER: X-Forwarded-Proto counts only from ACORN_TRUSTED_PROXIES
# (TransportSecurityMiddleware). The redirect to https is usually the proxy's job; set
# ACORN_HTTPS_REDIRECT=1 to have Acorn do it too.
SECURE_SSL_REDIRECT = HTTPS and env_flag("ACORN_HTTPS_REDIRECT")

SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "blob:", "data:"],
    "media-src": [CSP.SELF, "blob:"],
    "connect-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "frame-ancestors": [CSP.NONE],
    "form-action": [CSP.SELF],
}

# Email: ACORN_EMAIL=outbox writes every message as a file (development, demo, tests).
EMAIL_MODE = os.environ.get("ACORN_EMAIL", "outbox" if (DEBUG or TESTING) else "smtp")
if EMAIL_MODE == "outbox":
    MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.filebased.EmailBackend",
            "OPTIONS": {"file_path": str(DATA_DIR / "outbox")},
        }
    }
else:
    MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {
                "host": os.environ.get("ACORN_SMTP_HOST", "localhost"),
                "port": int(os.environ.get("ACORN_SMTP_PORT", "25")),
                "username": os.environ.get("ACORN_SMTP_USER", ""),
                "password": os.environ.get("ACORN_SMTP_PASSWORD", ""),
                "use_tls": env_flag("ACORN_SMTP_TLS", default=True),
            },
        }
    }
DEFAULT_FROM_EMAIL = os.environ.get("ACORN_FROM_EMAIL", "Acorn <no-reply@acorn.localhost>")

# Public address used in emailed links (invitations, password resets).
ACORN_BASE_URL = os.environ.get("ACORN_BASE_URL", "http://127.0.0.1:8000").rstrip("/")

# Background tasks: the database-backed worker by default; ACORN_TASKS=immediate runs
# each task inside the request that enqueues it (tests and the simplest set-ups).
TASKS_MODE = os.environ.get("ACORN_TASKS", "immediate" if TESTING else "worker")
if TASKS_MODE == "immediate":
    TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
else:
    TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

# Media (J-3). Limits are documented in the README; each can be set from the environment.
MB = 1024 * 1024
ACORN_MEDIA_LIMITS = {
    "max_photo_bytes": int(os.environ.get("ACORN_MAX_PHOTO_MB", "30")) * MB,
    "max_video_bytes": int(os.environ.get("ACORN_MAX_VIDEO_MB", "500")) * MB,
    "max_photo_pixels": int(os.environ.get("ACORN_MAX_PHOTO_MEGAPIXELS", "50")) * 1_000_000,
    "max_video_seconds": float(os.environ.get("ACORN_MAX_VIDEO_SECONDS", "600")),
}
# How media bytes leave the server: "stream" (through Django, the default), "accel"
# (nginx X-Accel-Redirect to an internal location) or "signed" (a short-lived signed URL
# on S3-compatible storage). Every request is authorised first, whichever is used.
ACORN_MEDIA_DELIVERY = os.environ.get("ACORN_MEDIA_DELIVERY", "stream")
ACORN_MEDIA_ACCEL_PREFIX = os.environ.get("ACORN_MEDIA_ACCEL_PREFIX", "/protected-media/")
ACORN_MEDIA_SIGNED_SECONDS = 60
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * MB
FILE_UPLOAD_TEMP_DIR = str(DATA_DIR / "uploads")
Path(FILE_UPLOAD_TEMP_DIR).mkdir(parents=True, exist_ok=True)
DATA_UPLOAD_MAX_NUMBER_FILES = 20

# S3-compatible object storage for media at scale (django-storages). Files stay private:
# no public ACL, and URLs are signed and short-lived.
if os.environ.get("ACORN_S3_BUCKET"):
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": os.environ["ACORN_S3_BUCKET"],
            "endpoint_url": os.environ.get("ACORN_S3_ENDPOINT") or None,
            "region_name": os.environ.get("ACORN_S3_REGION") or None,
            "access_key": os.environ.get("ACORN_S3_ACCESS_KEY") or None,
            "secret_key": os.environ.get("ACORN_S3_SECRET_KEY") or None,
            "default_acl": None,
            "querystring_auth": True,
            "querystring_expire": 60,
            "file_overwrite": False,
            "location": os.environ.get("ACORN_S3_PREFIX", ""),
        },
    }

# Secrets kept at rest (two-step sign-in keys) are encrypted with this Fernet key; unset,
# a key is derived from ACORN_SECRET_KEY.
ACORN_ENCRYPTION_KEY = os.environ.get("ACORN_ENCRYPTION_KEY", "")

# Accounts
ACORN_INVITATION_DAYS = 7
ACORN_API_TOKEN_HOURS = 12
ACORN_STAFF_IDLE_MINUTES = 15  # default; each setting may choose its own
# Reverse proxies in front of the whole installation (e.g. nginx on 127.0.0.1), as CIDR;
# only through them does X-Forwarded-For count. Settings may add their own.
ACORN_TRUSTED_PROXIES = [
    p.strip() for p in os.environ.get("ACORN_TRUSTED_PROXIES", "").split(",") if p.strip()
]
# failed sign-ins before a lock-out, within the window, per account and per address.
ACORN_LOCKOUT_ACCOUNT_FAILURES = 5
ACORN_LOCKOUT_ADDRESS_FAILURES = 20
ACORN_LOCKOUT_MINUTES = 15

# The cache (clearances, keyed so that a change is seen at once): local memory in each
# process by default; Redis shared by every web process with ACORN_REDIS_URL.
ACORN_REDIS_URL = os.environ.get("ACORN_REDIS_URL", "")
if ACORN_REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": ACORN_REDIS_URL,
            "KEY_PREFIX": "acorn",
        }
    }
    # Sessions are read from the shared cache (written to the database too, so a restart
    # of Redis signs nobody out): one query fewer on every request (issue 13). Never with
    # per-process memory, where a sign-out in one process would not reach the others.
    # Ending someone's sessions doesn't depend on it: every request compares the
    # session's sign-in time with the person's `sessions_valid_after`.
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# ACORN_LOG_FORMAT=json: one JSON object a line (time, level, logger, message, request id,
# method, path, status, duration), for a log collector. Plain text otherwise.
ACORN_LOG_FORMAT = os.environ.get("ACORN_LOG_FORMAT", "text")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "acorn.ops.logs.RequestIdFilter"}},
    "formatters": {
        "json": {"()": "acorn.ops.logs.JsonFormatter"},
        "text": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["request_id"],
            "formatter": "json" if ACORN_LOG_FORMAT == "json" else "text",
        }
    },
    "root": {"handlers": ["console"], "level": "WARNING"},
    "loggers": {"acorn": {"level": "INFO"}},
}
