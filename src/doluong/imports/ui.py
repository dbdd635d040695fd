"""The imports page in the Tools menu, for the roles that may import something."""

from django.utils.translation import gettext_lazy as _

from doluong.core.roles import Role
from doluong.core.ui import add_menu_link
from doluong.imports import history  # noqa: F401  (registers the import batches' description in the history)

add_menu_link("tools", _("Imports"), "imports:batch_list", roles=(Role.OFFICER, Role.PROVIDER, Role.ENTERPRISE))
