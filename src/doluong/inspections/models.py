"""Inspections and checks: planned and unplanned inspections and commune checks, the instrument and
prepackage-lot checks made during them, violations as legal data, and the findings with penalties.

Verdicts are never typed: an instrument check's validity, MPE result and overall result, and a lot
check's verdict, are computed from the records and the metrology engine on every save (``clean()``,
through :mod:`doluong.inspections.evaluation`).
"""

import datetime as dt
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from doluong.core.access import ALL, EVERYONE
from doluong.core.models import BaseManager, BaseModel, RestrictedQuerySet
from doluong.core.roles import Role
from doluong.geo.models import AdministrativeUnit, UnitLevel
from doluong.inspections.choices import CheckResult, LotOutcome
from doluong.inspections.evaluation import instrument_check_evaluate, lot_check_evaluate
from doluong.instruments.models import Instrument
from doluong.metrology.prepackages import list_schemes
from doluong.orgs.models import Organization, Person
from doluong.records.models import ServiceRecord

PROVINCE_READ = {Role.LEADER: ALL, Role.AGENCY: ALL}
DEFAULT_SCHEME = "VN-TT21/2014"


def _day(d: dt.date | None) -> str:
    return d.strftime("%d/%m/%Y") if d else ""


def _money(verbose_name, **kw):
    return models.DecimalField(verbose_name, max_digits=15, decimal_places=0, validators=[MinValueValidator(0)],
                               help_text=_("In đồng."), **kw)


# ---------------------------------------------------------------------------------------------------
# inspections


class InspectionKind(models.TextChoices):
    PLANNED = "planned", _("Planned inspection")
    UNPLANNED = "unplanned", _("Unplanned inspection")
    COMMUNE_CHECK = "commune_check", _("Commune check")


class InspectionStatus(models.TextChoices):
    OPEN = "open", _("Open")
    FINDINGS = "findings", _("Findings recorded")
    CLOSED = "closed", _("Closed")


class Inspection(BaseModel):
    """One inspection (or commune check) of one organisation, from its start to its closure."""

    kind = models.CharField(_("kind"), max_length=20, choices=InspectionKind.choices, default=InspectionKind.PLANNED,
                            db_index=True)
    covers_instruments = models.BooleanField(_("measuring instruments"), default=True)
    covers_prepackages = models.BooleanField(_("prepackaged goods"), default=False)
    covers_providers = models.BooleanField(_("service provision"), default=False,
                                           help_text=_("Verification, calibration or testing provided by the "
                                                       "organisation."))
    organization = models.ForeignKey(Organization, verbose_name=_("organisation inspected"), on_delete=models.PROTECT,
                                     related_name="inspections")
    unit = models.ForeignKey(AdministrativeUnit, verbose_name=_("administrative unit"), null=True, blank=True,
                             on_delete=models.PROTECT, related_name="inspections",
                             help_text=_("Where the inspection took place, on the map in force on its start date "
                                         "(filled in from the organisation when left blank)."))
    started_on = models.DateField(_("started on"))
    ended_on = models.DateField(_("ended on"), null=True, blank=True)
    lead_agency = models.ForeignKey(Organization, verbose_name=_("lead agency"), null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="inspections_led")
    team = models.TextField(_("team"), blank=True, help_text=_("Names and roles, one per line."))
    members = models.ManyToManyField(Person, verbose_name=_("team members"), blank=True, related_name="inspections")
    legal_basis = models.TextField(_("legal basis"), blank=True,
                                   help_text=_("The plan or decision the inspection is made under."))
    decision_ref = models.CharField(_("decision number"), max_length=100, blank=True,
                                    help_text=_("e.g. 125/QĐ-SKHCN"))
    status = models.CharField(_("status"), max_length=10, choices=InspectionStatus.choices,
                              default=InspectionStatus.OPEN, db_index=True)
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    notes = models.TextField(_("notes"), blank=True)

    search_fields = ("organization", "decision_ref", "legal_basis", "team")
    province_unit = "organization__unit"  # core.access: the province it belongs to
    access = {"view": {**PROVINCE_READ, Role.PROVIDER: "organization", Role.ENTERPRISE: "organization"}}
    workflow_fields = ("status",)  # inspections.services: a finding moves it on, inspection_close closes it

    class Meta:
        ordering = ("-started_on", "-pk")
        indexes = [models.Index(fields=("started_on",))]
        constraints = [
            models.CheckConstraint(condition=Q(ended_on__isnull=True) | Q(ended_on__gte=models.F("started_on")),
                                   name="inspection_ends_after_start"),
            models.CheckConstraint(condition=~Q(status="closed") | Q(closed_on__isnull=False),
                                   name="inspection_closed_has_date"),
            models.CheckConstraint(condition=Q(covers_instruments=True) | Q(covers_prepackages=True)
                                   | Q(covers_providers=True), name="inspection_has_scope"),
        ]
        verbose_name = _("inspection")
        verbose_name_plural = _("inspections")

    def __str__(self) -> str:
        name = self.organization.name if self.organization_id else ""
        return f"{name} · {_day(self.started_on)}".strip(" ·")

    def scope_labels(self) -> list[str]:
        return [str(f.verbose_name) for f in (self._meta.get_field("covers_instruments"),
                                              self._meta.get_field("covers_prepackages"),
                                              self._meta.get_field("covers_providers"))
                if getattr(self, f.name)]

    def open_findings(self):
        return self.findings.filter(status=FindingStatus.OPEN) if self.pk else Finding.objects.none()

    def clean(self):
        errors = {}
        if not (self.covers_instruments or self.covers_prepackages or self.covers_providers):
            errors["covers_instruments"] = _("Choose what the inspection covers: instruments, prepackaged goods "
                                             "or service provision.")
        if self.started_on and self.ended_on and self.ended_on < self.started_on:
            errors["ended_on"] = _("The inspection ends before it starts.")
        if self.unit_id is None and self.organization_id and self.organization.unit_id and self.started_on:
            unit = self.organization.unit
            if unit.in_force_on(self.started_on):
                self.unit = unit
        if self.unit_id and self.started_on and not self.unit.in_force_on(self.started_on):
            errors["unit"] = _("%(unit)s is not on the map in force on %(date)s; choose the unit of that date "
                               "(before 01/07/2025: the old commune, district or province).") % {
                "unit": self.unit, "date": _day(self.started_on)}
        if self.kind == InspectionKind.COMMUNE_CHECK and (
                self.unit_id is None or self.unit.level != UnitLevel.COMMUNE):
            errors["unit"] = _("A commune check needs the commune where it took place.")
        if self.status == InspectionStatus.CLOSED:
            if not self.closed_on:
                errors["closed_on"] = _("A closed inspection needs the date it was closed.")
            elif self.started_on and self.closed_on < self.started_on:
                errors["closed_on"] = _("The closing date is before the start of the inspection.")
            elif self.ended_on and self.closed_on < self.ended_on:
                errors["closed_on"] = _("The closing date is before the end of the inspection.")
            open_ones = list(self.open_findings()[:20])
            if open_ones:
                errors["status"] = _("The inspection cannot be closed while findings are open: %(list)s.") % {
                    "list": "; ".join(str(f) for f in open_ones)}
        elif self.closed_on:
            errors["closed_on"] = _("Only a closed inspection has a closing date.")
        if errors:
            raise ValidationError(errors)


# ---------------------------------------------------------------------------------------------------
# instrument checks


CHECK_ACCESS = {"view": {**PROVINCE_READ, Role.PROVIDER: "inspection__organization",
                         Role.ENTERPRISE: "inspection__organization"}}


class InstrumentCheck(BaseModel):
    """One instrument checked during an inspection: valid verification, stamp, error within the in-service MPE.

    ``has_valid_verification`` and ``verification_record`` are found from the instrument's records as
    of ``checked_on``; ``error_ok`` from ``points`` against the kind's MPE rule at the in-service stage;
    ``result`` fails when any of the three fails. All are recomputed on every save.
    """

    inspection = models.ForeignKey(Inspection, verbose_name=_("inspection"), on_delete=models.CASCADE,
                                   related_name="instrument_checks")
    instrument = models.ForeignKey(Instrument, verbose_name=_("instrument"), on_delete=models.PROTECT,
                                   related_name="inspection_checks")
    checked_on = models.DateField(_("checked on"), null=True, blank=True,
                                  help_text=_("Filled in with the start of the inspection when left blank."))
    stamp_intact = models.BooleanField(_("stamp intact"), null=True, blank=True,
                                       help_text=_("Verification stamp or seal intact; leave unknown if not checked."))
    accuracy_class = models.CharField(_("accuracy class"), max_length=20, blank=True,
                                      help_text=_("Blank: the instrument's class (e.g. III)."))
    e = models.DecimalField(_("verification scale interval e"), max_digits=18, decimal_places=6, null=True,
                            blank=True, validators=[MinValueValidator(Decimal(0))],
                            help_text=_("In the unit of the points; needed by rules in multiples of e (OIML R 76)."))
    points_unit = models.CharField(_("unit of the points"), max_length=10, default="kg")
    points = models.JSONField(_("measured points"), default=list, blank=True,
                              help_text=_("Reference value and indication of each point."))
    has_valid_verification = models.BooleanField(_("valid verification"), null=True, editable=False)
    verification_record = models.ForeignKey(ServiceRecord, verbose_name=_("verification found"), null=True,
                                            blank=True, editable=False, on_delete=models.SET_NULL, related_name="+")
    error_ok = models.BooleanField(_("error within the in-service MPE"), null=True, editable=False)
    evaluation = models.JSONField(_("evaluation"), null=True, blank=True, editable=False)
    result = models.CharField(_("result"), max_length=10, choices=CheckResult.choices, default=CheckResult.PASS,
                              editable=False, db_index=True)
    notes = models.TextField(_("notes"), blank=True)

    search_fields = ("instrument", "notes")
    province_unit = "inspection__organization__unit"  # core.access: the province it belongs to
    access = CHECK_ACCESS

    class Meta:
        ordering = ("-inspection__started_on", "inspection", "pk")
        constraints = [
            models.UniqueConstraint(fields=("inspection", "instrument"), name="instrument_check_once_per_inspection"),
        ]
        verbose_name = _("instrument check")
        verbose_name_plural = _("instrument checks")

    def __str__(self) -> str:
        serial = self.instrument.serial_number if self.instrument_id else ""
        return _("Check of %(serial)s") % {"serial": serial}

    def clean(self):

        errors = {}
        if self.inspection_id and not self.checked_on:
            self.checked_on = self.inspection.started_on
        if self.inspection_id and self.checked_on:
            ins = self.inspection
            if self.checked_on < ins.started_on or (ins.ended_on and self.checked_on > ins.ended_on):
                errors["checked_on"] = _("The check is dated outside the inspection (%(start)s – %(end)s).") % {
                    "start": _day(ins.started_on), "end": _day(ins.ended_on) or "…"}
        if self.inspection_id and self.instrument_id:
            dup = InstrumentCheck.objects.filter(inspection_id=self.inspection_id, instrument_id=self.instrument_id)
            if dup.exclude(pk=self.pk).exists():
                errors["instrument"] = _("This instrument is already checked in this inspection.")
        if errors:
            raise ValidationError(errors)
        if self.instrument_id and self.checked_on:
            instrument_check_evaluate(check=self)


# ---------------------------------------------------------------------------------------------------
# prepackage lot checks


class QuantityUnit(models.TextChoices):
    G = "g", "g"
    KG = "kg", "kg"
    ML = "mL", "mL"
    L = "L", "L"


def scheme_choices() -> list[tuple[str, str]]:
    return [(s, s) for s in list_schemes()]


class LotCheck(BaseModel):
    """A lot (batch) of prepackaged goods checked for quantity: the sample and the computed verdict.

    ``verdict`` is :func:`doluong.metrology.prepackages.evaluate_lot`'s output (made JSON-safe);
    ``outcome`` reads it for lists and statistics: accepted; rejected; or no conclusion when the sample
    is smaller than the plan requires and no requirement already fails for good (T1 beyond the
    acceptance number, or a package below Qn − 2T, cannot be undone by more packages), or a double
    plan needs its second sample.
    """

    inspection = models.ForeignKey(Inspection, verbose_name=_("inspection"), on_delete=models.CASCADE,
                                   related_name="lot_checks")
    product = models.CharField(_("product"), max_length=200)
    brand = models.CharField(_("brand"), max_length=200, blank=True)
    packer = models.ForeignKey(Organization, verbose_name=_("packer or importer"), null=True, blank=True,
                               on_delete=models.PROTECT, related_name="lot_checks_packed",
                               help_text=_("Blank: the organisation inspected."))
    lot_ref = models.CharField(_("lot number"), max_length=100, blank=True)
    nominal = models.DecimalField(_("nominal quantity Qn"), max_digits=12, decimal_places=3,
                                  validators=[MinValueValidator(Decimal("0.001"))])
    unit = models.CharField(_("unit"), max_length=4, choices=QuantityUnit.choices, default=QuantityUnit.G)
    lot_size = models.PositiveIntegerField(_("lot size"), validators=[MinValueValidator(1)],
                                           help_text=_("Number of packages in the lot."))
    scheme = models.CharField(_("scheme"), max_length=30, choices=scheme_choices, default=DEFAULT_SCHEME,
                              help_text=_("Tolerable deficiencies and sampling plans applied."))
    destructive = models.BooleanField(_("destructive test"), default=False)
    actual = models.JSONField(_("net contents of the sample"), default=list, blank=True,
                              help_text=_("One value per package, in the unit above."))
    checked_on = models.DateField(_("checked on"), null=True, blank=True,
                                  help_text=_("Filled in with the start of the inspection when left blank."))
    verdict = models.JSONField(_("verdict"), null=True, blank=True, editable=False)
    outcome = models.CharField(_("outcome"), max_length=12, choices=LotOutcome.choices, blank=True,
                               editable=False, db_index=True)
    notes = models.TextField(_("notes"), blank=True)

    search_fields = ("product", "brand", "lot_ref")
    province_unit = "inspection__organization__unit"  # core.access: the province it belongs to
    access = CHECK_ACCESS

    class Meta:
        ordering = ("-inspection__started_on", "inspection", "pk")
        constraints = [models.CheckConstraint(condition=Q(nominal__gt=0), name="lot_check_nominal_positive")]
        verbose_name = _("prepackage lot check")
        verbose_name_plural = _("prepackage lot checks")

    def __str__(self) -> str:
        nominal = f"{self.nominal.normalize():f}" if self.nominal is not None else ""
        return f"{self.product} {nominal} {self.unit}".strip()

    @property
    def sample_size(self) -> int:
        return len(self.actual or [])

    def clean(self):

        errors = {}
        if self.inspection_id and not self.checked_on:
            self.checked_on = self.inspection.started_on
        if not self.actual:
            errors["actual"] = _("Enter the net contents of the sample.")
        elif self.lot_size and len(self.actual) > self.lot_size:
            errors["actual"] = _("The sample has %(n)d packages but the lot only %(lot)d.") % {
                "n": len(self.actual), "lot": self.lot_size}
        if errors:
            raise ValidationError(errors)
        if self.nominal and self.lot_size:
            lot_check_evaluate(lot=self)


# ---------------------------------------------------------------------------------------------------
# violations and findings


class ViolationType(BaseModel):
    """A kind of administrative violation with its legal reference and fine range, as data.

    Fines are stored as the decree writes them: for an individual; an organisation is fined
    ``organization_factor`` times as much for the same violation (Decree 119/2017/NĐ-CP, general
    provisions: twice). Rows marked ``is_seed`` come from the project's seed list and must be checked
    against the official text by an administrator.
    """

    code = models.CharField(_("code"), max_length=30, unique=True)
    name = models.CharField(_("violation"), max_length=400)
    legal_reference = models.CharField(_("legal reference"), max_length=300,
                                       help_text=_("Article, clause and decree, e.g. Điều 9 khoản 2 Nghị định "
                                                   "119/2017/NĐ-CP."))
    fine_min = _money(_("minimum fine (individual)"), default=Decimal(0))
    fine_max = _money(_("maximum fine (individual)"), default=Decimal(0))
    organization_factor = models.PositiveSmallIntegerField(_("factor for organisations"), default=2,
                                                           validators=[MinValueValidator(1)])
    valid_from = models.DateField(_("valid from"), default=dt.date(2017, 12, 15))
    valid_to = models.DateField(_("valid to"), null=True, blank=True)
    is_seed = models.BooleanField(_("seed data to verify"), default=False,
                                  help_text=_("Loaded from the project's seed list: check the article and amounts "
                                              "against the official text, then clear this box."))
    notes = models.TextField(_("notes"), blank=True)

    search_fields = ("code", "name", "legal_reference")

    access = {"view": EVERYONE}  # reference data
    class Meta:
        ordering = ("code",)
        constraints = [
            models.CheckConstraint(condition=Q(fine_max__gte=models.F("fine_min")), name="violation_fine_range"),
            models.CheckConstraint(condition=Q(valid_to__isnull=True) | Q(valid_to__gte=models.F("valid_from")),
                                   name="violation_valid_range"),
        ]
        verbose_name = _("violation type")
        verbose_name_plural = _("violation types")

    def __str__(self) -> str:
        return f"{self.code} · {self.name}"

    def in_force_on(self, day: dt.date) -> bool:
        return self.valid_from <= day and (self.valid_to is None or day <= self.valid_to)

    def fine_range(self, offender: str) -> tuple[Decimal, Decimal]:
        factor = self.organization_factor if offender == Offender.ORGANIZATION else 1
        return self.fine_min * factor, self.fine_max * factor

    def clean(self):
        errors = {}
        if self.fine_min is not None and self.fine_max is not None and self.fine_max < self.fine_min:
            errors["fine_max"] = _("The maximum fine is below the minimum.")
        if self.valid_to and self.valid_from and self.valid_to < self.valid_from:
            errors["valid_to"] = _("The end of validity is before its start.")
        if errors:
            raise ValidationError(errors)


class Offender(models.TextChoices):
    ORGANIZATION = "organization", _("Organisation")
    INDIVIDUAL = "individual", _("Individual")


class FindingStatus(models.TextChoices):
    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed")


class FindingQuerySet(RestrictedQuerySet):
    def overdue(self, on: dt.date | None = None):
        """Open findings whose follow-up deadline passed before ``on`` (default today) without being done."""
        on = on or timezone.localdate()
        return self.filter(status=FindingStatus.OPEN, follow_up_deadline__lt=on, follow_up_done_on__isnull=True)


class Finding(BaseModel):
    """Something an inspection found: a description, the violation, the penalty and the follow-up."""

    inspection = models.ForeignKey(Inspection, verbose_name=_("inspection"), on_delete=models.CASCADE,
                                   related_name="findings")
    instrument_check = models.ForeignKey(InstrumentCheck, verbose_name=_("instrument check"), null=True,
                                         blank=True, on_delete=models.RESTRICT, related_name="findings")
    lot_check = models.ForeignKey(LotCheck, verbose_name=_("lot check"), null=True, blank=True,
                                  on_delete=models.RESTRICT, related_name="findings")
    description = models.TextField(_("description"))
    violation = models.ForeignKey(ViolationType, verbose_name=_("violation"), null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="findings")
    offender = models.CharField(_("offender"), max_length=12, choices=Offender.choices,
                                default=Offender.ORGANIZATION)
    penalty_amount = _money(_("penalty"), null=True, blank=True)
    penalty_decision_ref = models.CharField(_("penalty decision"), max_length=100, blank=True)
    follow_up_deadline = models.DateField(_("follow-up deadline"), null=True, blank=True)
    follow_up_done_on = models.DateField(_("follow-up done on"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=FindingStatus.choices, default=FindingStatus.OPEN,
                              db_index=True)

    objects = BaseManager.from_queryset(FindingQuerySet)()
    search_fields = ("description", "penalty_decision_ref")
    province_unit = "inspection__organization__unit"  # core.access: the province it belongs to
    access = CHECK_ACCESS

    class Meta:
        ordering = ("-inspection__started_on", "inspection", "pk")
        indexes = [models.Index(fields=("status", "follow_up_deadline"))]
        constraints = [
            models.CheckConstraint(condition=Q(penalty_amount__isnull=True) | Q(penalty_amount__gte=0),
                                   name="finding_penalty_not_negative"),
            models.CheckConstraint(condition=Q(instrument_check__isnull=True) | Q(lot_check__isnull=True),
                                   name="finding_one_check_at_most"),
        ]
        verbose_name = _("finding")
        verbose_name_plural = _("findings")

    def __str__(self) -> str:
        text = (self.description or "").strip().splitlines()[0] if self.description else ""
        return text[:80] + ("…" if len(text) > 80 else "")

    @property
    def is_overdue(self) -> bool:
        return bool(self.status == FindingStatus.OPEN and self.follow_up_deadline and not self.follow_up_done_on
                    and self.follow_up_deadline < timezone.localdate())

    def clean(self):
        errors = {}
        ins = self.inspection if self.inspection_id else None
        for name in ("instrument_check", "lot_check"):
            check = getattr(self, name) if getattr(self, f"{name}_id") else None
            if check is not None and ins is not None and check.inspection_id != ins.pk:
                errors[name] = _("This check belongs to another inspection.")
        if self.instrument_check_id and self.lot_check_id:
            errors["lot_check"] = _("A finding refers to one check at most.")
        if self.violation_id and ins is not None and not self.violation.in_force_on(ins.started_on):
            errors["violation"] = _("This violation type is not in force on %(date)s.") % {
                "date": _day(ins.started_on)}
        if self.penalty_amount is not None:
            if not self.violation_id:
                errors["penalty_amount"] = _("Choose the violation first: the penalty is checked against its "
                                             "range.")
            else:
                low, high = self.violation.fine_range(self.offender)
                if not low <= self.penalty_amount <= high:
                    errors["penalty_amount"] = _(
                        "The penalty %(amount)s đồng is outside the range for this violation and offender: "
                        "%(low)s to %(high)s đồng (%(ref)s).") % {
                        "amount": f"{self.penalty_amount:,.0f}".replace(",", "."),
                        "low": f"{low:,.0f}".replace(",", "."), "high": f"{high:,.0f}".replace(",", "."),
                        "ref": self.violation.legal_reference}
        if ins is not None and self.follow_up_deadline and self.follow_up_deadline < ins.started_on:
            errors["follow_up_deadline"] = _("The follow-up deadline is before the inspection started.")
        if ins is not None and self.follow_up_done_on and self.follow_up_done_on < ins.started_on:
            errors["follow_up_done_on"] = _("The follow-up is dated before the inspection started.")
        if self.status == FindingStatus.CLOSED and self.follow_up_deadline and not self.follow_up_done_on:
            errors["follow_up_done_on"] = _("A finding with a follow-up deadline is closed when the follow-up is "
                                            "done: enter its date.")
        if ins is not None and ins.status == InspectionStatus.CLOSED and self.status == FindingStatus.OPEN:
            errors["status"] = _("The inspection is closed; an open finding cannot be added to it.")
        if errors:
            raise ValidationError(errors)
