"""Production settings for the Django contender, from the environment.

DATABASE_URL is the benchmark's SQLAlchemy-style URL (`postgresql+asyncpg://user@host:port/db`);
the driver part and any query options (SQLAlchemy's) are dropped, and Django connects
with psycopg 3. SECRET_KEY is required.
"""

import os
from pathlib import Path
from urllib.parse import unquote, urlsplit

from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

BASE_DIR = Path(__file__).resolve().parent.parent


def database_from_url(url: str) -> dict[str, object]:
    parts = urlsplit(url)
    if parts.scheme.split("+", 1)[0] not in ("postgresql", "postgres"):
        raise ImproperlyConfigured(f"DATABASE_URL must be a PostgreSQL URL, not {parts.scheme}")
    return {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": unquote(parts.path.lstrip("/")),
        "USER": unquote(parts.username or ""),
        "PASSWORD": unquote(parts.password or ""),
        "HOST": parts.hostname or "",
        "PORT": str(parts.port or ""),
        # Persistent connections: one per worker, kept for the process's life.
        "CONN_MAX_AGE": None,
    }


try:
    SECRET_KEY = os.environ["SECRET_KEY"]
    DATABASES = {"default": database_from_url(os.environ["DATABASE_URL"])}
except KeyError as missing:
    raise ImproperlyConfigured(f"{missing.args[0]} is not set") from None

DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.staticfiles",
    "todos",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "todosite.urls"
WSGI_APPLICATION = "todosite.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
            ],
            # What Django uses anyway with DEBUG off, spelled out: templates are
            # compiled once per process.
            "loaders": [
                (
                    "django.template.loaders.cached.Loader",
                    ["django.template.loaders.app_directories.Loader"],
                ),
            ],
        },
    },
]

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Sessions in the database (the default backend), as django.contrib.auth.login stores them.
SESSION_ENGINE = "django.contrib.sessions.backends.db"
SESSION_COOKIE_HTTPONLY = True
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "todos_all"
LOGOUT_REDIRECT_URL = "login"

# The pages' htmx sends the token (from the csrf-token meta) in this header.
CSRF_HEADER_NAME = "HTTP_X_CSRF_TOKEN"

# The same response headers as the app (bench/baseline.py HEADERS). SecurityMiddleware's
# defaults give nosniff, Referrer-Policy same-origin and COOP same-origin;
# XFrameOptionsMiddleware's gives DENY; the views send no-store and the Vary.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"

# With DEBUG off Django mails errors to ADMINS (none here); log them to stderr instead,
# which gunicorn writes to its log.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "loggers": {"django": {"handlers": ["console"], "level": "WARNING"}},
}
