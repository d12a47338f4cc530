"""Settings for benchmark runs: production-like portal settings on the portal_bench database.

The environment is fixed before portal.settings is imported, so DEBUG is off (no
query log, cached templates) without needing a real secret or HTTPS.
"""

import os

os.environ["DJANGO_DEBUG"] = "false"
os.environ["DJANGO_SECRET_KEY"] = "bench-only-secret-key-never-used-outside-the-benchmark-0123456789"
os.environ["DJANGO_ALLOWED_HOSTS"] = "127.0.0.1,localhost"
# Production settings insist on these; the benchmark replaces the database and talks to the
# local GC Notify stand-in (started by the ingestion benchmark at NOTIFY_BASE_URL).
os.environ.setdefault("PORTAL_SITE_URL", "http://127.0.0.1:8000")
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/portal_bench")
os.environ.setdefault("EMAIL_URL", "consolemail://")
os.environ.setdefault("NOTIFY_BASE_URL", "http://127.0.0.1:6012")
# A key in GC Notify's shape (its last 72 characters: service id and secret): the client refuses others.
os.environ.setdefault(
    "NOTIFY_API_KEY", "bench-11111111-1111-4111-8111-111111111111-22222222-2222-4222-8222-222222222222"
)
for variable, template in (("EMAIL_EN", "1"), ("EMAIL_FR", "2"), ("SMS_EN", "3"), ("SMS_FR", "4")):
    os.environ.setdefault(f"NOTIFY_TEMPLATE_{variable}", f"aaaaaaaa-0000-4000-8000-00000000000{template}")
# The benchmarks post far more than a real upstream's 600 requests a minute on one token; the limit is
# still counted on every request (its cost is measured), it just never answers 429 here.
os.environ.setdefault("API_RATE_LIMIT_PER_MINUTE", "1000000")
os.environ["DJANGO_SECURE_SSL_REDIRECT"] = "false"
os.environ["STATICFILES_BACKEND"] = "django.contrib.staticfiles.storage.StaticFilesStorage"
os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/0")
os.environ["CACHE_KEY_PREFIX"] = "portal-bench"
# The ingestion benchmark runs the local GC Notify stand-in (run_fake_notify), which lives in demo/.
os.environ["PORTAL_DEMO_ENABLED"] = "true"

import environ  # noqa: E402

from portal.settings import *  # noqa: E402, F403

BENCH_DATABASE_URL = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/portal_bench")

ROOT_URLCONF = "bench.urls"
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
SECURE_SSL_REDIRECT = False
DATABASES = {"default": environ.Env.db_url_config(BENCH_DATABASE_URL)}
DATABASES["default"]["CONN_MAX_AGE"] = 600
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True

# The primary key the ceiling view reads; run.py passes the benchmark application's.
BENCH_BARE_APPLICATION_ID = int(os.environ.get("BENCH_BARE_APPLICATION_ID", "1"))
