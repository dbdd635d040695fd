"""Metrology fields, instrument kinds (dated, with the national group-2 list), instruments, standards."""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from doluong.core.access import ALL, EVERYONE
from doluong.core.dates import due_status
from doluong.core.models import BaseManager, BaseModel, RestrictedQuerySet
from doluong.core.roles import Role
from doluong.core.rules import DateOrder
from doluong.geo.models import AdministrativeUnit
from doluong.orgs.models import Organization


class MetrologyField(BaseModel):
    code = models.CharField(_("code"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=100)
    name_en = models.CharField(_("English name"), max_length=100, blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    search_fields = ("code", "name", "name_en")

    access = {"view": EVERYONE}  # reference data
    class Meta:
        ordering = ("order", "name")
        verbose_name = _("metrology field")
        verbose_name_plural = _("metrology fields")

    def __str__(self) -> str:
        return self.name


class InstrumentKindQuerySet(RestrictedQuerySet):
    def in_force_on(self, day: dt.date):
        return self.filter(valid_from__lte=day).filter(models.Q(valid_to__isnull=True) | models.Q(valid_to__gte=day))


class InstrumentKind(BaseModel):
    """A kind of measuring instrument as a legal list defines it, valid for a period.

    Rules change (Circular 03/2024/TT-BKHCN replaced earlier group-2 lists), so a kind carries its
    legal basis and validity dates; a new edition of the same kind is a new row with the same code.
    """

    code = models.CharField(_("code"), max_length=30)
    name = models.CharField(_("name"), max_length=200)
    field = models.ForeignKey(MetrologyField, verbose_name=_("field"), on_delete=models.PROTECT, related_name="kinds")
    is_group2 = models.BooleanField(_("group 2 (compulsory control)"), default=False)
    verification_method = models.CharField(_("verification procedure"), max_length=100, blank=True,
                                           help_text=_("Code of the verification procedure, e.g. ĐLVN 15:2017."))
    verification_interval_months = models.PositiveSmallIntegerField(
        _("verification interval (months)"), null=True, blank=True)
    mpe_rule = models.CharField(_("MPE rule"), max_length=50, blank=True,
                                help_text=_("Identifier of the maximum permissible error rule, e.g. OIML-R76."))
    legal_basis = models.CharField(_("legal basis"), max_length=200, blank=True)
    valid_from = models.DateField(_("valid from"), default=dt.date(2000, 1, 1))
    valid_to = models.DateField(_("valid to"), null=True, blank=True)

    objects = BaseManager.from_queryset(InstrumentKindQuerySet)()
    search_fields = ("code", "name", "verification_method")

    access = {"view": EVERYONE}  # reference data
    class Meta:
        ordering = ("field__order", "name")
        constraints = [models.UniqueConstraint(fields=("code", "valid_from"), name="instrument_kind_code_edition")]
        verbose_name = _("instrument kind")
        verbose_name_plural = _("instrument kinds")

    def __str__(self) -> str:
        return self.name

    def clean(self):
        if self.valid_to and self.valid_to < self.valid_from:
            raise ValidationError({"valid_to": _("The end of validity is before its start.")})


class InstrumentStatus(models.TextChoices):
    IN_USE = "in_use", _("In use")
    OUT_OF_SERVICE = "out_of_service", _("Out of service")
    RETIRED = "retired", _("Retired")


class InstrumentQuerySet(RestrictedQuerySet):
    def overdue(self, on: dt.date | None = None):
        """Instruments in use whose verification validity ended before ``on`` (default today)."""
        on = on or timezone.localdate()
        return self.filter(status=InstrumentStatus.IN_USE, verification_due_on__lt=on)

    def due_within(self, days: int, on: dt.date | None = None):
        """Instruments in use whose verification validity ends within ``days`` days from ``on``."""
        on = on or timezone.localdate()
        return self.filter(status=InstrumentStatus.IN_USE,
                           verification_due_on__gte=on, verification_due_on__lte=on + dt.timedelta(days=days))


class Instrument(BaseModel):
    owner = models.ForeignKey(Organization, verbose_name=_("owner"), on_delete=models.PROTECT,
                              related_name="instruments", db_index=False)  # the unique (owner, kind, serial) leads
    kind = models.ForeignKey(InstrumentKind, verbose_name=_("kind"), on_delete=models.PROTECT,
                             related_name="instruments")
    serial_number = models.CharField(_("serial number"), max_length=100)
    manufacturer = models.CharField(_("manufacturer"), max_length=200, blank=True)
    model_name = models.CharField(_("model"), max_length=200, blank=True)
    measuring_range = models.CharField(_("measuring range"), max_length=100, blank=True)
    range_max = models.DecimalField(_("upper range limit"), max_digits=18, decimal_places=6, null=True, blank=True,
                                    help_text=_("Upper end of the range as a number, in the kind's usual unit."))
    accuracy_class = models.CharField(_("accuracy class"), max_length=50, blank=True)
    location = models.CharField(_("location"), max_length=300, blank=True)
    unit = models.ForeignKey(AdministrativeUnit, verbose_name=_("administrative unit"), null=True, blank=True,
                             on_delete=models.PROTECT, related_name="instruments")
    status = models.CharField(_("status"), max_length=20, choices=InstrumentStatus.choices,
                              default=InstrumentStatus.IN_USE)
    verification_due_on = models.DateField(
        _("verification due"), null=True, blank=True, editable=False, db_index=True,
        help_text=_("Last day of validity of the latest passing verification."))
    last_verified_on = models.DateField(_("last verified"), null=True, blank=True, editable=False)
    notes = models.TextField(_("notes"), blank=True)

    objects = BaseManager.from_queryset(InstrumentQuerySet)()
    search_fields = ("serial_number", "manufacturer", "model_name", "location")
    # The kind and owner names make "cân ô tô hòa phát" find an instrument.
    search_related = (("kind_id", "name"), ("owner_id", "name"))
    # The due dates are derived from the records (refreshed set-based by records.services): the records' own
    # history tells their story.
    changelog_exclude = (*BaseModel.changelog_exclude, "verification_due_on", "last_verified_on")
    province_unit = "owner__unit"  # core.access: the province it belongs to
    access = {
        "view": {Role.LEADER: ALL, Role.AGENCY: ALL, Role.PROVIDER: ALL, Role.ENTERPRISE: "owner"},
        "add": {Role.PROVIDER: ALL, Role.ENTERPRISE: "owner"},
        "change": {Role.ENTERPRISE: "owner"},
        "delete": {},
    }

    class Meta:
        ordering = ("kind__name", "serial_number")
        constraints = [
            models.UniqueConstraint(fields=("owner", "kind", "serial_number"), name="instrument_unique_serial"),
        ]
        indexes = [models.Index(fields=("status", "verification_due_on"))]
        verbose_name = _("measuring instrument")
        verbose_name_plural = _("measuring instruments")

    def __str__(self) -> str:
        return f"{self.kind} · {self.serial_number}"

    def verification_status(self, on: dt.date | None = None) -> str:
        return due_status(self.verification_due_on, on or timezone.localdate())


class StandardLevel(models.TextChoices):
    NATIONAL = "national", _("National standard")
    PRIMARY = "primary", _("Primary standard")
    SECONDARY = "secondary", _("Secondary standard")
    REFERENCE = "reference", _("Reference standard")
    WORKING = "working", _("Working standard")


class StandardQuerySet(RestrictedQuerySet):
    def overdue(self, on: dt.date | None = None):
        """Standards whose calibration is due before ``on`` (default today): not to be used until recalibrated."""
        return self.filter(calibration_due_on__lt=on or timezone.localdate())

    def due_within(self, days: int, on: dt.date | None = None):
        on = on or timezone.localdate()
        return self.filter(calibration_due_on__gte=on, calibration_due_on__lte=on + dt.timedelta(days=days))


class MeasurementStandard(BaseModel):
    """A measurement standard or reference material with its traceability."""

    owner = models.ForeignKey(Organization, verbose_name=_("owner"), on_delete=models.PROTECT,
                              related_name="standards")
    name = models.CharField(_("name"), max_length=200)
    field = models.ForeignKey(MetrologyField, verbose_name=_("field"), on_delete=models.PROTECT,
                              related_name="standards")
    kind = models.ForeignKey(InstrumentKind, verbose_name=_("instrument kind"), null=True, blank=True,
                             on_delete=models.PROTECT, related_name="standards",
                             help_text=_("The kind of instrument this standard serves to verify or calibrate."))
    is_reference_material = models.BooleanField(_("reference material"), default=False)
    level = models.CharField(_("level"), max_length=20, choices=StandardLevel.choices, default=StandardLevel.WORKING)
    serial_number = models.CharField(_("serial number"), max_length=100, blank=True)
    manufacturer = models.CharField(_("manufacturer"), max_length=200, blank=True)
    measuring_range = models.CharField(_("measuring range"), max_length=100, blank=True)
    accuracy = models.CharField(_("accuracy / uncertainty"), max_length=100, blank=True)
    calibrated_by = models.ForeignKey(Organization, verbose_name=_("calibrated by"), null=True, blank=True,
                                      on_delete=models.PROTECT, related_name="standards_calibrated")
    traced_to = models.ForeignKey("self", verbose_name=_("traced to standard"), null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="standards_traced")
    calibration_certificate = models.CharField(_("calibration certificate"), max_length=100, blank=True)
    calibrated_on = models.DateField(_("calibrated on"), null=True, blank=True)
    calibration_due_on = models.DateField(_("calibration due"), null=True, blank=True)

    objects = BaseManager.from_queryset(StandardQuerySet)()

    search_fields = ("name", "serial_number", "manufacturer", "calibration_certificate")
    rules = (DateOrder("calibrated_on", "calibration_due_on",
                       gettext_noop("The due date is before the calibration date.")),)
    province_unit = "owner__unit"  # core.access: the province it belongs to
    access = {
        "view": {Role.LEADER: ALL, Role.AGENCY: ALL, Role.PROVIDER: "owner", Role.ENTERPRISE: "owner"},
        "add": {Role.PROVIDER: "owner"},
        "change": {Role.PROVIDER: "owner"},
        "delete": {Role.PROVIDER: "owner"},
    }

    class Meta:
        ordering = ("field__order", "name")
        verbose_name = _("measurement standard")
        verbose_name_plural = _("measurement standards")

    def __str__(self) -> str:
        return f"{self.name} ({self.serial_number})" if self.serial_number else self.name

    def calibration_status(self, on: dt.date | None = None) -> str:
        return due_status(self.calibration_due_on, on or timezone.localdate())

    def clean(self):
        if self.traced_to_id and self.traced_to_id == self.pk:
            raise ValidationError({"traced_to": _("A standard cannot be traced to itself.")})
