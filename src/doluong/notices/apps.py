from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NoticesConfig(AppConfig):
    name = "doluong.notices"
    label = "notices"
    verbose_name = _("Notifications and service requests")
