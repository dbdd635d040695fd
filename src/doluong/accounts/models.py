"""The sign-in log: one row per sign-in, failed attempt, lock-out, second-factor step and sign-out."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Outcome(models.TextChoices):
    SUCCESS = "success", _("Signed in")
    FAILURE = "failure", _("Wrong password")
    LOCKED = "locked", _("Locked out")
    OTP_SUCCESS = "otp_success", _("Second factor accepted")
    OTP_FAILED = "otp_failed", _("Wrong second-factor code")
    OTP_ENROLLED = "otp_enrolled", _("Second factor set up")
    OTP_REMOVED = "otp_removed", _("Second factor removed")
    LOGOUT = "logout", _("Signed out")


class SignInEvent(models.Model):
    """Written by :mod:`doluong.accounts.signals` only; read by officers (the sign-in log) and by each user."""

    time = models.DateTimeField(_("time"), default=timezone.now, db_index=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("user"), null=True, blank=True,
                             on_delete=models.SET_NULL, related_name="sign_in_events")
    username = models.CharField(_("user name given"), max_length=150, blank=True)
    outcome = models.CharField(_("outcome"), max_length=20, choices=Outcome.choices)
    detail = models.CharField(_("detail"), max_length=100, blank=True)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    user_agent = models.CharField(_("browser"), max_length=200, blank=True)

    class Meta:
        ordering = ("-time", "-pk")
        verbose_name = _("sign-in event")
        verbose_name_plural = _("sign-in events")
        indexes = [
            models.Index(fields=["user", "-time"], name="accounts_signin_user_time"),
            models.Index(fields=["outcome", "-time"], name="accounts_signin_outcome_time"),
        ]

    def __str__(self):
        return f"{self.username} · {self.get_outcome_display()} · {self.time:%d/%m/%Y %H:%M}"
