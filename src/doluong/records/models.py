"""Verification, calibration and test records."""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from doluong.core.access import ALL
from doluong.core.dates import valid_until
from doluong.core.models import BaseModel
from doluong.core.roles import Role
from doluong.geo.models import AdministrativeUnit
from doluong.instruments.models import Instrument
from doluong.orgs.models import Organization
from doluong.providers.models import Activity, VerificationOfficer
from doluong.providers.selectors import scope_problem


class Result(models.TextChoices):
    PASS = "pass", _("Pass")
    FAIL = "fail", _("Fail")
    DONE = "done", _("Done (no verdict)")


class Source(models.TextChoices):
    FORM = "form", _("Form")
    IMPORT = "import", _("Import")
    API = "api", _("API")
    DCC = "dcc", _("Digital calibration certificate")
    DEMO = "demo", _("Demo data")


class ServiceRecord(BaseModel):
    """One verification, calibration or test of one instrument by one provider."""

    provider = models.ForeignKey(Organization, verbose_name=_("provider"), on_delete=models.PROTECT,
                                 related_name="service_records")
    instrument = models.ForeignKey(Instrument, verbose_name=_("instrument"), on_delete=models.PROTECT,
                                   related_name="records")
    officer = models.ForeignKey(VerificationOfficer, verbose_name=_("officer"), null=True, blank=True,
                                on_delete=models.PROTECT, related_name="records")
    activity = models.CharField(_("activity"), max_length=20, choices=Activity.choices, default=Activity.VERIFICATION)
    performed_on = models.DateField(_("date"))
    result = models.CharField(_("result"), max_length=10, choices=Result.choices, default=Result.PASS)
    certificate_number = models.CharField(_("certificate number"), max_length=60, blank=True)
    stamp_number = models.CharField(_("stamp number"), max_length=60, blank=True)
    valid_until = models.DateField(_("valid until"), null=True, blank=True, editable=False)
    unit = models.ForeignKey(AdministrativeUnit, verbose_name=_("administrative unit"), null=True, blank=True,
                             on_delete=models.PROTECT, related_name="records",
                             help_text=_("Where the instrument was, on the map in force on the record's date."))
    points = models.JSONField(_("measured points"), default=list, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    source = models.CharField(_("source"), max_length=10, choices=Source.choices, default=Source.FORM, editable=False)

    search_fields = ("certificate_number", "stamp_number")
    access = {
        "view": {Role.LEADER: ALL, Role.AGENCY: ALL, Role.PROVIDER: "provider", Role.ENTERPRISE: "instrument__owner"},
        "add": {Role.PROVIDER: "provider"},
        "change": {Role.PROVIDER: "provider"},
        "delete": {Role.PROVIDER: "provider"},
    }

    class Meta:
        ordering = ("-performed_on", "-pk")
        constraints = [
            models.UniqueConstraint(fields=("provider", "certificate_number"), condition=~Q(certificate_number=""),
                                    name="record_unique_certificate_per_provider"),
        ]
        indexes = [
            models.Index(fields=("instrument", "-performed_on")),
            models.Index(fields=("provider", "-performed_on")),
            models.Index(fields=("activity", "performed_on")),
            models.Index(fields=("performed_on",)),
        ]
        verbose_name = _("verification, calibration or test record")
        verbose_name_plural = _("verification, calibration and test records")

    def __str__(self) -> str:
        number = self.certificate_number or f"#{self.pk}"
        return f"{self.get_activity_display()} {number}"

    def compute_valid_until(self):
        """Verification passed → valid to the day before the same date one interval later."""
        kind = self.instrument.kind if self.instrument_id else None
        if (self.activity == Activity.VERIFICATION and self.result == Result.PASS and kind is not None
                and kind.verification_interval_months):
            return valid_until(self.performed_on, kind.verification_interval_months)
        return None

    def clean(self):
        errors = {}
        if self.officer_id and self.provider_id and self.officer.provider_id != self.provider_id:
            errors["officer"] = _("This officer does not work for the provider.")
        if self.provider_id and self.instrument_id and self.performed_on:
            problem = scope_problem(provider_id=self.provider_id, kind_id=self.instrument.kind_id,
                                    activity=self.activity, on=self.performed_on,
                                    range_max=self.instrument.range_max)
            if problem:
                errors["__all__"] = problem
        if self.activity == Activity.VERIFICATION and self.result == Result.DONE:
            errors["result"] = _("A verification ends in pass or fail.")
        if self.provider_id and self.certificate_number:
            dup = ServiceRecord.objects.filter(provider_id=self.provider_id,
                                               certificate_number=self.certificate_number).exclude(pk=self.pk)
            if dup.exists():
                errors["certificate_number"] = _("Certificate number %(n)s is already used by this provider.") % {
                    "n": self.certificate_number}
        if errors:
            raise ValidationError(errors)
        if self.performed_on and self.instrument_id:
            self.valid_until = self.compute_valid_until()
            if self.unit_id is None:
                self.unit_id = self.instrument.unit_id
