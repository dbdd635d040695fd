"""The roles a user account can hold (one per account, bound to an organisation)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    OFFICER = "officer", _("Programme officer")
    LEADER = "leader", _("Leader")
    AGENCY = "agency", _("Agency")
    PROVIDER = "provider", _("Service provider")
    ENTERPRISE = "enterprise", _("Enterprise")
    NATIONAL = "national", _("National metrology authority")


# Roles that may read the whole province's data (the national authority: every province's).
PROVINCE_READERS = frozenset({Role.OFFICER, Role.LEADER, Role.AGENCY, Role.NATIONAL})
# Roles limited to their own province (their organisation's) when the deployment serves several.
PROVINCE_BOUND = frozenset({Role.OFFICER, Role.LEADER, Role.AGENCY})


def role_of(user) -> str | None:
    """The role of a signed-in user; superusers act as programme officers; None when anonymous."""
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    if getattr(user, "is_superuser", False):
        return Role.OFFICER
    return getattr(user, "role", None) or None
