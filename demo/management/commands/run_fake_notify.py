"""Serve the local fake of GC Notify: python manage.py run_fake_notify --port 6012 [--db path]."""

from django.conf import settings
from django.core.management.base import BaseCommand

from demo.fake_notify import FakeNotifyApp, FakeNotifyStore, make_fake_server


class Command(BaseCommand):
    help = "Serve a local fake of the GC Notify API (email and SMS) for development and tests."

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=6012)
        parser.add_argument("--db", default=None, help="SQLite file to keep messages in (default: memory)")
        parser.add_argument("--verbose-requests", action="store_true", help="log every request")

    def handle(self, *args, **options):
        store = FakeNotifyStore(options["db"])
        app = FakeNotifyApp(store=store, api_key=settings.NOTIFY_API_KEY)
        server = make_fake_server(
            host=options["host"], port=options["port"], app=app, quiet=not options["verbose_requests"]
        )
        address = f"http://{options['host']}:{server.server_port}"
        self.stdout.write(f"Fake GC Notify on {address} (messages: {address}/ ; JSON: {address}/_fake/messages)")
        self.stdout.flush()
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            pass
        finally:
            server.server_close()
