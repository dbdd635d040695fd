"""Who needs a second factor, and the devices a user has (django-otp's TOTP and static devices).

Officers, leaders and administrators (superusers) must use a second factor where
``DOLUONG_REQUIRE_2FA`` is on (the default in production). Anyone who has set one up, whatever the
role, is asked for it at every sign-in.
"""

from django.conf import settings
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from doluong.core.roles import Role

REQUIRED_ROLES = frozenset({Role.OFFICER, Role.LEADER})
RECOVERY_CODES = 10


def second_factor_required(user) -> bool:
    """Whether this signed-in user may not work without a second factor."""
    if not getattr(settings, "DOLUONG_REQUIRE_2FA", False) or not user.is_authenticated:
        return False
    return bool(user.is_superuser or user.is_staff or getattr(user, "role", None) in REQUIRED_ROLES)


def totp_device(user) -> TOTPDevice | None:
    """The user's confirmed authenticator app, if any."""
    return TOTPDevice.objects.devices_for_user(user, confirmed=True).order_by("-pk").first()


def static_device(user) -> StaticDevice | None:
    return StaticDevice.objects.devices_for_user(user, confirmed=True).order_by("-pk").first()


def has_second_factor(user) -> bool:
    return user.is_authenticated and TOTPDevice.objects.devices_for_user(user, confirmed=True).exists()


def is_verified(user) -> bool:
    """Set by django-otp's OTPMiddleware: the session was confirmed with a device of this user."""
    check = getattr(user, "is_verified", None)
    return bool(check and check())


def new_recovery_codes(user) -> list[str]:
    """Replace the user's recovery codes by ten new single-use ones; returns them (shown once)."""
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name="recovery codes", confirmed=True)
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODES)]
    StaticToken.objects.bulk_create([StaticToken(device=device, token=c) for c in codes])
    return codes


def remaining_recovery_codes(user) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


def remove_second_factor(user) -> None:
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()
