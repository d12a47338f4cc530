from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DelegationsConfig(AppConfig):
    name = "delegations"
    verbose_name = _("Delegated access")

    def ready(self) -> None:
        from applications.signals import grant_first_used
        from delegations import (
            receivers,
            role_receivers,  # noqa: F401
        )

        grant_first_used.connect(
            receivers.grant_first_used_tell_client, dispatch_uid="delegations.grant_first_used_tell_client"
        )
