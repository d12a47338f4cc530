from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = _("Portal accounts")

    def ready(self) -> None:
        # Register every app's Celery tasks in web processes too: domain code publishes
        # them by name, and with eager tasks (no Redis configured) a name this process
        # has not registered would go to a broker nobody reads.
        from portal.celery import app

        app.autodiscover_tasks(force=True)
