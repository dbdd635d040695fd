"""The sign-in log in the Tools menu, for officers."""

from django.utils.translation import gettext_lazy as _

from doluong.core.roles import Role
from doluong.core.ui import add_menu_link

add_menu_link("tools", _("Sign-in log"), "accounts:signin_log", roles=(Role.OFFICER,))
