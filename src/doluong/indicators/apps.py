from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IndicatorsConfig(AppConfig):
    name = "doluong.indicators"
    label = "indicators"
    verbose_name = _("Indicators")

    def ready(self):
        from doluong.indicators import summaries

        summaries._register()
