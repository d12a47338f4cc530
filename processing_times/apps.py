from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProcessingTimesConfig(AppConfig):
    name = "processing_times"
    verbose_name = _("Processing times")
    default_auto_field = "django.db.models.BigAutoField"
