"""Tokens with which other systems (a provider's LIMS, the province's data-sharing platform) use the API.

A token acts as its owner: the same role, organisation and access rules as the owner signed in. Only the
SHA-256 of the key is stored; the key itself is shown once, when the token is created. ``prefix`` (the
first characters of the key) lets a person tell their tokens apart.
"""

import datetime as dt
import hashlib
import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

KEY_PREFIX = "dl_"
PREFIX_LENGTH = 11  # "dl_" and eight characters of the key
TOUCH_EVERY = dt.timedelta(minutes=1)  # last_used is written at most this often per token


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


class ApiTokenQuerySet(models.QuerySet):
    def active(self, now=None):
        now = now or timezone.now()
        return self.filter(Q(expires__isnull=True) | Q(expires__gt=now), revoked__isnull=True)


class ApiToken(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE,
                             related_name="api_tokens")
    name = models.CharField(_("name"), max_length=100, help_text=_("Which system uses it, e.g. “LIMS of the centre”."))
    prefix = models.CharField(_("prefix"), max_length=PREFIX_LENGTH, db_index=True, editable=False)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    created = models.DateTimeField(_("created"), auto_now_add=True)
    expires = models.DateTimeField(_("expires"), null=True, blank=True)
    last_used = models.DateTimeField(_("last used"), null=True, blank=True, editable=False)
    revoked = models.DateTimeField(_("revoked"), null=True, blank=True, editable=False)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        ordering = ("-created", "-pk")
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @classmethod
    def issue(cls, user, name: str, days: int | None = None) -> tuple["ApiToken", str]:
        """A new token for ``user`` and its key (shown once: only its hash is kept)."""
        key = KEY_PREFIX + secrets.token_urlsafe(32)
        expires = timezone.now() + dt.timedelta(days=days) if days else None
        token = cls.objects.create(user=user, name=name[:100], prefix=key[:PREFIX_LENGTH], key_hash=hash_key(key),
                                   expires=expires)
        return token, key

    @classmethod
    def for_key(cls, key: str):
        """The active token of this key, with its user, or None."""
        if not key.startswith(KEY_PREFIX) or len(key) > 200:
            return None
        return cls.objects.active().select_related("user", "user__organization").filter(
            key_hash=hash_key(key)).first()

    @property
    def is_active(self) -> bool:
        return self.revoked is None and (self.expires is None or self.expires > timezone.now())

    @property
    def state(self) -> str:
        if self.revoked is not None:
            return str(_("revoked"))
        if self.expires is not None and self.expires <= timezone.now():
            return str(_("expired"))
        return str(_("active"))

    def revoke(self) -> None:
        if self.revoked is None:
            self.revoked = timezone.now()
            type(self).objects.filter(pk=self.pk).update(revoked=self.revoked)

    def touch(self) -> None:
        now = timezone.now()
        if self.last_used is None or now - self.last_used > TOUCH_EVERY:
            self.last_used = now
            type(self).objects.filter(pk=self.pk).update(last_used=now)
