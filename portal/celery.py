"""The Celery application; tasks are discovered in each Django app's tasks module."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

app = Celery("portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
# Celery's Django fix-up closes every database connection after each task unless
# this is set (CONN_MAX_AGE does not apply in workers): a new PostgreSQL backend per
# task cost more than the delivery itself. Close after this many tasks instead.
app.conf["CELERY_DB_REUSE_MAX"] = 500
app.autodiscover_tasks()
