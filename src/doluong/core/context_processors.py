from django.conf import settings

from doluong.core import access
from doluong.core import ui as registry
from doluong.core.roles import Role, role_of


def navigation(request):
    """The menu: registered models the user may see, grouped."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_groups": [], "province_name": settings.DOLUONG_PROVINCE_NAME}
    groups: dict[str, list] = {}
    for ui in registry.all_registered():
        if ui.menu_group and access.can(user, ui.model, "view"):
            groups.setdefault(ui.menu_group, []).append(ui)
    return {
        "nav_groups": [(registry.MENU_GROUPS.get(k, k), v) for k, v in groups.items()],
        "user_role": role_of(user),
        "user_role_label": Role(role_of(user)).label if role_of(user) else "",
        "province_name": settings.DOLUONG_PROVINCE_NAME,
    }
