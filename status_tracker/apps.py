from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StatusTrackerConfig(AppConfig):
    name = "status_tracker"
    verbose_name = _("Status tracking")
