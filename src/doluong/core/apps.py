from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "doluong.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self) -> None:
        from doluong.core import changelog

        changelog.connect()
        from django.utils.module_loading import autodiscover_modules

        autodiscover_modules("services")  # follow-ups of the write path (doluong.core.writes)
        autodiscover_modules("ui")
