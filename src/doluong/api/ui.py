from django.utils.translation import gettext_lazy as _

from doluong.core.ui import add_menu_link

add_menu_link("tools", _("API tokens"), "api:tokens")
