"""Designations of verification/calibration/testing providers, accreditations, verification officers."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from doluong.core.access import ALL
from doluong.core.models import BaseModel
from doluong.core.roles import Role
from doluong.core.rules import DateOrder
from doluong.instruments.models import InstrumentKind, MetrologyField
from doluong.orgs.models import Organization


class Activity(models.TextChoices):
    VERIFICATION = "verification", _("Verification")
    CALIBRATION = "calibration", _("Calibration")
    TESTING = "testing", _("Testing")


def designation_in_force(decision_date, expires_on, revoked_on, on) -> bool:
    """A designation is in force from its decision date to its expiry (inclusive), until the day it is revoked."""
    if decision_date is None or decision_date > on:
        return False
    if expires_on is not None and on > expires_on:
        return False
    return revoked_on is None or on < revoked_on


class Designation(BaseModel):
    """A state decision designating an organisation for a scope of kinds × activities × ranges."""

    provider = models.ForeignKey(Organization, verbose_name=_("provider"), on_delete=models.PROTECT,
                                 related_name="designations")
    decision_number = models.CharField(_("decision number"), max_length=60)
    decision_date = models.DateField(_("decision date"))
    issuer = models.CharField(_("issued by"), max_length=200, blank=True)
    expires_on = models.DateField(_("expires on"), null=True, blank=True)
    revoked_on = models.DateField(_("revoked on"), null=True, blank=True)
    notes = models.TextField(_("notes"), blank=True)

    search_fields = ("decision_number", "issuer")
    access = {
        "view": {Role.LEADER: ALL, Role.AGENCY: ALL, Role.PROVIDER: ALL, Role.ENTERPRISE: ALL},
    }
    rules = (
        DateOrder("decision_date", "expires_on", gettext_noop("The expiry date is before the decision date.")),
        DateOrder("decision_date", "revoked_on", gettext_noop("The revocation date is before the decision date.")),
    )

    class Meta:
        ordering = ("-decision_date",)
        constraints = [
            models.UniqueConstraint(fields=("provider", "decision_number"), name="designation_unique_number"),
        ]
        verbose_name = _("designation")
        verbose_name_plural = _("designations")

    def __str__(self) -> str:
        if self.decision_date:
            return f"{self.decision_number} ({self.decision_date:%d/%m/%Y})"
        return self.decision_number


class DesignationScope(BaseModel):
    designation = models.ForeignKey(Designation, verbose_name=_("designation"), on_delete=models.CASCADE,
                                    related_name="scopes")
    kind = models.ForeignKey(InstrumentKind, verbose_name=_("instrument kind"), on_delete=models.PROTECT,
                             related_name="designation_scopes")
    activity = models.CharField(_("activity"), max_length=20, choices=Activity.choices)
    range_description = models.CharField(_("range"), max_length=200, blank=True)
    range_max = models.DecimalField(_("upper range limit"), max_digits=18, decimal_places=6, null=True, blank=True,
                                    help_text=_("Largest capacity covered, in the kind's usual unit; blank: any."))

    access = {
        "view": {Role.LEADER: ALL, Role.AGENCY: ALL, Role.PROVIDER: ALL, Role.ENTERPRISE: ALL},
    }

    class Meta:
        ordering = ("designation", "kind__name", "activity")
        constraints = [
            models.UniqueConstraint(fields=("designation", "kind", "activity"), name="designation_scope_unique"),
        ]
        verbose_name = _("designation scope")
        verbose_name_plural = _("designation scopes")

    def __str__(self) -> str:
        return f"{self.kind} · {self.get_activity_display()}"


class AccreditationStandard(models.TextChoices):
    ISO17025 = "ISO/IEC 17025", "ISO/IEC 17025"
    ISO9001 = "ISO 9001", "ISO 9001"
    ISO17020 = "ISO/IEC 17020", "ISO/IEC 17020"
    ISO15189 = "ISO 15189", "ISO 15189"


class Accreditation(BaseModel):
    organization = models.ForeignKey(Organization, verbose_name=_("organisation"), on_delete=models.PROTECT,
                                     related_name="accreditations")
    standard = models.CharField(_("standard"), max_length=20, choices=AccreditationStandard.choices)
    number = models.CharField(_("number"), max_length=60, help_text=_("e.g. VILAS 123"))
    body = models.CharField(_("accreditation body"), max_length=200, blank=True, default="BoA")
    issued_on = models.DateField(_("issued on"))
    expires_on = models.DateField(_("expires on"), null=True, blank=True)
    fields = models.ManyToManyField(MetrologyField, verbose_name=_("fields"), blank=True, related_name="accreditations")
    scope = models.TextField(_("scope"), blank=True)

    search_fields = ("number", "standard", "body")
    access = {
        "view": {Role.LEADER: ALL, Role.AGENCY: ALL, Role.PROVIDER: ALL, Role.ENTERPRISE: ALL},
    }
    rules = (DateOrder("issued_on", "expires_on", gettext_noop("The expiry date is before the issue date.")),)

    class Meta:
        ordering = ("-issued_on",)
        constraints = [models.UniqueConstraint(fields=("standard", "number"), name="accreditation_unique_number")]
        verbose_name = _("accreditation")
        verbose_name_plural = _("accreditations")

    def __str__(self) -> str:
        return f"{self.standard} {self.number}"


OFFICER_INACTIVE = gettext_noop("The verification officer %(name)s is not active.")  # refused on a record
OFFICER_INACTIVE_SINCE = gettext_noop("The verification officer %(name)s is inactive since %(since)s; the record's "
                                      "date is %(date)s.")


class VerificationOfficer(BaseModel):
    provider = models.ForeignKey(Organization, verbose_name=_("provider"), on_delete=models.PROTECT,
                                 related_name="verification_officers")
    full_name = models.CharField(_("full name"), max_length=200)
    certificate_number = models.CharField(_("officer certificate number"), max_length=60)
    issued_on = models.DateField(_("issued on"), null=True, blank=True)
    expires_on = models.DateField(_("expires on"), null=True, blank=True)
    kinds = models.ManyToManyField(InstrumentKind, verbose_name=_("certified for kinds"), blank=True,
                                   related_name="officers")
    is_active = models.BooleanField(_("active"), default=True)
    inactive_since = models.DateField(
        _("inactive since"), null=True, blank=True,
        help_text=_("The day from which the officer no longer verifies (left the provider, certificate withdrawn): "
                    "records dated from then on are refused, earlier ones stay valid."))

    search_fields = ("full_name", "certificate_number")
    rules = (DateOrder("issued_on", "expires_on", gettext_noop("The expiry date is before the issue date.")),)
    province_unit = "provider__unit"  # core.access: the province it belongs to
    access = {
        "view": {Role.LEADER: ALL, Role.AGENCY: ALL, Role.PROVIDER: "provider"},
        "add": {Role.PROVIDER: "provider"},
        "change": {Role.PROVIDER: "provider"},
        "delete": {Role.PROVIDER: "provider"},
    }

    class Meta:
        ordering = ("full_name",)
        constraints = [
            models.UniqueConstraint(fields=("provider", "certificate_number"), name="officer_unique_certificate"),
        ]
        verbose_name = _("verification officer")
        verbose_name_plural = _("verification officers")

    def __str__(self) -> str:
        return self.full_name

    def inactive_on(self, day) -> bool:
        """Whether the officer may not sign a record dated ``day``: on or after ``inactive_since``, or at any date
        when marked inactive without a date. The query form is :func:`officer_inactive_q`."""
        if self.inactive_since is not None:
            return day is not None and day >= self.inactive_since
        return not self.is_active

    def inactive_reason(self, day) -> tuple[str, dict] | None:
        """Why the officer may not sign a record dated ``day`` (a message marked for translation, its params)."""
        if not self.inactive_on(day):
            return None
        if self.inactive_since is not None:
            return OFFICER_INACTIVE_SINCE, {"name": self.full_name, "since": self.inactive_since.strftime("%d/%m/%Y"),
                                            "date": day.strftime("%d/%m/%Y")}
        return OFFICER_INACTIVE, {"name": self.full_name}

    def inactive_problem(self, day) -> str | None:
        """:meth:`inactive_reason`, translated (the record form's refusal)."""
        from django.utils.translation import gettext

        found = self.inactive_reason(day)
        return gettext(found[0]) % found[1] if found else None


def officer_inactive_q(prefix: str = "officer__", on="performed_on"):
    """The filter form of :meth:`VerificationOfficer.inactive_on` for rows that name an officer and a date
    (``on``: the row's date field)."""
    from django.db.models import F, Q

    return (Q(**{f"{prefix}inactive_since__isnull": False, f"{prefix}inactive_since__lte": F(on)})
            | Q(**{f"{prefix}inactive_since__isnull": True, f"{prefix}is_active": False}))
