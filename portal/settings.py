"""Settings for the case-status portal, read from the environment.

Production is the default: with DJANGO_DEBUG unset or false, start-up stops with a
message naming every missing secret and service address (see PRODUCTION_REQUIRED).
Development is the explicit opt-in, DJANGO_DEBUG=true (scripts/run, scripts/test and
.env.example set it), and then every value has a local default. A malformed value
stops start-up with an error rather than being guessed at.
"""

from pathlib import Path
from urllib.parse import parse_qs, urlencode, urlsplit, urlunsplit

import environ
from celery.schedules import crontab
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)


def strict_bool(name: str, *, default: bool) -> bool:
    """Read a true/false variable; anything else stops start-up instead of meaning False."""
    raw = env.str(name, default="").strip().lower()
    if not raw:
        return default
    if raw in {"1", "true", "yes", "on"}:
        return True
    if raw in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {raw!r}.")


def redis_url_next_database(url: str) -> str:
    """`url` with the next Redis database number (0 -> 1, 15 -> 0), in its path or its ?db= query."""
    parts = urlsplit(url)
    query = parse_qs(parts.query, keep_blank_values=True)
    if "db" in query:
        query["db"] = [str((int(query["db"][0]) + 1) % 16)]
        return f"{url.split('?', 1)[0]}?{urlencode(query, doseq=True)}"  # keeps unix:///path as written
    path = parts.path.strip("/")
    if path and not path.isdigit():
        raise ImproperlyConfigured(f"REDIS_URL names database {path!r}: set CACHE_REDIS_URL explicitly.")
    return urlunsplit(parts._replace(path=f"/{(int(path or 0) + 1) % 16}"))


DEBUG = strict_bool("DJANGO_DEBUG", default=False)

# Without these, production would sign links with a published key, print password-reset
# links to the log, send through the development GC Notify stand-in or link emails to
# 127.0.0.1. Each must be set explicitly when DJANGO_DEBUG is false.
PRODUCTION_REQUIRED = (
    "DJANGO_SECRET_KEY",
    "DJANGO_ALLOWED_HOSTS",
    "PORTAL_SITE_URL",
    "DATABASE_URL",
    "REDIS_URL",
    "EMAIL_URL",
    "NOTIFY_BASE_URL",
    "NOTIFY_API_KEY",
    "NOTIFY_TEMPLATE_EMAIL_EN",
    "NOTIFY_TEMPLATE_EMAIL_FR",
    "NOTIFY_TEMPLATE_SMS_EN",
    "NOTIFY_TEMPLATE_SMS_FR",
)
if not DEBUG and (missing := [name for name in PRODUCTION_REQUIRED if not env.str(name, default="").strip()]):
    raise ImproperlyConfigured(
        f"DJANGO_DEBUG is false (production), but these are not set: {', '.join(missing)}. "
        "Set each one, or set DJANGO_DEBUG=true for development."
    )
SECRET_KEY = env.str("DJANGO_SECRET_KEY", default="") or "development-only-key-not-for-production-use-0123456789"
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])
SITE_URL = env.str("PORTAL_SITE_URL", default="http://127.0.0.1:8000")
# The footer's "Date modified": the date of the deployed commit (YYYY-MM-DD), set by the image
# build. Empty: the checked-out commit's date, else the newest deployed page or style file.
DATE_MODIFIED = env.str("PORTAL_DATE_MODIFIED", default="")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "django_countries",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "csp",
    "portal",
    "core",
    "applications",
    "status_tracker",
    "processing_times",
    "notifications",
    "enquiries",
    "delegations",
]
# Demo data, the processing-time history and the GC Notify stand-in (demo/): always in
# development; elsewhere only on a staging demo that asks for it, never in production.
DEMO_ENABLED = strict_bool("PORTAL_DEMO_ENABLED", default=False)
if DEBUG or DEMO_ENABLED:
    if not (BASE_DIR / "demo").is_dir():
        raise ImproperlyConfigured(
            "DJANGO_DEBUG or PORTAL_DEMO_ENABLED is true, but this build has no demo/ (the production image leaves it out)."
        )
    INSTALLED_APPS.append("demo")

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "portal.middleware.IdleSessionRefreshMiddleware",
    "portal.middleware.PrivateResponsesMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "portal.middleware.StaffSecondStepMiddleware",
]

ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "portal.wsgi.application"

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
                "portal.context_processors.language_switch",
                "portal.context_processors.site_dates",
                "notifications.context_processors.unread_notifications",
                "enquiries.context_processors.agent_workspace",
                "delegations.context_processors.delegate_menu",
            ],
            # `iso8601`, the one filter for <time datetime="…">, is available in every template.
            "builtins": ["core.templatetags.machine_dates"],
        },
    },
]

# The embedded default is SQLite; DATABASE_URL switches to PostgreSQL.
DATABASES = {
    "default": env.db_url("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Redis is optional: without REDIS_URL, Celery tasks run in process and the
# cache lives in local memory, so the embedded default needs no server.
REDIS_URL = env.str("REDIS_URL", default="")
# The cache has a Redis database of its own, apart from the broker's: it may be emptied
# (FLUSHDB) and may evict keys under memory pressure, which the broker's queues must never
# be. By default it is the next database number on the broker's server; docker-compose
# gives it a server of its own, with a memory limit and LRU eviction.
CACHE_REDIS_URL = env.str("CACHE_REDIS_URL", default="") or (redis_url_next_database(REDIS_URL) if REDIS_URL else "")
if CACHE_REDIS_URL and CACHE_REDIS_URL == REDIS_URL:
    raise ImproperlyConfigured("CACHE_REDIS_URL must not be the broker's REDIS_URL: give the cache its own database.")
if CACHE_REDIS_URL:
    CACHES = {
        "default": {
            # Redis, and the database whenever Redis cannot be reached (core/cache.py):
            # a cache miss is never an error and allauth's rate limits keep counting.
            "BACKEND": "core.cache.RedisWithDatabaseFallback",
            "LOCATION": CACHE_REDIS_URL,
            "KEY_PREFIX": env.str("CACHE_KEY_PREFIX", default="portal"),
            # A dead Redis costs at most a second, then rests (core.cache.RETRY_SECONDS).
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    CELERY_TASK_ALWAYS_EAGER = False
else:
    CELERY_BROKER_URL = "memory://"
    CELERY_TASK_ALWAYS_EAGER = True
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "socket_timeout": 5,
    "socket_connect_timeout": 5,
    # A killed worker's unacknowledged tasks come back after visibility_timeout (default
    # an hour): five minutes is well above the longest task (notifications: 150 s hard limit).
    "visibility_timeout": 300,
    # Publishing tries the broker twice, at once, then gives up (kombu's default keeps
    # retrying for seconds): the outbox rows wait in the database for the sweeper instead.
    "max_retries": 1,
    "interval_start": 0,
}
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = "America/Toronto"
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# A task whose worker process died goes back to the queue at once (every task is idempotent).
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_CANCEL_LONG_RUNNING_TASKS_ON_CONNECTION_LOSS = True
CELERY_TASK_IGNORE_RESULT = True
# Every periodic job, in one place.
CELERY_BEAT_SCHEDULE = {
    "processing-times-nightly": {
        "task": "processing_times.tasks.processing_times_nightly",
        "schedule": crontab(hour=2, minute=30),
    },
    # After the figures, apart from them: it replays two years of estimates (seconds per 100,000 files).
    "estimates-backtest-nightly": {
        "task": "processing_times.tasks.estimates_backtest_nightly",
        "schedule": crontab(hour=3, minute=0),
    },
    "notifications-sweep": {
        "task": "notifications.tasks.notifications_sweep_task",
        "schedule": 60.0,
    },
    "notifications-daily-digest": {
        "task": "notifications.tasks.notifications_daily_digest",
        "schedule": crontab(hour=7, minute=0),
    },
    # Each morning, once the nightly figures it reads are fresh.
    "overdue-alerts-daily": {
        "task": "processing_times.tasks.overdue_alerts_daily",
        "schedule": crontab(hour=6, minute=0),
    },
    "idempotency-records-purge": {
        "task": "status_tracker.tasks.idempotency_records_purge",
        "schedule": crontab(minute=15),
    },
    # Attachments of enquiries closed more than DOCUMENT_RETENTION_DAYS ago, and orphaned files.
    "documents-retention-daily": {
        "task": "enquiries.tasks.documents_retention_daily",
        "schedule": crontab(hour=3, minute=30),
    },
    # Enquiries: at-risk and breach alerts, and closing answered tickets left quiet, every hour.
    "enquiries-alert-due": {
        "task": "enquiries.tasks.enquiries_alert_due",
        "schedule": crontab(minute=5),
    },
    "enquiries-close-quiet": {
        "task": "enquiries.tasks.enquiries_close_quiet",
        "schedule": crontab(minute=35),
    },
    # Guest enquiries whose email was never confirmed, once their link has expired.
    "enquiries-unconfirmed-delete": {
        "task": "enquiries.tasks.enquiries_unconfirmed_delete",
        "schedule": crontab(hour=3, minute=45),
    },
    # Liaison appointments: the reminders 24 hours and 1 hour before, each sent once.
    "liaison-reminders": {
        "task": "delegations.tasks.liaison_reminders_send",
        "schedule": 300.0,
    },
    # The public service dashboard's figures, after the processing-times job.
    "service-performance-nightly": {
        "task": "enquiries.tasks.service_performance_nightly",
        "schedule": crontab(hour=3, minute=15),
    },
}

AUTH_USER_MODEL = "portal.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "applications:list"

# django-allauth: email only, verified before first sign-in, rate limits left on.
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_SESSION_REMEMBER = False
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_ADAPTER = "portal.adapters.AccountAdapter"
ACCOUNT_EMAIL_SUBJECT_PREFIX = ""
ACCOUNT_DEFAULT_HTTP_PROTOCOL = env.str("ACCOUNT_DEFAULT_HTTP_PROTOCOL", default="http" if DEBUG else "https")
# Reverse proxies in front of the portal that append to X-Forwarded-For (core.http.client_ip).
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
ALLAUTH_TRUSTED_PROXY_COUNT = TRUSTED_PROXY_COUNT
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "Case status portal"
# Members of a parliamentary office sign in with an address in one of these domains (exact match,
# lower case): by default the House of Commons' and the Senate's.
PARLIAMENTARY_EMAIL_DOMAINS = [
    domain.strip().lower()
    for domain in env.list("PARLIAMENTARY_EMAIL_DOMAINS", default=["parl.gc.ca", "sen.parl.gc.ca"])
    if domain.strip()
]
if not PARLIAMENTARY_EMAIL_DOMAINS:
    raise ImproperlyConfigured("PARLIAMENTARY_EMAIL_DOMAINS is set but names no domain.")

# Sessions end after 30 idle minutes: activity pushes the expiry forward, at most
# once a minute (portal.middleware.IdleSessionRefreshMiddleware).
SESSION_COOKIE_AGE = 30 * 60
SESSION_REFRESH_SECONDS = 60
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
# Flash messages stay on the server: one of them carries a new service token, shown once.
MESSAGE_STORAGE = "django.contrib.messages.storage.session.SessionStorage"

LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("fr", _("French"))]

# Country names as the Government of Canada writes them: django-countries' French list
# keeps some dated ones (« Arabie Saoudite », « Biélorussie », « Birmanie », « Timor Oriental »).
# The English names stay django-countries' own; the French are in locale/fr.
COUNTRIES_OVERRIDE = {
    "SA": _("Saudi Arabia"),
    "BY": _("Belarus"),
    "MM": _("Myanmar"),
    "TL": _("Timor-Leste"),
    "MD": _("Moldova"),
    "SZ": _("Eswatini"),
    "MK": _("North Macedonia"),
}
LOCALE_PATHS = [BASE_DIR / "locale"]
LANGUAGE_COOKIE_NAME = "portal_language"
LANGUAGE_COOKIE_AGE = 365 * 24 * 3600
LANGUAGE_COOKIE_SAMESITE = "Lax"
FORMAT_MODULE_PATH = ["portal.formats"]
TIME_ZONE = "America/Toronto"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
# Documents clients send: never under a public URL. The file system by default (outside the
# static and media roots), any S3-compatible store when DOCUMENTS_S3_BUCKET is set.
DOCUMENTS_ROOT = env.path("DOCUMENTS_ROOT", default=BASE_DIR / "private-documents")
DOCUMENTS_S3_BUCKET = env.str("DOCUMENTS_S3_BUCKET", default="")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "documents": (
        {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": DOCUMENTS_S3_BUCKET,
                "endpoint_url": env.str("DOCUMENTS_S3_ENDPOINT_URL", default="") or None,
                "default_acl": None,
                "querystring_auth": True,
                "file_overwrite": False,
            },
        }
        if DOCUMENTS_S3_BUCKET
        else {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": DOCUMENTS_ROOT}}
    ),
    "staticfiles": {
        "BACKEND": env.str(
            "STATICFILES_BACKEND",
            default="django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage",
        )
    },
}

EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Case status portal <no-reply@portal.example>")

# Content-Security-Policy: no inline script or style anywhere.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "base-uri": [SELF],
        "object-src": [NONE],
    }
}
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
if not DEBUG:
    SECURE_SSL_REDIRECT = strict_bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = env.int("DJANGO_HSTS_SECONDS", default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    LANGUAGE_COOKIE_SECURE = True
    LANGUAGE_COOKIE_HTTPONLY = True

REST_FRAMEWORK = {
    # Each view names how it authenticates; nothing is let in by default.
    "DEFAULT_AUTHENTICATION_CLASSES": [],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "UNAUTHENTICATED_USER": None,
    # Every error, 400 to 429, as an RFC 9457 problem body.
    "EXCEPTION_HANDLER": "core.api.problems.problem_exception_handler",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}

# OpenAPI schema at /api/v1/schema/, documentation page at /api/v1/docs/ (self-hosted assets).
SPECTACULAR_SETTINGS = {
    "TITLE": "Case status portal API",
    "DESCRIPTION": "Public processing times, and the upstream API through which the department's "
    "case-processing system sends status events. Errors are RFC 9457 problem bodies.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SERVE_AUTHENTICATION": [],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
}

# GC Notify (email and SMS). The API key's last 72 characters are the service id and
# the secret, as GC Notify issues them. In development and tests a local fake of the
# API stands in (python manage.py run_fake_notify); see demo/fake_notify.py.
NOTIFY_BASE_URL = env.str("NOTIFY_BASE_URL", default="http://127.0.0.1:6012")
NOTIFY_API_KEY = env.str(
    "NOTIFY_API_KEY",
    default="portal_dev-11111111-1111-4111-8111-111111111111-22222222-2222-4222-8222-222222222222",
)
# One GC Notify template per channel and language; each takes ((subject)) and ((body)) or ((body)).
NOTIFY_TEMPLATES = {
    "email": {
        "en": env.str("NOTIFY_TEMPLATE_EMAIL_EN", default="aaaaaaaa-0000-4000-8000-000000000001"),
        "fr": env.str("NOTIFY_TEMPLATE_EMAIL_FR", default="aaaaaaaa-0000-4000-8000-000000000002"),
    },
    "sms": {
        "en": env.str("NOTIFY_TEMPLATE_SMS_EN", default="aaaaaaaa-0000-4000-8000-000000000003"),
        "fr": env.str("NOTIFY_TEMPLATE_SMS_FR", default="aaaaaaaa-0000-4000-8000-000000000004"),
    },
}
NOTIFY_TIMEOUT_SECONDS = env.float("NOTIFY_TIMEOUT_SECONDS", default=10.0)
# An outbound proxy for GC Notify calls, when the network needs one (HTTPS_PROXY is not read).
NOTIFY_PROXY_URL = env.str("NOTIFY_PROXY_URL", default="")
# A notification claimed by a worker this long ago without a result is taken over
# (after asking the provider whether it went out). Must exceed one provider call.
NOTIFICATION_CLAIM_LEASE_SECONDS = env.int("NOTIFICATION_CLAIM_LEASE_SECONDS", default=120)
# Where a client is sent to ask about a file past normal processing time.
ENQUIRY_URL = env.str("ENQUIRY_URL", default="https://ircc.canada.ca/english/contacts/web-form.asp")
# Enquiries (enquiries/): the service clock runs on the office's business days.
ENQUIRY_OFFICE_TIME_ZONE = env.str("ENQUIRY_OFFICE_TIME_ZONE", default="America/Toronto")
ENQUIRY_MESSAGE_MAX_CHARS = env.int("ENQUIRY_MESSAGE_MAX_CHARS", default=5000)
# Share of a ticket's standard used at which it is "at risk" and its agent and the supervisors are told.
ENQUIRY_AT_RISK_SHARE = env.float("ENQUIRY_AT_RISK_SHARE", default=0.8)
# An answered ticket with no word from the client for this many days closes itself.
ENQUIRY_AUTO_CLOSE_DAYS = env.int("ENQUIRY_AUTO_CLOSE_DAYS", default=14)
# Documents: per file, per submission, and how long attachments of closed tickets are kept.
DOCUMENT_MAX_BYTES = env.int("DOCUMENT_MAX_BYTES", default=10 * 1024 * 1024)
DOCUMENT_MAX_FILES = env.int("DOCUMENT_MAX_FILES", default=10)
DOCUMENT_RETENTION_DAYS = env.int("DOCUMENT_RETENTION_DAYS", default=90)

# Files with no event for this many days appear in admin's stalled-files list.
STALLED_AFTER_DAYS = env.int("STALLED_AFTER_DAYS", default=60)

# Upstream API: requests per service token per minute, then 429 with Retry-After.
API_RATE_LIMIT_PER_MINUTE = env.int("API_RATE_LIMIT_PER_MINUTE", default=600)

# Linking an application to an account: lockout thresholds within 24 hours.
LINK_MAX_FAILURES_PER_APPLICATION = env.int("LINK_MAX_FAILURES_PER_APPLICATION", default=5)
LINK_MAX_FAILURES_PER_ACCOUNT = env.int("LINK_MAX_FAILURES_PER_ACCOUNT", default=10)
LINK_LOCK_HOURS = env.int("LINK_LOCK_HOURS", default=24)

# The status check without an account (/check-status/): tries per address per window, and the
# least time a miss takes, so that an unknown number and a wrong identifier answer alike.
STATUS_CHECK_RATE_LIMIT = env.int("STATUS_CHECK_RATE_LIMIT", default=20)
STATUS_CHECK_RATE_WINDOW_SECONDS = env.int("STATUS_CHECK_RATE_WINDOW_SECONDS", default=3600)
STATUS_CHECK_MISS_FLOOR_SECONDS = env.float("STATUS_CHECK_MISS_FLOOR_SECONDS", default=0.05)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
}
