"""Django settings. Everything that differs per installation comes from the environment.

GRIDGOV_HOME (default ./var) holds the SQLite database, uploads and backups. DATABASE_URL switches to
PostgreSQL (production and CI).
"""

import os
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = BASE_DIR.parent
HOME = Path(os.environ.get("GRIDGOV_HOME", PROJECT_DIR / "var"))
HOME.mkdir(parents=True, exist_ok=True)

DEBUG = os.environ.get("GRIDGOV_DEBUG", "1") == "1"
# The development key is public (it is in this file): sessions, CSRF tokens and password-reset links signed with
# it can be forged by anyone. Production (GRIDGOV_DEBUG=0) refuses to start without a key of its own, and
# `gridgov check --deploy` names the development key as an error (gridgov/core/checks.py).
DEV_SECRET_KEY = "dev-only-not-secret-change-me-in-production-0123456789"
SECRET_KEY = os.environ.get("GRIDGOV_SECRET_KEY", "")
if not SECRET_KEY or SECRET_KEY == DEV_SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "GRIDGOV_SECRET_KEY is not set (or is the public development key) and GRIDGOV_DEBUG=0: refusing to "
            "start on a key anyone can read. Set GRIDGOV_SECRET_KEY to a random value of 50 characters or more, "
            "e.g. the output of `python -c \"import secrets; print(secrets.token_urlsafe(50))\"`, and keep it "
            "out of the repository (docs/security.md).")
    SECRET_KEY = DEV_SECRET_KEY
ALLOWED_HOSTS = os.environ.get("GRIDGOV_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_filters",
    "ninja",  # /api/v1/docs from the package's own Swagger UI files, not a CDN: it works without internet
    "gridgov.core",
    "gridgov.accounts",
    "gridgov.network",
    "gridgov.register",
    "gridgov.cases",
    "gridgov.cases.open311",
    "gridgov.party",
    "gridgov.window",
    "gridgov.safety",
    "gridgov.demo",  # no models: the demo's foundation hook (gridgov/core/demo.py)
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "gridgov.core.middleware.LanguageMiddleware",  # LocaleMiddleware + pages ignore Accept-Language
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "gridgov.accounts.middleware.TwoFactorMiddleware",  # a half-signed session reaches only the second step
    "gridgov.accounts.sessions.SessionLimitsMiddleware",  # idle timeout, absolute lifetime, 全部退出
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "gridgov.core.middleware.RequestContextMiddleware",
]

ROOT_URLCONF = "gridgov.urls"
WSGI_APPLICATION = "gridgov.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "gridgov.core.context.navigation",
            ]
        },
    }
]

# Selects (the filter forms' grid, tag and stage lists) are written in Python: see gridgov/core/forms.py.
FORM_RENDERER = "gridgov.core.forms.FastSelectRenderer"

_db_url = os.environ.get("DATABASE_URL")
if _db_url:
    DATABASES = {"default": dj_database_url.parse(_db_url, conn_max_age=60)}
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": os.environ.get("GRIDGOV_SQLITE", str(HOME / "gridgov.sqlite3")),
            # IMMEDIATE: a writer takes the lock at BEGIN, so two writers queue instead of failing.
            "OPTIONS": {
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
            },
            # Tests use a real WAL file too (an in-memory shared-cache database fails concurrent writers with
            # "table is locked" instead of waiting, unlike the production file).
            "TEST": {"NAME": os.environ.get("GRIDGOV_TEST_SQLITE",
                                            f"/tmp/gridgov-test-{os.getuid()}-{os.getpid()}.sqlite3")},
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
# Every sign-in goes through the shared lockout (gridgov/accounts/lockout.py).
AUTHENTICATION_BACKENDS = ["gridgov.accounts.backends.LockoutBackend"]
# The password policy (gridgov/accounts/passwords.py): length, character classes, not like the user's name.
GRIDGOV_PASSWORD_MIN_LENGTH = int(os.environ.get("GRIDGOV_PASSWORD_MIN_LENGTH", 8))
GRIDGOV_PASSWORD_CLASSES = int(os.environ.get("GRIDGOV_PASSWORD_CLASSES", 3))
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
     "OPTIONS": {"min_length": GRIDGOV_PASSWORD_MIN_LENGTH}},
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator",
     "OPTIONS": {"user_attributes": ("username", "display_name")}},
    {"NAME": "gridgov.accounts.passwords.CharacterClassesValidator",
     "OPTIONS": {"classes": GRIDGOV_PASSWORD_CLASSES}},
]
LOGIN_URL = "/login/"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/login/"

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = HOME / "static"
# Front-end libraries come from npm packages installed by `make`; never copied into the repository.
_NODE = PROJECT_DIR / "node_modules"
STATICFILES_DIRS = [
    BASE_DIR / "static",  # gridgov's own CSS and JS (gridgov/ itself is not an app)
    ("vendor/htmx", _NODE / "htmx.org" / "dist"),
    ("vendor/leaflet", _NODE / "leaflet" / "dist"),
    ("vendor/echarts", _NODE / "echarts" / "dist"),
]
# Of a package whose directory holds far more than a page loads, only the files named (core/staticfinders.py):
# the flow pictures load mermaid's ES module build and the chunks it imports (6 MB of its 130 MB).
STATIC_PACKAGE_FILES = [
    ("vendor/mermaid", _NODE / "mermaid" / "dist", ("mermaid.esm.min.mjs", "chunks/mermaid.esm.min/*.mjs")),
]
STATICFILES_FINDERS = [
    "django.contrib.staticfiles.finders.FileSystemFinder",
    "django.contrib.staticfiles.finders.AppDirectoriesFinder",
    "gridgov.core.staticfinders.PackageFilesFinder",
]
MEDIA_URL = "/media/"
MEDIA_ROOT = HOME / "media"

# Secure headers; HTTPS-only cookies when served behind TLS in production.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
if not DEBUG:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = 31536000
    SECURE_HSTS_INCLUDE_SUBDOMAINS = os.environ.get("GRIDGOV_HSTS_INCLUDE_SUBDOMAINS", "1") == "1"
    SECURE_HSTS_PRELOAD = os.environ.get("GRIDGOV_HSTS_PRELOAD", "1") == "1"
    # Plain http is answered with a redirect to https (behind a TLS proxy: GRIDGOV_PROXY_SSL_HEADER tells
    # Django the request was https). 0 only for an installation that is never reached over the network.
    SECURE_SSL_REDIRECT = os.environ.get("GRIDGOV_SSL_REDIRECT", "1") == "1"

DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
# Largest register import file accepted (bytes).
GRIDGOV_IMPORT_MAX_BYTES = int(os.environ.get("GRIDGOV_IMPORT_MAX_BYTES", 50 * 1024 * 1024))
# Sign-in lockout (gridgov/accounts/lockout.py): this many failures of one account from one address within the
# window lock that account at that address; this many from one address over all names lock the address. Each
# lock lasts twice the one before, up to the maximum.
GRIDGOV_LOGIN_MAX_FAILURES = int(os.environ.get("GRIDGOV_LOGIN_MAX_FAILURES", 5))
# Rate limits of the public routes (gridgov/core/ratelimit.py): (requests per address, per token, window seconds);
# 0 leaves that counter out. GRIDGOV_RATE_<ROUTE>="20/0/3600" overrides one route.
GRIDGOV_RATE_LIMITS: dict[str, tuple[int, ...]] = {
    "report": (20, 0, 3600),  # reports by anyone signed out (page, API, Open311 POST) from one address in an hour
    "follow_photos": (60, 10, 3600),  # photo uploads through follow links: per address and per link
    "follow_rate": (60, 10, 3600),  # ratings through follow links
    "follow_lookup": (30, 0, 3600),  # 进度查询 of an application by its number and 4 characters of ID or phone
}
for _route in GRIDGOV_RATE_LIMITS:
    _parts = os.environ.get(f"GRIDGOV_RATE_{_route.upper()}", "").split("/")
    if len(_parts) == 3 and all(p.isdigit() for p in _parts):
        GRIDGOV_RATE_LIMITS[_route] = tuple(int(p) for p in _parts)
# One window: the province's limit for the call-back and rectification of a 差评 (working days; RULES.md §3
# [local]), and the largest material an applicant may upload.
GRIDGOV_WINDOW_RECTIFY_DAYS = int(os.environ.get("GRIDGOV_WINDOW_RECTIFY_DAYS", 15))
GRIDGOV_WINDOW_UPLOAD_MAX_BYTES = int(os.environ.get("GRIDGOV_WINDOW_UPLOAD_MAX_BYTES", 10 * 1024 * 1024))
GRIDGOV_LOGIN_ADDRESS_MAX_FAILURES = int(os.environ.get("GRIDGOV_LOGIN_ADDRESS_MAX_FAILURES", 30))
GRIDGOV_LOGIN_LOCK_SECONDS = int(os.environ.get("GRIDGOV_LOGIN_LOCK_SECONDS", 15 * 60))
GRIDGOV_LOGIN_LOCK_MAX_SECONDS = int(os.environ.get("GRIDGOV_LOGIN_LOCK_MAX_SECONDS", 24 * 3600))
# Session limits (gridgov/accounts/sessions.py): a staff session ends after this many idle minutes (0: never),
# every session after this many hours.
GRIDGOV_SESSION_IDLE_MINUTES = int(os.environ.get("GRIDGOV_SESSION_IDLE_MINUTES", 30))
GRIDGOV_SESSION_MAX_HOURS = int(os.environ.get("GRIDGOV_SESSION_MAX_HOURS", 12))
SESSION_COOKIE_AGE = GRIDGOV_SESSION_MAX_HOURS * 3600
# Two factors (gridgov/accounts/twofactor.py): administrators always; "pii" adds every account that can unmask
# personal data. The demo code is accepted with DEBUG on only, from accounts without an authenticator.
GRIDGOV_2FA_REQUIRED = os.environ.get("GRIDGOV_2FA_REQUIRED", "admin")
GRIDGOV_2FA_ISSUER = os.environ.get("GRIDGOV_2FA_ISSUER", "gridgov")
GRIDGOV_2FA_DEMO_CODE = os.environ.get("GRIDGOV_2FA_DEMO_CODE", "000000")
# Reverse proxies in front of the app whose X-Forwarded-For is trusted for the client's address (0: none).
GRIDGOV_PROXY_HOPS = int(os.environ.get("GRIDGOV_PROXY_HOPS", 0))


def _env_list(name: str) -> list[str]:
    return [v.strip() for v in os.environ.get(name, "").split(",") if v.strip()]


# Behind a proxy that ends TLS (docs/nginx.conf, docs/security.md). The proxy must overwrite the header named
# here with the scheme the client used (`proxy_set_header X-Forwarded-Proto $scheme`); only then is trusting it
# safe. Without it a request that came in over https looks like http to Django and CSRF refuses every form
# post (the Origin https://… is not the http://… Django sees).
_proxy_ssl_header = os.environ.get("GRIDGOV_PROXY_SSL_HEADER", "")  # e.g. X-Forwarded-Proto
SECURE_PROXY_SSL_HEADER = (
    ("HTTP_" + _proxy_ssl_header.upper().replace("-", "_"), "https") if _proxy_ssl_header else None)
# Sites whose pages may post to this one: the public https:// address(es) when it differs from the Host header
# the proxy forwards. GRIDGOV_SITE_URL (links in e-mails) is trusted too.
CSRF_TRUSTED_ORIGINS = _env_list("GRIDGOV_CSRF_TRUSTED_ORIGINS")
_site = urlsplit(os.environ.get("GRIDGOV_SITE_URL", ""))
if _site.scheme == "https" and _site.netloc:
    CSRF_TRUSTED_ORIGINS.append(f"https://{_site.netloc}")
# The proxy's X-Forwarded-Host / X-Forwarded-Port name the public host (only when the proxy sets them itself).
USE_X_FORWARDED_HOST = os.environ.get("GRIDGOV_USE_X_FORWARDED_HOST", "0") == "1"
USE_X_FORWARDED_PORT = os.environ.get("GRIDGOV_USE_X_FORWARDED_PORT", "0") == "1"

# Anchors of the audit chain outside the database (gridgov/core/anchor.py, docs/security.md): each committed
# tip signed with an Ed25519 key the database does not hold, appended to a file. Put both off the database's
# host (and out of its backups); an auditor checks with the public key only (`gridgov audit key`).
GRIDGOV_AUDIT_ANCHORS = os.environ.get("GRIDGOV_AUDIT_ANCHORS", str(HOME / "audit-anchors.log"))
GRIDGOV_AUDIT_KEY = os.environ.get("GRIDGOV_AUDIT_KEY", str(HOME / "audit-anchor.key"))
GRIDGOV_AUDIT_PUBLIC_KEY = os.environ.get("GRIDGOV_AUDIT_PUBLIC_KEY", "")
GRIDGOV_AUDIT_ANCHOR_FSYNC = os.environ.get("GRIDGOV_AUDIT_ANCHOR_FSYNC", "0") == "1"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("GRIDGOV_LOG_LEVEL", "WARNING")},
}

# Open311 GeoReport v2 (/open311/v2/): the most requests one GET returns, and its default window in days.
GRIDGOV_OPEN311_MAX_RESULTS = int(os.environ.get("GRIDGOV_OPEN311_MAX_RESULTS", 1000))
GRIDGOV_OPEN311_DEFAULT_DAYS = 90
GRIDGOV_OPEN311_CONTACT = os.environ.get("GRIDGOV_OPEN311_CONTACT", "")  # in the discovery file; else FROM_EMAIL

# Notifications of case transitions (gridgov/cases/notifications.py): the in-app inbox always, plus these
# channels after commit. Development logs them; production lists e.g.
# GRIDGOV_NOTIFY_BACKENDS=gridgov.core.notify.email_backend,gridgov.core.notify.sms_backend
GRIDGOV_NOTIFY_BACKENDS = os.environ.get("GRIDGOV_NOTIFY_BACKENDS",
                                         "gridgov.core.notify.console_backend").split(",")
GRIDGOV_SITE_URL = os.environ.get("GRIDGOV_SITE_URL", "")  # links in e-mails and texts
GRIDGOV_SMS_URL = os.environ.get("GRIDGOV_SMS_URL", "")  # HTTP SMS gateway (JSON POST phone/text/ref)
GRIDGOV_SMS_TOKEN = os.environ.get("GRIDGOV_SMS_TOKEN", "")
EMAIL_BACKEND = os.environ.get("GRIDGOV_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend"
                               if DEBUG else "django.core.mail.backends.smtp.EmailBackend")
EMAIL_HOST = os.environ.get("GRIDGOV_EMAIL_HOST", "localhost")
DEFAULT_FROM_EMAIL = os.environ.get("GRIDGOV_FROM_EMAIL", "gridgov@localhost")
