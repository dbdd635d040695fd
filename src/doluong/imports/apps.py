import pkgutil
from importlib import import_module

from django.apps import AppConfig, apps
from django.utils.module_loading import module_has_submodule
from django.utils.translation import gettext_lazy as _


def autodiscover_specs() -> None:
    """Import every app's ``imports.py`` and then its ``imports_<kind>.py`` siblings, app by app.

    A spec that needs a module of its own (``geo/imports_units.py``) lives beside the app's
    ``imports.py`` and is registered here, so ``imports.py`` never has to import it back.
    """
    for config in apps.get_app_configs():
        if not module_has_submodule(config.module, "imports"):
            continue
        import_module(f"{config.name}.imports")
        siblings = sorted(m.name for m in pkgutil.iter_modules([config.path])
                          if m.name.startswith("imports_") and not m.ispkg)
        for name in siblings:
            import_module(f"{config.name}.{name}")


class ImportsConfig(AppConfig):
    name = "doluong.imports"
    label = "imports"
    verbose_name = _("Imports and exports")

    def ready(self) -> None:
        autodiscover_specs()
