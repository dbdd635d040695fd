"""The plan's programmes: measurement assurance for enterprises, training, private provision,
the national criteria set, capacity support for providers, and outreach.

These rows are what the plan's targets count (T1–T5 of Plan 210/KH-UBND):

* T1 — :class:`PrivateProvision`: distinct (field, kind or description) items opened to non-state
  providers by a date;
* T2 — :class:`CriteriaAssessment`: accredited labs applying the national criteria set;
* T3 — :class:`SupportDelivery`: one row is one enterprise-time ("lượt doanh nghiệp");
* T4 — :class:`Attendance`: one row is one person-time ("lượt người");
* T5 — :class:`CapacitySupport`: providers whose capacity was raised (completed).
"""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from doluong.core.access import ALL
from doluong.core.models import BaseModel
from doluong.core.roles import Role
from doluong.geo.models import AdministrativeUnit
from doluong.geo.services import REFORM_DATE
from doluong.instruments.models import InstrumentKind, MeasurementStandard, MetrologyField
from doluong.orgs.models import Organization, OrganizationKind, Ownership, Person
from doluong.providers.models import Accreditation
from doluong.records.models import ServiceRecord

PROVINCE_READ = {Role.LEADER: ALL, Role.AGENCY: ALL}
EVERYONE_READS = {Role.LEADER: ALL, Role.AGENCY: ALL, Role.PROVIDER: ALL, Role.ENTERPRISE: ALL}
YEAR_VALIDATORS = [MinValueValidator(2000), MaxValueValidator(2100)]


def _money_field(verbose_name):
    return models.DecimalField(verbose_name, max_digits=15, decimal_places=0, default=Decimal(0),
                               validators=[MinValueValidator(0)], help_text=_("In đồng."))


# ---------------------------------------------------------------------------------------------------
# measurement assurance programme (T3)


class Stage(models.TextChoices):
    SURVEY = "survey", _("Survey")
    ASSESSMENT = "assessment", _("Assessment")
    SELECTED = "selected", _("Selected")
    SUPPORTING = "supporting", _("Supporting")
    COMPLETED = "completed", _("Completed")
    DROPPED = "dropped", _("Dropped")


STAGE_ORDER = (Stage.SURVEY, Stage.ASSESSMENT, Stage.SELECTED, Stage.SUPPORTING, Stage.COMPLETED)
SELECTED_STAGES = (Stage.SELECTED, Stage.SUPPORTING, Stage.COMPLETED)
CLOSED_STAGES = (Stage.COMPLETED, Stage.DROPPED)


class AssuranceCase(BaseModel):
    """One enterprise in the measurement assurance programme in one year.

    Stages follow the plan's task II.4.a: survey → assessment → selected → supporting → completed
    (or dropped at any point before completion).
    """

    enterprise = models.ForeignKey(Organization, verbose_name=_("enterprise"), on_delete=models.PROTECT,
                                   related_name="assurance_cases")
    plan = models.ForeignKey("plans.Plan", verbose_name=_("plan"), null=True, blank=True,
                             on_delete=models.PROTECT, related_name="assurance_cases")
    year = models.PositiveSmallIntegerField(_("year"), validators=YEAR_VALIDATORS)
    stage = models.CharField(_("stage"), max_length=12, choices=Stage.choices, default=Stage.SURVEY, db_index=True)
    surveyed_on = models.DateField(_("surveyed on"), null=True, blank=True)
    assessment_summary = models.TextField(_("assessment summary"), blank=True)
    selected_on = models.DateField(_("selected on"), null=True, blank=True)
    outcome = models.TextField(_("outcome"), blank=True)
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    notes = models.TextField(_("notes"), blank=True)

    search_fields = ("enterprise", "year", "assessment_summary", "outcome")
    workflow_fields = ("stage",)  # changed by programmes.services.case_advance and the first support
    province_unit = "enterprise__unit"  # core.access: the province it belongs to
    access = {"view": {**PROVINCE_READ, Role.ENTERPRISE: "enterprise"}}

    class Meta:
        ordering = ("-year", "enterprise__name", "-pk")
        constraints = [
            models.UniqueConstraint(fields=("enterprise", "year"), name="assurance_case_one_per_enterprise_year"),
            models.CheckConstraint(condition=Q(selected_on__isnull=True) | Q(surveyed_on__isnull=True)
                                   | Q(selected_on__gte=models.F("surveyed_on")),
                                   name="assurance_case_selected_after_survey"),
        ]
        verbose_name = _("assurance case")
        verbose_name_plural = _("assurance cases")

    def __str__(self) -> str:
        return f"{self.enterprise} · {self.year}"

    def clean(self):
        errors = {}
        if self.enterprise_id and self.enterprise.kind != OrganizationKind.ENTERPRISE:
            errors["enterprise"] = _("The measurement assurance programme supports enterprises; "
                                     "this organisation is not one.")
        if self.stage in SELECTED_STAGES and not self.selected_on:
            errors["selected_on"] = _("A selected case needs the date it was selected.")
        if self.stage in CLOSED_STAGES and not self.closed_on:
            errors["closed_on"] = _("A completed or dropped case needs the date it was closed.")
        if self.surveyed_on and self.selected_on and self.selected_on < self.surveyed_on:
            errors["selected_on"] = _("The selection date is before the survey date.")
        start = self.selected_on or self.surveyed_on
        if self.closed_on and start and self.closed_on < start:
            errors["closed_on"] = _("The closing date is before the case's earlier dates.")
        if errors:
            raise ValidationError(errors)


class SupportKind(models.TextChoices):
    VERIFICATION = "verification", _("Verification")
    CALIBRATION = "calibration", _("Calibration")
    TESTING = "testing", _("Testing")
    MEASUREMENT_METHOD = "measurement_method", _("Building a measurement method")
    TRAINING = "training", _("Training")


class SupportDelivery(BaseModel):
    """One support given to the enterprise of a case: one enterprise-time ("lượt doanh nghiệp", T3)."""

    case = models.ForeignKey(AssuranceCase, verbose_name=_("case"), on_delete=models.CASCADE,
                             related_name="deliveries")
    kind = models.CharField(_("kind of support"), max_length=20, choices=SupportKind.choices)
    delivered_on = models.DateField(_("delivered on"))
    provider = models.ForeignKey(Organization, verbose_name=_("provider"), null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="support_deliveries")
    record = models.ForeignKey(ServiceRecord, verbose_name=_("record"), null=True, blank=True,
                               on_delete=models.PROTECT, related_name="support_deliveries",
                               help_text=_("The verification, calibration or test record behind it, if any."))
    description = models.TextField(_("description"), blank=True)
    cost = _money_field(_("cost"))

    search_fields = ("case", "description")
    province_unit = "case__enterprise__unit"  # core.access: the province it belongs to
    access = {"view": {**PROVINCE_READ, Role.ENTERPRISE: "case__enterprise"}}

    class Meta:
        ordering = ("-delivered_on", "-pk")
        indexes = [models.Index(fields=("delivered_on",))]
        constraints = [models.CheckConstraint(condition=Q(cost__gte=0), name="support_delivery_cost_not_negative")]
        verbose_name = _("support delivery")
        verbose_name_plural = _("support deliveries")

    def __str__(self) -> str:
        day = f" {self.delivered_on:%d/%m/%Y}" if self.delivered_on else ""
        return f"{self.get_kind_display()}{day}"

    def clean(self):
        errors = {}
        case = self.case if self.case_id else None
        if case is not None:
            if case.stage not in SELECTED_STAGES:
                errors["case"] = _("Support can only be recorded for a case that has been selected "
                                   "(this case is at stage “%(stage)s”).") % {"stage": case.get_stage_display()}
            elif self.delivered_on and case.selected_on and self.delivered_on < case.selected_on:
                errors["delivered_on"] = _("The support is dated before the enterprise was selected (%(date)s).") % {
                    "date": case.selected_on.strftime("%d/%m/%Y")}
            elif self.delivered_on and case.stage == Stage.COMPLETED and case.closed_on \
                    and self.delivered_on > case.closed_on:
                errors["delivered_on"] = _("The support is dated after the case was closed (%(date)s).") % {
                    "date": case.closed_on.strftime("%d/%m/%Y")}
        if self.record_id:
            record = self.record
            if case is not None and record.instrument.owner_id != case.enterprise_id:
                errors["record"] = _("This record is of an instrument that the case's enterprise does not own.")
            elif self.kind in (SupportKind.VERIFICATION, SupportKind.CALIBRATION, SupportKind.TESTING) \
                    and record.activity != self.kind:
                errors["record"] = _("This record is a %(activity)s, not a %(kind)s.") % {
                    "activity": record.get_activity_display().lower(), "kind": self.get_kind_display().lower()}
            elif self.provider_id and self.provider_id != record.provider_id:
                errors["provider"] = _("The provider differs from the record's provider.")
            elif not self.provider_id:
                self.provider_id = record.provider_id
        if errors:
            raise ValidationError(errors)


# ---------------------------------------------------------------------------------------------------
# training (T4)


class Training(BaseModel):
    title = models.CharField(_("title"), max_length=300)
    plan = models.ForeignKey("plans.Plan", verbose_name=_("plan"), null=True, blank=True,
                             on_delete=models.PROTECT, related_name="trainings")
    task = models.ForeignKey("plans.PlanTask", verbose_name=_("task"), null=True, blank=True,
                             on_delete=models.PROTECT, related_name="trainings")
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"), null=True, blank=True)
    location = models.CharField(_("location"), max_length=300, blank=True)
    unit = models.ForeignKey(AdministrativeUnit, verbose_name=_("administrative unit"), null=True, blank=True,
                             on_delete=models.PROTECT, related_name="trainings")
    organizer = models.ForeignKey(Organization, verbose_name=_("organiser"), null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="trainings_organised")
    topic = models.TextField(_("topic"), blank=True)
    on_enterprise_demand = models.BooleanField(_("on enterprise demand"), default=False,
                                               help_text=_("Organised at the request of enterprises."))
    notes = models.TextField(_("notes"), blank=True)

    search_fields = ("title", "topic", "location")
    province_unit = "organizer__unit"  # core.access: the province it belongs to
    access = {"view": EVERYONE_READS}

    class Meta:
        ordering = ("-starts_on", "-pk")
        constraints = [
            models.CheckConstraint(condition=Q(ends_on__isnull=True) | Q(ends_on__gte=models.F("starts_on")),
                                   name="training_ends_after_start"),
        ]
        verbose_name = _("training")
        verbose_name_plural = _("trainings")

    def __str__(self) -> str:
        return f"{self.title} ({self.starts_on:%d/%m/%Y})" if self.starts_on else self.title

    def clean(self):
        if self.starts_on and self.ends_on and self.ends_on < self.starts_on:
            raise ValidationError({"ends_on": _("The training ends before it starts.")})


class AttendeeRole(models.TextChoices):
    PROVINCIAL_OFFICIAL = "provincial_official", _("Provincial official")
    DISTRICT_OFFICIAL = "district_official", _("District official (before 07/2025)")
    COMMUNE_OFFICIAL = "commune_official", _("Commune official")
    ENTERPRISE_STAFF = "enterprise_staff", _("Enterprise staff")
    PROVIDER_STAFF = "provider_staff", _("Metrology service provider staff")
    OTHER = "other", _("Other")


class Attendance(BaseModel):
    """One person at one training: one person-time ("lượt người", T4)."""

    training = models.ForeignKey(Training, verbose_name=_("training"), on_delete=models.CASCADE,
                                 related_name="attendances")
    person = models.ForeignKey(Person, verbose_name=_("person"), on_delete=models.PROTECT,
                               related_name="attendances")
    organization = models.ForeignKey(Organization, verbose_name=_("organisation"), null=True, blank=True,
                                     on_delete=models.PROTECT, related_name="training_attendances",
                                     help_text=_("The person's organisation at the time (filled in from the "
                                                 "person when left blank)."))
    role = models.CharField(_("role"), max_length=20, choices=AttendeeRole.choices, db_index=True)

    search_fields = ("person",)
    province_unit = "training__organizer__unit"  # core.access: the province it belongs to
    access = {"view": {**PROVINCE_READ, Role.PROVIDER: "organization", Role.ENTERPRISE: "organization"}}

    class Meta:
        ordering = ("training", "person__full_name", "pk")
        constraints = [
            models.UniqueConstraint(fields=("training", "person"), name="attendance_one_per_person_per_training"),
        ]
        verbose_name = _("attendance")
        verbose_name_plural = _("attendances")

    def __str__(self) -> str:
        return str(self.person)

    def clean(self):
        errors = {}
        if self.person_id and not self.organization_id:
            self.organization_id = self.person.organization_id
        if self.training_id and self.person_id:
            dup = Attendance.objects.filter(training_id=self.training_id, person_id=self.person_id)
            if dup.exclude(pk=self.pk).exists():
                errors["person"] = _("%(person)s is already on the attendance list of this training.") % {
                    "person": self.person}
        if self.role == AttendeeRole.DISTRICT_OFFICIAL and self.training_id and self.training.starts_on \
                and self.training.starts_on >= REFORM_DATE:
            errors["role"] = _("District-level government ended on 01/07/2025; choose another role.")
        if errors:
            raise ValidationError(errors)


# ---------------------------------------------------------------------------------------------------
# private-sector provision, "xã hội hóa" (T1)


class ProvisionItemType(models.TextChoices):
    MEASUREMENT_STANDARD = "measurement_standard", _("Measurement standard")
    MEASURING_INSTRUMENT_SERVICE = "measuring_instrument_service", _("Service for a kind of measuring instrument")
    REFERENCE_MATERIAL = "reference_material", _("Reference material")


class PrivateProvision(BaseModel):
    """A standard, instrument service or reference material opened to a non-state provider (T1)."""

    provider = models.ForeignKey(Organization, verbose_name=_("provider"), on_delete=models.PROTECT,
                                 related_name="private_provisions")
    field = models.ForeignKey(MetrologyField, verbose_name=_("field"), on_delete=models.PROTECT,
                              related_name="private_provisions")
    kind = models.ForeignKey(InstrumentKind, verbose_name=_("instrument kind"), null=True, blank=True,
                             on_delete=models.PROTECT, related_name="private_provisions")
    standard = models.ForeignKey(MeasurementStandard, verbose_name=_("measurement standard"), null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="private_provisions")
    item_type = models.CharField(_("item type"), max_length=30, choices=ProvisionItemType.choices)
    description = models.CharField(_("description"), max_length=300, blank=True,
                                   help_text=_("Names the item when no instrument kind fits (e.g. a reference "
                                               "material)."))
    available_from = models.DateField(_("available from"))
    evidence = models.TextField(_("evidence"), blank=True,
                                help_text=_("Decision, designation or contract showing the provision."))
    evidence_file = models.FileField(_("evidence file"), upload_to="programmes/provisions/%Y/", blank=True)

    search_fields = ("provider", "description", "evidence")
    province_unit = "provider__unit"  # core.access: the province it belongs to
    access = {"view": {**PROVINCE_READ, Role.PROVIDER: "provider"}}

    class Meta:
        ordering = ("-available_from", "-pk")
        verbose_name = _("private provision")
        verbose_name_plural = _("private provisions")

    def __str__(self) -> str:
        item = self.kind if self.kind_id else (self.description or self.get_item_type_display())
        return f"{item} · {self.provider}" if self.provider_id else str(item)

    def clean(self):
        errors = {}
        if self.provider_id and self.provider.ownership == Ownership.STATE:
            errors["provider"] = _("Private-sector provision needs a provider that is not state-owned; "
                                   "%(name)s is state-capital.") % {"name": self.provider}
        if self.kind_id and self.field_id and self.kind.field_id != self.field_id:
            errors["kind"] = _("This instrument kind belongs to another field (%(field)s).") % {
                "field": self.kind.field}
        if self.standard_id:
            if self.field_id and self.standard.field_id != self.field_id:
                errors["standard"] = _("This standard belongs to another field (%(field)s).") % {
                    "field": self.standard.field}
            elif self.provider_id and self.standard.owner_id != self.provider_id:
                errors["standard"] = _("This standard is not owned by the provider.")
        if not self.kind_id and not self.description.strip():
            errors["description"] = _("Name the item: choose an instrument kind or write a description.")
        if errors:
            raise ValidationError(errors)


# ---------------------------------------------------------------------------------------------------
# the national criteria set (T2)


class CriteriaSet(BaseModel):
    """The national criteria set for assessing metrology fields, as data: a list of criteria.

    ``criteria`` is a list of ``{"code": str, "text": str, "max_score": number}``.
    """

    code = models.CharField(_("code"), max_length=40)
    name = models.CharField(_("name"), max_length=300)
    version = models.CharField(_("version"), max_length=20, default="1")
    issued_by = models.CharField(_("issued by"), max_length=200, blank=True)
    issued_on = models.DateField(_("issued on"), null=True, blank=True)
    criteria = models.JSONField(_("criteria"), default=list, blank=True,
                                help_text=_('A list of {"code": …, "text": …, "max_score": …}.'))
    is_active = models.BooleanField(_("active"), default=True)

    search_fields = ("code", "name", "issued_by")
    access = {"view": EVERYONE_READS}

    class Meta:
        ordering = ("-is_active", "code", "-version")
        constraints = [models.UniqueConstraint(fields=("code", "version"), name="criteria_set_unique_version")]
        verbose_name = _("criteria set")
        verbose_name_plural = _("criteria sets")

    def __str__(self) -> str:
        return f"{self.code} v{self.version}"

    def max_scores(self) -> dict[str, Decimal]:
        """Criterion code → maximum score (for well-formed criteria only)."""
        out = {}
        for c in self.criteria if isinstance(self.criteria, list) else ():
            if isinstance(c, dict) and isinstance(c.get("code"), str) and _is_number(c.get("max_score")):
                out[c["code"]] = Decimal(str(c["max_score"]))
        return out

    @property
    def max_total(self) -> Decimal:
        return sum(self.max_scores().values(), Decimal(0))

    def clean(self):
        if not isinstance(self.criteria, list):
            raise ValidationError({"criteria": _("The criteria must be a list.")})
        seen = set()
        for i, c in enumerate(self.criteria, start=1):
            if not isinstance(c, dict) or not isinstance(c.get("code"), str) or not c["code"].strip():
                raise ValidationError({"criteria": _("Criterion %(n)d has no code.") % {"n": i}})
            if c["code"] in seen:
                raise ValidationError({"criteria": _("Criterion code %(code)s appears twice.") % {"code": c["code"]}})
            seen.add(c["code"])
            if not isinstance(c.get("text", ""), str):
                raise ValidationError({"criteria": _("The text of criterion %(code)s must be text.") % {
                    "code": c["code"]}})
            if not _is_number(c.get("max_score")) or Decimal(str(c["max_score"])) <= 0:
                raise ValidationError({"criteria": _("Criterion %(code)s needs a positive maximum score.") % {
                    "code": c["code"]}})


def _is_number(value) -> bool:
    return isinstance(value, int | float | Decimal) and not isinstance(value, bool) and value == value \
        and value not in (float("inf"), float("-inf"))


class AssessmentResult(models.TextChoices):
    APPLIED_MEETS = "applied_meets", _("Applied, meets the criteria")
    APPLIED_PARTLY = "applied_partly", _("Applied, meets them in part")
    NOT_APPLIED = "not_applied", _("Not applied")


class CriteriaAssessment(BaseModel):
    """An accredited lab or provider assessed against the national criteria set (T2)."""

    organization = models.ForeignKey(Organization, verbose_name=_("organisation"), on_delete=models.PROTECT,
                                     related_name="criteria_assessments")
    criteria_set = models.ForeignKey(CriteriaSet, verbose_name=_("criteria set"), on_delete=models.PROTECT,
                                     related_name="assessments")
    assessed_on = models.DateField(_("assessed on"))
    scores = models.JSONField(_("scores"), default=dict, blank=True,
                              help_text=_('Criterion code → score, e.g. {"C1": 8, "C2": 10}.'))
    total = models.DecimalField(_("total score"), max_digits=9, decimal_places=2, default=Decimal(0), editable=False)
    result = models.CharField(_("result"), max_length=20, choices=AssessmentResult.choices, db_index=True)
    notes = models.TextField(_("notes"), blank=True)

    search_fields = ("organization", "notes")
    province_unit = "organization__unit"  # core.access: the province it belongs to
    access = {"view": {**PROVINCE_READ, Role.PROVIDER: "organization"}}

    class Meta:
        ordering = ("-assessed_on", "-pk")
        constraints = [
            models.UniqueConstraint(fields=("organization", "criteria_set", "assessed_on"),
                                    name="criteria_assessment_unique_day"),
        ]
        verbose_name = _("criteria assessment")
        verbose_name_plural = _("criteria assessments")

    def __str__(self) -> str:
        day = f" {self.assessed_on:%d/%m/%Y}" if self.assessed_on else ""
        return f"{self.organization}{day}" if self.organization_id else day.strip()

    def compute_total(self) -> Decimal:
        return sum((Decimal(str(v)) for v in (self.scores or {}).values() if _is_number(v)), Decimal(0))

    def clean(self):
        if not isinstance(self.scores, dict):
            raise ValidationError({"scores": _("Scores must map criterion codes to numbers.")})
        if self.criteria_set_id:
            limits = self.criteria_set.max_scores()
            for code, score in self.scores.items():
                if code not in limits:
                    raise ValidationError({"scores": _("%(code)s is not a criterion of %(set)s.") % {
                        "code": code, "set": self.criteria_set}})
                if not _is_number(score):
                    raise ValidationError({"scores": _("The score of %(code)s is not a number.") % {"code": code}})
                if not 0 <= Decimal(str(score)) <= limits[code]:
                    raise ValidationError({"scores": _("The score of %(code)s must be between 0 and %(max)s.") % {
                        "code": code, "max": f"{limits[code].normalize():f}"}})
        self.total = self.compute_total()


# ---------------------------------------------------------------------------------------------------
# capacity of service providers (T5)


class CapacityKind(models.TextChoices):
    ISO17025_ACCREDITATION = "iso17025_accreditation", _("ISO/IEC 17025 accreditation")
    ISO9001_CERTIFICATION = "iso9001_certification", _("ISO 9001 certification")
    EQUIPMENT = "equipment", _("Equipment")
    STAFF_TRAINING = "staff_training", _("Staff training")
    OTHER = "other", _("Other")


class CapacitySupport(BaseModel):
    """Support raising a service provider's capacity (T5); counted once completed."""

    provider = models.ForeignKey(Organization, verbose_name=_("provider"), on_delete=models.PROTECT,
                                 related_name="capacity_supports")
    kind = models.CharField(_("kind of support"), max_length=30, choices=CapacityKind.choices)
    started_on = models.DateField(_("started on"))
    completed_on = models.DateField(_("completed on"), null=True, blank=True)
    outcome = models.TextField(_("outcome"), blank=True)
    accreditation = models.ForeignKey(Accreditation, verbose_name=_("resulting accreditation"), null=True,
                                      blank=True, on_delete=models.PROTECT, related_name="capacity_supports")
    cost = _money_field(_("cost"))

    search_fields = ("provider", "outcome")
    province_unit = "provider__unit"  # core.access: the province it belongs to
    access = {"view": {**PROVINCE_READ, Role.PROVIDER: "provider"}}

    class Meta:
        ordering = ("-started_on", "-pk")
        constraints = [
            models.CheckConstraint(condition=Q(completed_on__isnull=True) | Q(completed_on__gte=models.F("started_on")),
                                   name="capacity_support_completed_after_start"),
            models.CheckConstraint(condition=Q(cost__gte=0), name="capacity_support_cost_not_negative"),
        ]
        verbose_name = _("capacity support")
        verbose_name_plural = _("capacity supports")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.provider}" if self.provider_id else self.get_kind_display()

    def clean(self):
        errors = {}
        if self.started_on and self.completed_on and self.completed_on < self.started_on:
            errors["completed_on"] = _("The support is completed before it started.")
        if self.accreditation_id and self.provider_id and self.accreditation.organization_id != self.provider_id:
            errors["accreditation"] = _("This accreditation belongs to another organisation.")
        if errors:
            raise ValidationError(errors)


# ---------------------------------------------------------------------------------------------------
# communication and cooperation


class OutreachKind(models.TextChoices):
    CONFERENCE = "conference", _("Conference")
    WORKSHOP = "workshop", _("Workshop")
    METROLOGY_DAY = "metrology_day", _("Vietnam Metrology Day (20/1)")
    MEDIA_PIECE = "media_piece", _("Media piece")
    AWARD = "award", _("Emulation and award")
    INTERNATIONAL_COOPERATION = "international_cooperation", _("International cooperation")
    LEGAL_REVIEW = "legal_review", _("Review of legal documents")
    ST_TASK = "st_task", _("Science and technology task")


class OutreachEvent(BaseModel):
    kind = models.CharField(_("kind"), max_length=30, choices=OutreachKind.choices, db_index=True)
    title = models.CharField(_("title"), max_length=300)
    held_on = models.DateField(_("held on"))
    organizer = models.ForeignKey(Organization, verbose_name=_("organiser"), null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="outreach_events")
    task = models.ForeignKey("plans.PlanTask", verbose_name=_("task"), null=True, blank=True,
                             on_delete=models.PROTECT, related_name="outreach_events")
    participants = models.PositiveIntegerField(_("participants"), null=True, blank=True)
    unit = models.ForeignKey(AdministrativeUnit, verbose_name=_("administrative unit"), null=True, blank=True,
                             on_delete=models.PROTECT, related_name="outreach_events")
    description = models.TextField(_("description"), blank=True)
    link = models.URLField(_("link"), blank=True, max_length=500)

    search_fields = ("title", "description")
    province_unit = "organizer__unit"  # core.access: the province it belongs to
    access = {
        "view": EVERYONE_READS,
        "add": {Role.AGENCY: "organizer"},
        "change": {Role.AGENCY: "organizer"},
    }

    class Meta:
        ordering = ("-held_on", "-pk")
        indexes = [models.Index(fields=("held_on",))]
        verbose_name = _("outreach event")
        verbose_name_plural = _("outreach events")

    def __str__(self) -> str:
        return f"{self.title} ({self.held_on:%d/%m/%Y})" if self.held_on else self.title
