from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OpsConfig(AppConfig):
    """Running doluong for real: health check, structured logs, backup and restore, retention."""

    name = "doluong.ops"
    label = "ops"
    verbose_name = _("Operations")
