"""`manage.py demo_totp <email>`: the current two-step code of a demo staff account, for signing in by hand."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from demo.staff import NotADemoAccount, demo_totp_code


class Command(BaseCommand):
    help = "Print the current six-digit two-step code of a demo account (agent@example.com, supervisor@example.com)."

    def add_arguments(self, parser):
        parser.add_argument("email", help="A demo account with the published authenticator secret.")
        parser.add_argument(
            "--allow-without-debug",
            action="store_true",
            help="Run even though DJANGO_DEBUG is false, e.g. on a demo server. Never on production.",
        )

    def handle(self, *args, email: str, allow_without_debug: bool = False, **options):
        if not settings.DEBUG and not allow_without_debug:
            raise CommandError(
                "demo_totp prints sign-in codes of the demo accounts; it only runs with DJANGO_DEBUG=true "
                "unless you pass --allow-without-debug."
            )
        try:
            code, seconds = demo_totp_code(email=email)
        except NotADemoAccount as refusal:
            raise CommandError(str(refusal)) from None
        self.stdout.write(code)
        self.stderr.write(f"valid for {seconds} more seconds")
