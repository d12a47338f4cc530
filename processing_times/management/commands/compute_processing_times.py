"""Compute processing-time snapshots now, for today or as of past dates."""

import datetime
import time

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from core.dates import month_ends_before
from processing_times.figures import processing_times_snapshot


class Command(BaseCommand):
    help = "Compute processing-time snapshots (the nightly job), optionally backfilling past month-ends."

    def add_arguments(self, parser):
        parser.add_argument("--as-of", help="Compute as of this date (YYYY-MM-DD) instead of today.")
        parser.add_argument(
            "--backfill-months",
            type=int,
            default=0,
            help="Also compute the snapshot at the end of each of this many past months, for the trend.",
        )

    def handle(self, *args, as_of=None, backfill_months=0, **options):
        try:
            day = datetime.date.fromisoformat(as_of) if as_of else timezone.localdate()
        except ValueError as error:
            raise CommandError(f"--as-of must be a date like 2026-11-22: {error}") from error
        if backfill_months < 0:
            raise CommandError("--backfill-months cannot be negative.")
        started = time.perf_counter()
        past_days = month_ends_before(day, count=backfill_months)
        rows = sum(processing_times_snapshot(as_of=past, refresh_queue=False) for past in reversed(past_days))
        rows += processing_times_snapshot(as_of=day, refresh_queue=day == timezone.localdate())
        elapsed = time.perf_counter() - started
        self.stdout.write(f"Wrote {rows} snapshot rows for {len(past_days) + 1} dates in {elapsed:.2f} s.")
