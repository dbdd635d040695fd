import re
import time

import pytest
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from doluong.accounts import policy
from doluong.core.roles import Role
from tests.factories import OrganizationFactory, make_user

PASSWORD = "pw-Test-12345"


def code_for(device: TOTPDevice, steps_ahead: int = 0) -> str:
    """The code the phone shows now (or ``steps_ahead`` time steps later), from the device's own key."""
    value = totp(device.bin_key, step=device.step, t0=device.t0 - steps_ahead * device.step,
                 digits=device.digits, drift=device.drift)
    return f"{value:0{device.digits}d}"


def enrolled(user) -> tuple[TOTPDevice, list[str]]:
    device = TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    return device, policy.new_recovery_codes(user)


def sign_in(client, user, password=PASSWORD, **extra):
    return client.post(reverse("login"), {"username": user.username, "password": password}, **extra)


def next_of(response) -> str:
    return response["Location"]


def secret_in(html: str) -> str:
    return re.search(r'data-testid="otp-secret">([A-Z2-7 ]+)<', html).group(1)


@pytest.fixture
def officer(db):
    return make_user(Role.OFFICER)


@pytest.fixture
def leader(db):
    return make_user(Role.LEADER)


@pytest.fixture
def enterprise(db):
    return make_user(Role.ENTERPRISE, OrganizationFactory())


@pytest.fixture
def require_2fa(settings):
    settings.DOLUONG_REQUIRE_2FA = True
    return settings


@pytest.fixture
def no_throttle(settings):
    """django-otp's back-off (1, 2, 4 … seconds after wrong codes) would refuse a right code typed at once."""
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    settings.OTP_STATIC_THROTTLE_FACTOR = 0


__all__ = ["code_for", "enrolled", "next_of", "secret_in", "sign_in", "time"]
