"""`manage.py seed_demo`: load demo applications, enquiries and accounts, then say how to sign in."""

import importlib
import inspect
import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.urls import NoReverseMatch, reverse
from django.utils import timezone, translation

from core.dates import month_ends_before
from demo import people
from demo.delegations import DemoDelegates, demo_delegations_ensure
from demo.enquiries import DemoEnquiriesResult, demo_enquiries_load
from demo.enquiries_plan import DEFAULT_COUNT as DEFAULT_ENQUIRIES
from demo.history import DEFAULT_FINALIZED, demo_history_load
from demo.seed import DemoSeedResult, demo_seed
from processing_times.backtest import backtest_publish
from processing_times.figures import processing_times_snapshot
from processing_times.models import BacktestReport, ProcessingTimeSnapshot

TREND_MONTHS = 12
# The service figures' nightly job, when the enquiries app has it (see _service_figures).
SERVICE_FIGURES_MODULE = "enquiries.performance"
SERVICE_FIGURES_FUNCTION = "service_snapshots_compute"


def result_name(delegates: DemoDelegates) -> str:
    grant = next(iter(delegates.grants.values()))
    return f"{grant.client.given_names} {grant.client.family_name}"


class Command(BaseCommand):
    help = (
        "Load about fifty demo applications, a year of enquiries, a demo applicant, agent, supervisor and "
        "administrator. Safe to run again."
    )

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
        parser.add_argument(
            "--enquiries",
            type=int,
            default=DEFAULT_ENQUIRIES,
            help="How many enquiries of the past year to load (0 for none; the demo staff are made all the same).",
        )

    def handle(
        self,
        *args,
        allow_without_debug: bool = False,
        history: int = DEFAULT_FINALIZED,
        enquiries: int = DEFAULT_ENQUIRIES,
        **options,
    ):
        # The accounts it creates have published passwords.
        if not settings.DEBUG and not allow_without_debug:
            raise CommandError(
                "seed_demo creates accounts with published passwords; it only runs with DJANGO_DEBUG=true "
                "unless you pass --allow-without-debug."
            )
        if history < 0:
            raise CommandError("--history cannot be negative.")
        if enquiries < 0:
            raise CommandError("--enquiries cannot be negative.")
        result = demo_seed()
        started = time.perf_counter()
        history_files = demo_history_load(finalized=history) if history else 0
        snapshot_dates = self._snapshots()
        estimates_seconds = time.perf_counter() - started
        # The enquiries are about the demo files and the history's, so they come after both.
        started = time.perf_counter()
        enquiries_result = demo_enquiries_load(count=enquiries)
        figures = self._service_figures()
        enquiries_seconds = time.perf_counter() - started
        delegates = demo_delegations_ensure(client=result.demo_client)
        # The instructions are in English, like the rest of the developer documentation.
        with translation.override("en"):
            self.stdout.write(
                f"Processing-time history: {history_files} past applications; snapshots for "
                f"{snapshot_dates} dates ({estimates_seconds:.1f} s)."
            )
            self.stdout.write(
                f"Enquiries: {self._enquiries_line(enquiries_result)} ({enquiries_seconds:.1f} s). "
                f"Service figures: {figures}."
            )
            self.stdout.write("\n".join(self._summary(result)))
            self.stdout.write("\n".join(self._staff_summary()))
            self.stdout.write("\n".join(self._delegates_summary(delegates)))

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
        if not BacktestReport.objects.filter(computed_on=today).exists():
            backtest_publish(as_of=today)  # the methodology page's published accuracy
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
            f"                 then a code: python manage.py demo_totp {people.ADMIN_EMAIL}  "
            f"(or an authenticator app with the secret {people.DEMO_TOTP_SECRETS[people.ADMIN_EMAIL]})",
            "",
            "To try linking, sign in as the applicant, choose 'Link an application' and enter:",
            f"  Application number: {result.demo_unlinked_number}",
            f"  UCI: {client.uci}",
            f"  or family name: {client.family_name}, date of birth: {client.date_of_birth:%Y-%m-%d}, "
            f"country of birth: {client.country_of_birth.name} ({client.country_of_birth.code})",
        ]

    def _service_figures(self) -> str:
        """Hook: compute the public service figures from the enquiries just loaded, when the app can.

        The nightly job of the service dashboard (`enquiries.performance.service_snapshots_compute`) may not
        be there yet; without it the dashboard fills at its first nightly run.
        """
        try:
            module = importlib.import_module(SERVICE_FIGURES_MODULE)
        except ImportError:
            return f"not computed ({SERVICE_FIGURES_MODULE} is not there yet)"
        compute = getattr(module, SERVICE_FIGURES_FUNCTION, None)
        if compute is None:
            return f"not computed ({SERVICE_FIGURES_MODULE}.{SERVICE_FIGURES_FUNCTION} is not there yet)"
        if "as_of" in inspect.signature(compute).parameters:
            compute(as_of=timezone.localdate())
        else:
            compute()
        return "computed"

    def _enquiries_line(self, result: DemoEnquiriesResult) -> str:
        states = result.by_state
        queue = states.get("new", 0) + states.get("open", 0)
        return (
            f"{result.tickets} over the past year ({result.created} new); in the queue now {queue} "
            f"({states.get('new', 0)} new, {states.get('open', 0)} open), {states.get('waiting_on_client', 0)} "
            f"waiting on the client, {states.get('answered', 0)} answered, {states.get('closed', 0)} closed; "
            f"{result.survey_responses} satisfaction answers, {result.deflections} questions answered by the page; "
            f"past crisis channel: {result.crisis_channel}"
        )

    def _delegates_summary(self, delegates: DemoDelegates) -> list[str]:
        lines = [
            "",
            f"Delegates of {result_name(delegates)} (password {people.DELEGATE_PASSWORD}; members of an organisation "
            "also need a two-step code, as above):",
            f"  MP office manager: {people.OFFICE_MANAGER_EMAIL}  ({delegates.office.name_en})",
            f"  MP caseworker:     {people.CASEWORKER_EMAIL}",
            f"  Representative:    {people.REPRESENTATIVE_EMAIL}  ({delegates.firm.name_en})",
            f"  Designated person: {people.DESIGNATED_EMAIL}  (no organisation, no code needed)",
            "  Secrets for an authenticator app:",
        ]
        for email in (people.OFFICE_MANAGER_EMAIL, people.CASEWORKER_EMAIL, people.REPRESENTATIVE_EMAIL):
            lines.append(f"    {email}: {people.DEMO_TOTP_SECRETS[email]}")
        lines.append(
            f"  Liaison officer:   {people.LIAISON_EMAIL} / {people.LIAISON_PASSWORD}  (code secret "
            f"{people.DEMO_TOTP_SECRETS[people.LIAISON_EMAIL]}); mornings open over the next five business days, "
            f"{delegates.appointments} appointments booked with the MP's office"
        )
        for key, grant in delegates.grants.items():
            target = grant.application.number if grant.application else "all files"
            lines.append(f"  Grant ({key}): {grant.get_kind_display()}, {grant.get_scope_display()}, {target}")
        return lines

    def _staff_summary(self) -> list[str]:
        try:
            workspace = settings.SITE_URL.rstrip("/") + reverse("agents:queue")
        except NoReverseMatch:  # the workspace's pages are not there yet
            workspace = settings.SITE_URL.rstrip("/") + "/en/agents/"
        return [
            "",
            f"Client Support Centre (workspace: {workspace}), sign in with password and a two-step code:",
            f"  Agent:         {people.AGENT_EMAIL} / {people.AGENT_PASSWORD}  (queues: status, document, contact)",
            f"  Supervisor:    {people.SUPERVISOR_EMAIL} / {people.SUPERVISOR_PASSWORD}  (every queue)",
            "  Code: python manage.py demo_totp <email>, or add the account to an authenticator app with its secret:",
            f"    {people.AGENT_EMAIL}: {people.DEMO_TOTP_SECRETS[people.AGENT_EMAIL]}",
            f"    {people.SUPERVISOR_EMAIL}: {people.DEMO_TOTP_SECRETS[people.SUPERVISOR_EMAIL]}",
        ]
