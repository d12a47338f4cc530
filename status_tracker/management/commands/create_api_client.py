"""Make a service account for an upstream system and print its token once; or revoke one."""

from django.core.management.base import BaseCommand, CommandError

from status_tracker.api_clients import ApiClientNameTaken, UnknownScope, api_client_create, api_client_revoke
from status_tracker.models import ApiClient, ApiScope

# Who the audit trail names for a change made here: no account stands behind a shell.
ACTOR_LABEL = "manage.py create_api_client"


class Command(BaseCommand):
    help = "Create an API client for the upstream API and print its token (shown only this once)."

    def add_arguments(self, parser):
        parser.add_argument("name", help="A name that says which system uses the token, e.g. gcms-production.")
        parser.add_argument("--revoke", action="store_true", help="Revoke the client with this name instead.")
        parser.add_argument(
            "--scope",
            action="append",
            dest="scopes",
            metavar="SCOPE",
            help=f"What the token may do, once per scope: {', '.join(ApiScope.values)}. "
            "Without any, the token may only read status (status:read).",
        )

    def handle(self, *args, name: str, revoke: bool = False, scopes=None, **options):
        name = name.strip()
        if not name:
            raise CommandError("Give the client a name.")
        if len(name) > ApiClient._meta.get_field("name").max_length:
            raise CommandError("The name is too long (at most 80 characters).")
        if revoke:
            client = ApiClient.objects.filter(name=name).first()
            if client is None:
                raise CommandError(f"There is no API client named {name!r}.")
            if not api_client_revoke(api_client=client, actor=None, actor_label=ACTOR_LABEL):
                raise CommandError(
                    f"The API client {name!r} was already revoked on {client.revoked_at:%Y-%m-%d %H:%M}."
                )
            self.stdout.write(f"Revoked {name!r}: its token stops working now.")
            return
        try:
            client, token = api_client_create(name=name, actor=None, actor_label=ACTOR_LABEL, scopes=scopes)
        except UnknownScope as error:
            raise CommandError(f"Unknown scope: {error}. Choose among {', '.join(ApiScope.values)}.") from None
        except ApiClientNameTaken:
            raise CommandError(
                f"An API client named {name!r} already exists. Choose another name, or revoke it first "
                "with --revoke and create the new one under a new name."
            ) from None
        self.stderr.write(
            f"Created API client {client.name!r} with scopes {' '.join(client.scopes)}. "
            "Its token is shown only now; store it safely:"
        )
        self.stdout.write(token)
