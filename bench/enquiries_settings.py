"""Settings for the enquiries benchmark (bench/enquiries.py): bench.settings on its own database, without Redis.

Its own database (portal_bench_enq, or BENCH_ENQ_DATABASE_URL), so that 100,000 tickets
never drift the page benchmark's figures. Redis is shared with the test suites and other
sessions, and none of the measured pages reads the cache: the cache lives in local memory
and Celery publishes to an in-memory broker, so a submission still pays for publishing its
receipt's delivery task but nothing is ever delivered. Documents are written under
bench/results/ (git-ignored) and deleted by the benchmark after its submissions. Parallel
query is off (below).
"""

import os
from pathlib import Path

BENCH_ENQ_DATABASE_URL = os.environ.get("BENCH_ENQ_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/portal_bench_enq")
os.environ["BENCH_DATABASE_URL"] = BENCH_ENQ_DATABASE_URL
# Production settings refuse to start without REDIS_URL; nothing connects to it (replaced below).
os.environ["REDIS_URL"] = "redis://127.0.0.1:6379/15"
os.environ.setdefault("DOCUMENTS_ROOT", str(Path(__file__).resolve().parent / "results" / "enquiry-documents"))

from bench.settings import *  # noqa: E402, F403

REDIS_URL = ""
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
CELERY_BROKER_URL = "memory://localhost/"
CELERY_TASK_ALWAYS_EAGER = False
# No parallel query: on two shared cores it moves work to short-lived worker processes, whose CPU
# the per-request PostgreSQL figure could not see, without making the work any smaller.
DATABASES["default"]["OPTIONS"] = {  # noqa: F405
    **DATABASES["default"].get("OPTIONS", {}),  # noqa: F405
    "options": "-c max_parallel_workers_per_gather=0",
}
