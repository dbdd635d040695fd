"""Administrative units on dated map editions, and the succession between editions.

A unit code alone is ambiguous (15 is Yên Bái on the map before 1 July 2025 and Lào Cai after), so
a unit is always a row of a :class:`MapEdition`, and everything that refers to a place refers to a
unit row, never to a bare code.
"""

import datetime as dt

from django.db import models
from django.utils.translation import gettext_lazy as _

from doluong.core.access import EVERYONE
from doluong.core.models import BaseManager, BaseModel, RestrictedQuerySet


class MapEdition(BaseModel):
    code = models.CharField(_("code"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=200)
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid to"), null=True, blank=True)
    source = models.CharField(_("source"), max_length=300, blank=True)

    search_fields = ("code", "name")

    access = {"view": EVERYONE}  # reference data
    class Meta:
        ordering = ("valid_from",)
        verbose_name = _("map edition")
        verbose_name_plural = _("map editions")

    def __str__(self) -> str:
        return self.name

    def covers(self, day: dt.date) -> bool:
        return self.valid_from <= day and (self.valid_to is None or day <= self.valid_to)


class UnitLevel(models.TextChoices):
    PROVINCE = "province", _("Province")
    DISTRICT = "district", _("District")
    COMMUNE = "commune", _("Commune")


class AdministrativeUnitQuerySet(RestrictedQuerySet):
    def on(self, day: dt.date):
        """Units in force on ``day``."""
        return self.filter(valid_from__lte=day).filter(models.Q(valid_to__isnull=True) | models.Q(valid_to__gte=day))


class AdministrativeUnit(BaseModel):
    edition = models.ForeignKey(MapEdition, verbose_name=_("map edition"), on_delete=models.PROTECT,
                                related_name="units")
    level = models.CharField(_("level"), max_length=10, choices=UnitLevel.choices)
    code = models.CharField(_("code"), max_length=10,
                            help_text=_("Statistics office code, unique within its edition and level."))
    name = models.CharField(_("name"), max_length=200)
    division_type = models.CharField(_("type"), max_length=50, blank=True)
    parent = models.ForeignKey("self", verbose_name=_("parent"), null=True, blank=True,
                               on_delete=models.PROTECT, related_name="children")
    province = models.ForeignKey("self", verbose_name=_("province"), null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="+",
                                 help_text=_("The province this unit belongs to on its own edition."))
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid to"), null=True, blank=True)

    objects = BaseManager.from_queryset(AdministrativeUnitQuerySet)()
    search_fields = ("name", "code", "division_type")

    access = {"view": EVERYONE}  # reference data
    class Meta:
        ordering = ("edition__valid_from", "level", "code")
        constraints = [
            models.UniqueConstraint(fields=("edition", "level", "code"), name="geo_unit_unique_code_per_edition"),
        ]
        indexes = [models.Index(fields=("edition", "level", "name"))]
        verbose_name = _("administrative unit")
        verbose_name_plural = _("administrative units")

    def __str__(self) -> str:
        if self.level == UnitLevel.PROVINCE:
            return self.name
        province = self.province.name if self.province_id and self.province else ""
        return f"{self.name}, {province}" if province else self.name

    def in_force_on(self, day: dt.date) -> bool:
        return self.valid_from <= day and (self.valid_to is None or day <= self.valid_to)


class UnitSuccession(models.Model):
    """``predecessor`` (older edition) became, wholly or partly, ``successor`` on ``effective_on``."""

    predecessor = models.ForeignKey(AdministrativeUnit, verbose_name=_("predecessor"), on_delete=models.CASCADE,
                                    related_name="successions")
    successor = models.ForeignKey(AdministrativeUnit, verbose_name=_("successor"), on_delete=models.CASCADE,
                                  related_name="predecessions")
    effective_on = models.DateField(_("effective on"))
    is_primary = models.BooleanField(
        _("primary successor"), default=True,
        help_text=_("When a unit was split, the successor that receives its history on today's map."),
    )

    access = {"view": EVERYONE}  # reference data
    class Meta:
        constraints = [
            models.UniqueConstraint(fields=("predecessor", "successor"), name="geo_succession_unique"),
        ]
        verbose_name = _("unit succession")
        verbose_name_plural = _("unit successions")

    def __str__(self) -> str:
        return f"{self.predecessor} → {self.successor}"
