from django.conf import settings
from django.urls import reverse

from doluong.core import access
from doluong.core import ui as registry
from doluong.core.roles import Role, role_of


def navigation(request):
    """The menu: the lists of registered models the user may see and the extra pages of its role, grouped."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_groups": [], "province_name": settings.DOLUONG_PROVINCE_NAME}
    role = role_of(user)
    groups: dict[str, list] = {key: [] for key in registry.MENU_GROUPS}
    for ui in registry.all_registered():
        if ui.menu_group and access.can(user, ui.model, "view"):
            groups.setdefault(ui.menu_group, []).append(
                (ui.verbose_name_plural, reverse(ui.url_name("list"))))
    for link in registry.menu_links():
        if link.roles is None or role in link.roles:
            groups.setdefault(link.group, []).append((link.label, reverse(link.url_name)))
    return {
        "nav_groups": [(registry.MENU_GROUPS.get(k, k), items) for k, items in groups.items() if items],
        "user_role": role,
        "nationwide": access.nationwide_reader(user),
        "user_role_label": Role(role).label if role else "",
        "province_name": settings.DOLUONG_PROVINCE_NAME,
    }
