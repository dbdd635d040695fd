"""Who a records command acts as: ``--user USERNAME`` (access as that user), else the system as an officer."""

from types import SimpleNamespace

from django.core.management.base import CommandError

from doluong.orgs.models import User


def acting_user(username: str | None):
    if username:
        try:
            return User.objects.get(username=username)
        except User.DoesNotExist:
            raise CommandError(f"no user {username!r}") from None
    return SimpleNamespace(pk=None, username="system", is_authenticated=True, is_superuser=True, role="officer",
                           organization_id=None)
