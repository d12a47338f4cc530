"""`manage.py seed_demo`: load demo applications and accounts, then say how to sign in."""

import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.urls import reverse
from django.utils import timezone, translation

from core.dates import month_ends_before
from demo import people
from demo.history import DEFAULT_FINALIZED, demo_history_load
from demo.seed import DemoSeedResult, demo_seed
from processing_times.figures import processing_times_snapshot
from processing_times.models import ProcessingTimeSnapshot

TREND_MONTHS = 12


class Command(BaseCommand):
    help = "Load about fifty demo applications, a demo applicant and an administrator. Safe to run again."

    def add_arguments(self, parser):
        parser.add_argument(
            "--allow-without-debug",
            action="store_true",
            help="Run even though DJANGO_DEBUG is false, e.g. on a demo server. Never on production.",
        )
        parser.add_argument(
            "--history",
            type=int,
            default=DEFAULT_FINALIZED,
            help="How many finalized applications of past years to load for processing times (0 for none).",
        )

    def handle(self, *args, allow_without_debug: bool = False, history: int = DEFAULT_FINALIZED, **options):
        # The accounts it creates have published passwords.
        if not settings.DEBUG and not allow_without_debug:
            raise CommandError(
                "seed_demo creates accounts with published passwords; it only runs with DJANGO_DEBUG=true "
                "unless you pass --allow-without-debug."
            )
        if history < 0:
            raise CommandError("--history cannot be negative.")
        result = demo_seed()
        started = time.perf_counter()
        history_files = demo_history_load(finalized=history) if history else 0
        snapshot_dates = self._snapshots()
        estimates_seconds = time.perf_counter() - started
        # The instructions are in English, like the rest of the developer documentation.
        with translation.override("en"):
            self.stdout.write(
                f"Processing-time history: {history_files} past applications; snapshots for "
                f"{snapshot_dates} dates ({estimates_seconds:.1f} s)."
            )
            self.stdout.write("\n".join(self._summary(result)))

    def _snapshots(self) -> int:
        """Today's snapshot, and one at each past month-end so the public trend has a year of points.

        Dates that already have snapshots are left alone; the nightly job keeps today's current.
        """
        today = timezone.localdate()
        dates = month_ends_before(today, count=TREND_MONTHS)
        done = set(
            ProcessingTimeSnapshot.objects.filter(computed_on__in=[*dates, today]).values_list("computed_on", flat=True)
        )
        for past in reversed(dates):
            if past not in done:
                processing_times_snapshot(as_of=past, refresh_queue=False)
        if today not in done:
            processing_times_snapshot(as_of=today)
        return len(dates) + 1

    def _summary(self, result: DemoSeedResult) -> list[str]:
        client = result.demo_client
        login_url = settings.SITE_URL.rstrip("/") + reverse("account_login")
        admin_url = settings.SITE_URL.rstrip("/") + reverse("admin:index")
        return [
            f"Demo data ready: {result.applications} applications ({result.applications_created} new), "
            f"{result.events} status events ({result.events_created} new), {result.clients} clients, "
            f"{result.links} account links, {result.programs} programs, {result.stages} stages.",
            "",
            f"Sign in at {login_url}",
            f"  Applicant:     {people.DEMO_EMAIL} / {people.DEMO_PASSWORD}",
            f"                 linked: {', '.join(result.demo_linked_numbers)}",
            f"  Administrator: {people.ADMIN_EMAIL} / {people.ADMIN_PASSWORD}  (admin site: {admin_url})",
            "",
            "To try linking, sign in as the applicant, choose 'Link an application' and enter:",
            f"  Application number: {result.demo_unlinked_number}",
            f"  UCI: {client.uci}",
            f"  or family name: {client.family_name}, date of birth: {client.date_of_birth:%Y-%m-%d}, "
            f"country of birth: {client.country_of_birth.name} ({client.country_of_birth.code})",
        ]
