"""Annotator settings: one module, driven by environment variables.

Every variable is read once here. An invalid value stops the start with one line that names the
variable (``SystemExit`` prints its message and exits with status 1).
"""

import os
from pathlib import Path

import dj_database_url
from csp.constants import NONCE

BASE_DIR = Path(__file__).resolve().parent.parent

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def _env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise SystemExit(
        f"Invalid {name}={raw!r}: expected one of 1, 0, true, false, yes, no, on, off."
    )


def _env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def _env_int(name: str, default: int, *, allow_zero: bool = False) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise SystemExit(f"Invalid {name}={raw!r}: expected a whole number.") from None
    if value < 0 or (value == 0 and not allow_zero):
        raise SystemExit(f"Invalid {name}={raw!r}: expected a positive number.")
    return value


DEBUG = _env_bool("DJANGO_DEBUG", False)

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise SystemExit("DJANGO_SECRET_KEY must be set when DJANGO_DEBUG is off.")
    SECRET_KEY = "insecure-development-key-only-used-with-DJANGO_DEBUG-on"  # noqa: S105

ALLOWED_HOSTS = _env_list("DJANGO_ALLOWED_HOSTS", ["127.0.0.1", "localhost"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = _env_list("DJANGO_CSRF_TRUSTED_ORIGINS", [])
for _origin in CSRF_TRUSTED_ORIGINS:
    if not _origin.startswith(("http://", "https://")):
        raise SystemExit(
            f"Invalid DJANGO_CSRF_TRUSTED_ORIGINS entry {_origin!r}: it must start with http:// or https://."
        )

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
    "template_partials",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "axes",
    "annotator",
]

MIDDLEWARE = [
    # One JSON line per request (route, status, duration; no user text): outermost, so the
    # duration covers everything below it.
    "annotator.request_log.RequestLogMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Static files from the app process itself, compressed and with hashed names (no DEBUG).
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Every page requires a signed-in user unless its view is marked @login_not_required.
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Last: turns a login attempt that django-axes refused into the lockout answer.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "annotator.urls"
WSGI_APPLICATION = "annotator.wsgi.application"
ASGI_APPLICATION = "annotator.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    }
]

# PostgreSQL through psycopg 3 when DATABASE_URL is set; otherwise an SQLite file under var/.
_database_url = os.environ.get("DATABASE_URL", "").strip()
if _database_url:
    try:
        _db = dj_database_url.parse(_database_url, conn_max_age=60)
    except Exception as exc:  # dj-database-url raises several types for a malformed URL
        raise SystemExit(f"Invalid DATABASE_URL: {exc}") from None
    if _db.get("ENGINE") not in {
        "django.db.backends.postgresql",
        "django.db.backends.sqlite3",
    }:
        raise SystemExit("Invalid DATABASE_URL: only postgres:// and sqlite:// URLs are supported.")
else:
    (BASE_DIR / "var").mkdir(exist_ok=True)
    _db = {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": str(BASE_DIR / "var" / "annotator.sqlite3"),
    }
if _db["ENGINE"] == "django.db.backends.sqlite3":
    # Every SQLite database, the default file or a sqlite:// URL: writers take the lock when
    # their transaction begins (no "database is locked" on upgrade) and readers do not block
    # the writer (write-ahead log).
    _db["OPTIONS"] = {
        **_db.get("OPTIONS", {}),
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL;",
    }
DATABASES = {"default": _db}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Login brute force (django-axes): one policy for the login page, the admin and the API token
# endpoint. Failed attempts are stored in the database (shared by every worker process), keyed
# on the (client address, username) pair: the 20th failure from one address for one username
# locks that pair for 15 minutes (429), and nobody else is locked out by it.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = 20
AXES_COOLOFF_TIME = 0.25  # hours
AXES_LOCKOUT_PARAMETERS = [["ip_address", "username"]]
AXES_RESET_ON_SUCCESS = True
AXES_DISABLE_ACCESS_LOG = True  # failures are recorded; successful logins are not
AXES_LOCKOUT_CALLABLE = "annotator.lockout.lockout_response"
AXES_CLIENT_IP_CALLABLE = "annotator.lockout.client_ip"


def _env_count(name: str, default: int) -> int:
    raw = os.environ.get(name, "").strip()
    if raw == "":
        return default
    if not raw.isdigit():
        raise SystemExit(f"Invalid {name}={raw!r}: expected a whole number, 0 or more.")
    return int(raw)


# How many reverse proxies (each appending to X-Forwarded-For) stand in front of the app. 0:
# the client is the connection's address and X-Forwarded-For is ignored (a client can write
# anything there). N: the client is the N-th address from the right of X-Forwarded-For.
ANNOTATOR_TRUSTED_PROXIES = _env_count("ANNOTATOR_TRUSTED_PROXIES", 0)

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
]

LANGUAGE_CODE = "en"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

FIXTURE_DIRS = [BASE_DIR / "fixtures"]

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(os.environ.get("DJANGO_STATIC_ROOT", "").strip() or BASE_DIR / "var" / "static")
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # WhiteNoise warns about a missing root
# Without DEBUG, ``collectstatic`` writes compressed files with content hashes in their names
# and WhiteNoise serves them with far-future cache headers; with DEBUG, files come straight
# from static/ (no collectstatic needed for ``make run`` or the tests).
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "annotator:home"
LOGOUT_REDIRECT_URL = "login"

# Upload and import limit (bytes) for one file; larger files are refused with a clear message.
ANNOTATOR_MAX_UPLOAD_BYTES = _env_int("ANNOTATOR_MAX_UPLOAD_BYTES", 50 * 1024 * 1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = ANNOTATOR_MAX_UPLOAD_BYTES
# How often the dashboard and the curation view poll for others' codings (seconds).
ANNOTATOR_POLL_SECONDS = _env_int("ANNOTATOR_POLL_SECONDS", 5)

# Security defaults. With DEBUG off: secure cookies, HSTS-ready headers, a required secret key.
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
SESSION_COOKIE_HTTPONLY = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if not DEBUG:
    # Behind a TLS-terminating proxy (see the README's "Deploy"): trust its X-Forwarded-Proto,
    # redirect plain HTTP to HTTPS and send HSTS. The probes stay reachable over plain HTTP on
    # the internal port. A lab deployment without TLS sets DJANGO_SECURE_SSL_REDIRECT=0 and
    # DJANGO_HSTS_SECONDS=0, and still cannot sign in over plain HTTP (secure cookies).
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = _env_bool("DJANGO_SECURE_SSL_REDIRECT", True)
    SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
    SECURE_HSTS_SECONDS = _env_int("DJANGO_HSTS_SECONDS", 31_536_000, allow_zero=True)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = _env_bool("DJANGO_HSTS_INCLUDE_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = _env_bool("DJANGO_HSTS_PRELOAD", False)

# Content Security Policy (django-csp 4): only our own scripts, styles and images.
# No inline script and no eval: htmx is configured with allowEval=false and no inline styles.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        # Code colours come from the database: a nonce'd <style> block sets them per code.
        "style-src": ["'self'", NONCE],
        "img-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "font-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "rest_framework.authentication.TokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.LimitOffsetPagination",
    "PAGE_SIZE": 100,
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Annotator API",
    "DESCRIPTION": "Projects, codebooks, documents, codings, agreement and exports.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

# Request logs (annotator.request_log): one JSON line per request on standard error; on by
# default without DEBUG (runserver prints its own lines with DEBUG).
ANNOTATOR_REQUEST_LOG = _env_bool("ANNOTATOR_REQUEST_LOG", not DEBUG)
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"json": {"()": "annotator.request_log.JsonFormatter"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler"},
        "json": {"class": "logging.StreamHandler", "formatter": "json"},
    },
    "root": {"handlers": ["console"], "level": "WARNING"},
    "loggers": {
        "annotator.requests": {
            "handlers": ["json"],
            "level": "INFO" if ANNOTATOR_REQUEST_LOG else "WARNING",
            "propagate": False,
        }
    },
}

# --- Team setup (projects, members, invitations, password reset) -------------------------------
# Who may create projects from the home page and the API: "staff" (staff accounts and
# superusers, the default) or "all" (every signed-in user).
ANNOTATOR_PROJECT_CREATORS = os.environ.get("ANNOTATOR_PROJECT_CREATORS", "staff").strip()
if ANNOTATOR_PROJECT_CREATORS not in ("staff", "all"):
    raise SystemExit(
        f"Invalid ANNOTATOR_PROJECT_CREATORS={ANNOTATOR_PROJECT_CREATORS!r}: expected staff or all."
    )
# How long an invitation link stays valid.
ANNOTATOR_INVITATION_DAYS = _env_int("ANNOTATOR_INVITATION_DAYS", 7)
# Email (invitations, password reset): SMTP when DJANGO_EMAIL_HOST is set, else the console
# backend (messages are printed; the invitation page shows the link to pass on).
EMAIL_HOST = os.environ.get("DJANGO_EMAIL_HOST", "")
if EMAIL_HOST:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_PORT = _env_int("DJANGO_EMAIL_PORT", 587)
    EMAIL_HOST_USER = os.environ.get("DJANGO_EMAIL_USER", "")
    EMAIL_HOST_PASSWORD = os.environ.get("DJANGO_EMAIL_PASSWORD", "")
    EMAIL_USE_TLS = _env_bool("DJANGO_EMAIL_TLS", True)
else:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
DEFAULT_FROM_EMAIL = os.environ.get("DJANGO_DEFAULT_FROM_EMAIL", "annotator@localhost")
