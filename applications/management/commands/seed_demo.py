"""`manage.py seed_demo`: load demo applications and accounts, then say how to sign in."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.urls import reverse
from django.utils import translation

from applications import demo


class Command(BaseCommand):
    help = "Load about fifty demo applications, a demo applicant and an administrator. Safe to run again."

    def add_arguments(self, parser):
        parser.add_argument(
            "--allow-without-debug",
            action="store_true",
            help="Run even though DJANGO_DEBUG is false, e.g. on a demo server. Never on production.",
        )

    def handle(self, *args, allow_without_debug: bool = False, **options):
        # The accounts it creates have published passwords.
        if not settings.DEBUG and not allow_without_debug:
            raise CommandError(
                "seed_demo creates accounts with published passwords; it only runs with DJANGO_DEBUG=true "
                "unless you pass --allow-without-debug."
            )
        result = demo.demo_seed()
        # The instructions are in English, like the rest of the developer documentation.
        with translation.override("en"):
            self.stdout.write("\n".join(self._summary(result)))

    def _summary(self, result: demo.DemoSeedResult) -> list[str]:
        client = result.demo_client
        login_url = settings.SITE_URL.rstrip("/") + reverse("account_login")
        admin_url = settings.SITE_URL.rstrip("/") + reverse("admin:index")
        return [
            f"Demo data ready: {result.applications} applications ({result.applications_created} new), "
            f"{result.events} status events ({result.events_created} new), {result.clients} clients, "
            f"{result.links} account links, {result.programs} programs, {result.stages} stages.",
            "",
            f"Sign in at {login_url}",
            f"  Applicant:     {demo.DEMO_EMAIL} / {demo.DEMO_PASSWORD}",
            f"                 linked: {', '.join(result.demo_linked_numbers)}",
            f"  Administrator: {demo.ADMIN_EMAIL} / {demo.ADMIN_PASSWORD}  (admin site: {admin_url})",
            "",
            "To try linking, sign in as the applicant, choose 'Link an application' and enter:",
            f"  Application number: {result.demo_unlinked_number}",
            f"  UCI: {client.uci}",
            f"  or family name: {client.family_name}, date of birth: {client.date_of_birth:%Y-%m-%d}, "
            f"country of birth: {client.country_of_birth.name} ({client.country_of_birth.code})",
        ]
