from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    """Signing in: second factor (TOTP, recovery codes), password reset and change, idle expiry, sign-in log."""

    name = "doluong.accounts"
    label = "accounts"
    verbose_name = _("Accounts and security")

    def ready(self) -> None:
        from doluong.accounts import signals

        signals.connect()
