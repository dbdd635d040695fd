"""A province's plan under Decision 996/QĐ-TTg: phases, tasks, annual workplans, progress reports,
requests to adjust the plan, and its budget."""

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import FileExtensionValidator, MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from doluong.core.access import ALL
from doluong.core.files import (  # noqa: F401  (EVIDENCE_MAX_BYTES: the forms and older migrations name it here)
    EVIDENCE_EXTENSIONS,
    EVIDENCE_MAX_BYTES,
    validate_evidence_content,
    validate_evidence_size,
)
from doluong.core.models import BaseManager, BaseModel, RestrictedQuerySet
from doluong.core.roles import Role
from doluong.geo.models import AdministrativeUnit
from doluong.orgs.models import Organization

# Who reads the plan itself: everyone signed in. Workplans and budget: the province's own people.
READ_BY_ALL = {Role.LEADER: ALL, Role.AGENCY: ALL, Role.PROVIDER: ALL, Role.ENTERPRISE: ALL}
READ_BY_PROVINCE = {Role.LEADER: ALL, Role.AGENCY: ALL}


money = {"max_digits": 18, "decimal_places": 0, "default": 0, "validators": [MinValueValidator(0)]}


def year_field(verbose_name):
    return models.PositiveSmallIntegerField(verbose_name, validators=[MinValueValidator(2000),
                                                                      MaxValueValidator(2100)])


class Plan(BaseModel):
    """A plan issued by a People's Committee to implement Decision 996 in its province."""

    number = models.CharField(_("number"), max_length=60, help_text=_("e.g. 210/KH-UBND"))
    title = models.CharField(_("title"), max_length=500)
    issued_on = models.DateField(_("issued on"))
    issuer = models.ForeignKey(Organization, verbose_name=_("issuer"), null=True, blank=True,
                               on_delete=models.PROTECT, related_name="issued_plans")
    issuer_name = models.CharField(_("issuer name"), max_length=300, blank=True,
                                   help_text=_("As written on the plan, e.g. Ủy ban nhân dân tỉnh Yên Bái."))
    signed_by = models.CharField(_("signed by"), max_length=200, blank=True)
    legal_basis = models.CharField(_("legal basis"), max_length=300, blank=True,
                                   help_text=_("e.g. Quyết định 996/QĐ-TTg ngày 10/8/2018"))
    province = models.ForeignKey(AdministrativeUnit, verbose_name=_("province"), null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="plans",
                                 help_text=_("The province on the map in force when the plan was issued."))
    start_year = year_field(_("start year"))
    end_year = year_field(_("end year"))
    summary = models.TextField(_("summary"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    search_fields = ("number", "title", "issuer_name", "signed_by", "legal_basis")
    province_unit = "province"  # core.access: the province it belongs to
    access = {"view": READ_BY_ALL}

    class Meta:
        ordering = ("-issued_on", "number")
        constraints = [
            models.UniqueConstraint(fields=("number", "issued_on"), name="plan_unique_number_date"),
            models.CheckConstraint(condition=Q(end_year__gte=models.F("start_year")), name="plan_years_ordered"),
        ]
        verbose_name = _("plan")
        verbose_name_plural = _("plans")

    def __str__(self) -> str:
        return f"{self.number} ({self.issued_on:%d/%m/%Y})" if self.issued_on else self.number

    def clean(self):
        if self.start_year and self.end_year and self.end_year < self.start_year:
            raise ValidationError({"end_year": _("The end year is before the start year.")})

    def covers_year(self, year: int) -> bool:
        return self.start_year <= year <= self.end_year


def _check_year_in_plan(plan: Plan | None, year: int | None, field: str = "year") -> None:
    if plan is not None and year and plan.start_year and plan.end_year and not plan.covers_year(year):
        raise ValidationError({field: _("%(year)s is outside the plan's years %(start)s–%(end)s.") % {
            "year": year, "start": plan.start_year, "end": plan.end_year}})


def _check_same_plan(plan_id, task, field: str = "task") -> None:
    if task is not None and plan_id and task.plan_id != plan_id:
        raise ValidationError({field: _("The task %(code)s belongs to another plan.") % {"code": task.code}})


class PlanPhase(BaseModel):
    plan = models.ForeignKey(Plan, verbose_name=_("plan"), on_delete=models.CASCADE, related_name="phases")
    number = models.PositiveSmallIntegerField(_("number"))
    start_year = year_field(_("start year"))
    end_year = year_field(_("end year"))

    province_unit = "plan__province"  # core.access: the province it belongs to
    access = {"view": READ_BY_ALL}

    class Meta:
        ordering = ("plan", "number")
        constraints = [
            models.UniqueConstraint(fields=("plan", "number"), name="plan_phase_unique_number"),
            models.CheckConstraint(condition=Q(end_year__gte=models.F("start_year")),
                                   name="plan_phase_years_ordered"),
        ]
        verbose_name = _("plan phase")
        verbose_name_plural = _("plan phases")

    def __str__(self) -> str:
        return _("Phase %(number)s (%(start)s–%(end)s)") % {
            "number": self.number, "start": self.start_year, "end": self.end_year}

    def clean(self):
        if self.start_year and self.end_year and self.end_year < self.start_year:
            raise ValidationError({"end_year": _("The end year is before the start year.")})
        if self.plan_id:
            _check_year_in_plan(self.plan, self.start_year, "start_year")
            _check_year_in_plan(self.plan, self.end_year, "end_year")


class SolutionGroup(models.TextChoices):
    """The groups of solutions of section III.1 of a plan under Decision 996."""

    POLICY = "a", _("a) Mechanisms and policies")
    INFRASTRUCTURE = "b", _("b) Metrology infrastructure")
    STATE_MANAGEMENT = "c", _("c) State management")
    ENTERPRISE_SUPPORT = "d", _("d) Support to enterprises")
    COOPERATION = "dd", _("đ) International cooperation")
    COMMUNICATION = "e", _("e) Communication")


class Timeframe(models.TextChoices):
    YEARLY = "yearly", _("Every year")
    BY_2025 = "by_2025", _("By 2025")
    BY_2030 = "by_2030", _("By 2030")


TIMEFRAME_YEARS = {Timeframe.BY_2025: 2025, Timeframe.BY_2030: 2030}


class PlanTask(BaseModel):
    """A row of the plan's appendix: what is to be done, who leads, who helps, and by when."""

    plan = models.ForeignKey(Plan, verbose_name=_("plan"), on_delete=models.CASCADE, related_name="tasks")
    code = models.CharField(_("code"), max_length=20, help_text=_("As numbered in the appendix, e.g. II.2.a"))
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    title = models.CharField(_("title"), max_length=500)
    description = models.TextField(_("description"), blank=True)
    solution_group = models.CharField(_("solution group"), max_length=2, choices=SolutionGroup.choices, blank=True)
    lead_agency = models.ForeignKey(Organization, verbose_name=_("lead agency"), on_delete=models.PROTECT,
                                    related_name="led_plan_tasks")
    coordinating_agencies = models.ManyToManyField(Organization, verbose_name=_("coordinating agencies"),
                                                   blank=True, related_name="coordinated_plan_tasks")
    coordinating_text = models.CharField(_("coordinating (as written)"), max_length=500, blank=True)
    timeframe = models.CharField(_("timeframe"), max_length=10, choices=Timeframe.choices, default=Timeframe.YEARLY)
    due_year = models.PositiveSmallIntegerField(_("due year"), null=True, blank=True,
                                                help_text=_("Empty for yearly tasks."))

    search_fields = ("code", "title", "description", "coordinating_text")
    province_unit = "plan__province"  # core.access: the province it belongs to
    access = {"view": READ_BY_ALL}

    class Meta:
        ordering = ("plan", "order", "code")
        constraints = [
            models.UniqueConstraint(fields=("plan", "code"), name="plan_task_unique_code"),
            models.CheckConstraint(condition=~Q(timeframe=Timeframe.YEARLY) | Q(due_year__isnull=True),
                                   name="plan_task_yearly_has_no_due_year"),
        ]
        verbose_name = _("plan task")
        verbose_name_plural = _("plan tasks")

    def __str__(self) -> str:
        title = self.title if len(self.title) <= 90 else self.title[:89].rstrip() + "…"
        return f"{self.code} {title}"

    def clean(self):
        if self.timeframe == Timeframe.YEARLY:
            if self.due_year is not None:
                raise ValidationError({"due_year": _("A yearly task has no due year.")})
        elif self.due_year is None:
            self.due_year = TIMEFRAME_YEARS[self.timeframe]


class WorkplanStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    APPROVED = "approved", _("Approved")


class AnnualWorkplan(BaseModel):
    """The year's plan that the lead department builds with the others (section IV.1.a)."""

    plan = models.ForeignKey(Plan, verbose_name=_("plan"), on_delete=models.CASCADE, related_name="workplans")
    year = year_field(_("year"))
    status = models.CharField(_("status"), max_length=10, choices=WorkplanStatus.choices,
                              default=WorkplanStatus.DRAFT)
    approved_on = models.DateField(_("approved on"), null=True, blank=True)
    decision_ref = models.CharField(_("decision"), max_length=120, blank=True,
                                    help_text=_("Number and date of the approving document."))
    notes = models.TextField(_("notes"), blank=True)

    search_fields = ("decision_ref", "notes")
    province_unit = "plan__province"  # core.access: the province it belongs to
    access = {"view": READ_BY_PROVINCE}

    class Meta:
        ordering = ("plan", "-year")
        constraints = [
            models.UniqueConstraint(fields=("plan", "year"), name="workplan_unique_year"),
            models.CheckConstraint(condition=~Q(status="approved") | Q(approved_on__isnull=False),
                                   name="workplan_approved_has_date"),
        ]
        verbose_name = _("annual workplan")
        verbose_name_plural = _("annual workplans")

    def __str__(self) -> str:
        return _("Workplan %(year)s · %(plan)s") % {"year": self.year, "plan": self.plan.number}

    def clean(self):
        if self.status == WorkplanStatus.APPROVED and not self.approved_on:
            raise ValidationError({"approved_on": _("An approved workplan needs its approval date.")})
        if self.plan_id:
            _check_year_in_plan(self.plan, self.year)


class WorkplanItem(BaseModel):
    workplan = models.ForeignKey(AnnualWorkplan, verbose_name=_("workplan"), on_delete=models.CASCADE,
                                 related_name="items")
    task = models.ForeignKey(PlanTask, verbose_name=_("task"), on_delete=models.PROTECT, related_name="workplan_items")
    planned_output = models.TextField(_("planned output"))
    responsible = models.ForeignKey(Organization, verbose_name=_("responsible"), on_delete=models.PROTECT,
                                    related_name="workplan_items")
    deadline = models.DateField(_("deadline"), null=True, blank=True)
    budget = models.DecimalField(_("budget (đồng)"), **money)
    notes = models.TextField(_("notes"), blank=True)

    search_fields = ("planned_output", "notes")
    province_unit = "workplan__plan__province"  # core.access: the province it belongs to
    access = {"view": READ_BY_PROVINCE}

    class Meta:
        ordering = ("workplan", "task__order", "pk")
        constraints = [models.CheckConstraint(condition=Q(budget__gte=0), name="workplan_item_budget_not_negative")]
        verbose_name = _("workplan item")
        verbose_name_plural = _("workplan items")

    def __str__(self) -> str:
        return f"{self.workplan.year} · {self.task.code}"

    def clean(self):
        if self.workplan_id and self.task_id:
            _check_same_plan(self.workplan.plan_id, self.task)
        if self.workplan_id and self.deadline and self.deadline.year != self.workplan.year:
            raise ValidationError({"deadline": _("The deadline is outside the workplan's year %(year)s.") % {
                "year": self.workplan.year}})


class Period(models.TextChoices):
    H1 = "H1", _("First half-year")
    YEAR = "Y", _("Full year")
    Q1 = "Q1", _("Quarter 1")
    Q2 = "Q2", _("Quarter 2")
    Q3 = "Q3", _("Quarter 3")
    Q4 = "Q4", _("Quarter 4")


class ReportStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    ACCEPTED = "accepted", _("Accepted")
    RETURNED = "returned", _("Returned")


AWAITED_STATUSES = (ReportStatus.DRAFT, ReportStatus.RETURNED)
LOCKED_STATUSES = (ReportStatus.SUBMITTED, ReportStatus.ACCEPTED)


class ProgressReportQuerySet(RestrictedQuerySet):
    def awaited(self):
        """Reports the agency still owes: not yet submitted, or returned for rework."""
        return self.filter(status__in=AWAITED_STATUSES)

    def late(self, on: dt.date | None = None):
        """Awaited reports whose due date is before ``on`` (today by default)."""
        return self.awaited().filter(due_on__lt=on or timezone.localdate())


class ProgressReport(BaseModel):
    """An agency's report on one task for one period; DOST accepts it or returns it."""

    task = models.ForeignKey(PlanTask, verbose_name=_("task"), on_delete=models.PROTECT, related_name="reports")
    agency = models.ForeignKey(Organization, verbose_name=_("reporting agency"), on_delete=models.PROTECT,
                               related_name="progress_reports")
    year = year_field(_("year"))
    period = models.CharField(_("period"), max_length=2, choices=Period.choices, default=Period.YEAR)
    due_on = models.DateField(_("due on"))
    status = models.CharField(_("status"), max_length=10, choices=ReportStatus.choices, default=ReportStatus.DRAFT,
                              db_index=True)
    done_text = models.TextField(_("work done"), blank=True)
    share_done = models.PositiveSmallIntegerField(_("share done (%)"), null=True, blank=True,
                                                  validators=[MinValueValidator(0), MaxValueValidator(100)])
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True, editable=False)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("submitted by"), null=True, blank=True,
                                     on_delete=models.SET_NULL, related_name="+", editable=False)
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True, editable=False)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("reviewed by"), null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+", editable=False)
    review_comment = models.TextField(_("review comment"), blank=True, editable=False)

    objects = BaseManager.from_queryset(ProgressReportQuerySet)()
    search_fields = ("done_text", "review_comment")
    # Submitted, accepted and returned only through plans.services (report_submit, report_accept, report_return).
    workflow_fields = ("status", "submitted_at", "submitted_by", "reviewed_at", "reviewed_by", "review_comment")
    province_unit = "task__plan__province"  # core.access: the province it belongs to
    access = {
        "view": {Role.LEADER: ALL, Role.AGENCY: "agency"},
        "add": {Role.AGENCY: "agency"},
        "change": {Role.AGENCY: "agency"},
    }

    class Meta:
        ordering = ("-year", "task__order", "period", "agency__name")
        constraints = [
            models.UniqueConstraint(fields=("task", "agency", "year", "period"), name="progress_report_unique_period"),
            models.CheckConstraint(condition=Q(share_done__isnull=True) | Q(share_done__lte=100),
                                   name="progress_report_share_at_most_100"),
        ]
        indexes = [models.Index(fields=("status", "due_on"))]
        verbose_name = _("progress report")
        verbose_name_plural = _("progress reports")

    def __str__(self) -> str:
        return f"{self.task.code} · {self.agency} · {self.get_period_display()} {self.year}"

    @property
    def label(self) -> str:
        return f"{self.task.code} · {self.year} {self.get_period_display()}"

    @property
    def is_awaited(self) -> bool:
        return self.status in AWAITED_STATUSES

    def is_late(self, on: dt.date | None = None) -> bool:
        return self.is_awaited and self.due_on < (on or timezone.localdate())

    def edit_lock(self) -> str | None:
        """After submission DOST owns the report: only the review (accept, return) changes it."""
        if self.pk and self.status in LOCKED_STATUSES:
            return _("This report is %(status)s and can no longer be changed; DOST can return it to you for "
                     "changes.") % {"status": self.get_status_display().lower()}
        return None

    def clean(self):
        if self.task_id:
            _check_year_in_plan(self.task.plan, self.year)


class ReportEvidence(BaseModel):
    report = models.ForeignKey(ProgressReport, verbose_name=_("report"), on_delete=models.CASCADE,
                               related_name="evidence")
    file = models.FileField(_("file"), upload_to="evidence/%Y/", max_length=255, validators=[
        FileExtensionValidator(allowed_extensions=EVIDENCE_EXTENSIONS), validate_evidence_size,
        validate_evidence_content,
    ])
    description = models.CharField(_("description"), max_length=300, blank=True)

    search_fields = ("description",)
    province_unit = "report__task__plan__province"  # core.access: the province it belongs to
    access = {
        "view": {Role.LEADER: ALL, Role.AGENCY: "report__agency"},
        "add": {Role.AGENCY: "report__agency"},
        "change": {Role.AGENCY: "report__agency"},
        "delete": {Role.AGENCY: "report__agency"},
    }

    class Meta:
        ordering = ("report", "pk")
        verbose_name = _("evidence")
        verbose_name_plural = _("evidence")

    def __str__(self) -> str:
        return self.description or self.filename

    @property
    def filename(self) -> str:
        return self.file.name.rsplit("/", 1)[-1] if self.file else ""


class ChangeStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")


class PlanChange(BaseModel):
    """A difficulty reported in writing to DOST and the adjustment it proposes (section IV, last paragraph)."""

    plan = models.ForeignKey(Plan, verbose_name=_("plan"), on_delete=models.CASCADE, related_name="changes")
    task = models.ForeignKey(PlanTask, verbose_name=_("task"), null=True, blank=True, on_delete=models.PROTECT,
                             related_name="changes")
    reported_by = models.ForeignKey(Organization, verbose_name=_("reported by"), on_delete=models.PROTECT,
                                    related_name="plan_changes")
    reported_on = models.DateField(_("reported on"), default=timezone.localdate)
    difficulty = models.TextField(_("difficulty"))
    proposed_adjustment = models.TextField(_("proposed adjustment"))
    status = models.CharField(_("status"), max_length=10, choices=ChangeStatus.choices, default=ChangeStatus.PENDING,
                              db_index=True)
    decided_on = models.DateField(_("decided on"), null=True, blank=True, editable=False)
    decision_ref = models.CharField(_("decision"), max_length=120, blank=True, editable=False)
    decision_text = models.TextField(_("decision text"), blank=True, editable=False)

    search_fields = ("difficulty", "proposed_adjustment", "decision_ref", "decision_text")
    workflow_fields = ("status", "decided_on", "decision_ref", "decision_text")  # plans.services.plan_change_decide
    province_unit = "plan__province"  # core.access: the province it belongs to
    access = {
        "view": {Role.LEADER: ALL, Role.AGENCY: "reported_by"},
        "add": {Role.AGENCY: "reported_by"},
        "change": {Role.AGENCY: "reported_by"},
    }

    class Meta:
        ordering = ("-reported_on", "-pk")
        constraints = [
            models.CheckConstraint(condition=Q(status="pending") | Q(decided_on__isnull=False),
                                   name="plan_change_decided_has_date"),
        ]
        verbose_name = _("plan change request")
        verbose_name_plural = _("plan change requests")

    def __str__(self) -> str:
        return _("Change request %(plan)s of %(date)s") % {
            "plan": self.plan.number, "date": f"{self.reported_on:%d/%m/%Y}" if self.reported_on else ""}

    def edit_lock(self) -> str | None:
        if self.pk and self.status != ChangeStatus.PENDING:
            return _("This request has been decided and can no longer be changed.")
        return None

    def clean(self):
        if self.plan_id:
            _check_same_plan(self.plan_id, self.task)


class FundingSource(models.TextChoices):
    RECURRENT_ST = "recurrent_st", _("Recurrent S&T budget (chi thường xuyên sự nghiệp KH&CN)")
    DEVELOPMENT_INVESTMENT = "development_investment", _("Development investment (chi đầu tư phát triển)")
    ENTERPRISE = "enterprise", _("Enterprise contributions (đóng góp của doanh nghiệp)")
    OTHER = "other", _("Other lawful sources")


class BudgetLine(BaseModel):
    """Money for the plan in one year from one source, for one task or for the plan as a whole."""

    plan = models.ForeignKey(Plan, verbose_name=_("plan"), on_delete=models.CASCADE, related_name="budget_lines")
    year = year_field(_("year"))
    task = models.ForeignKey(PlanTask, verbose_name=_("task"), null=True, blank=True, on_delete=models.PROTECT,
                             related_name="budget_lines", help_text=_("Empty: the plan as a whole."))
    source = models.CharField(_("source"), max_length=30, choices=FundingSource.choices)
    estimate = models.DecimalField(_("estimate (đồng)"), **money)
    approved = models.DecimalField(_("approved (đồng)"), **money)
    spent = models.DecimalField(_("spent (đồng)"), **money)
    notes = models.TextField(_("notes"), blank=True)

    search_fields = ("notes",)
    province_unit = "plan__province"  # core.access: the province it belongs to
    access = {"view": READ_BY_PROVINCE}

    class Meta:
        ordering = ("plan", "-year", "source", "task__order")
        constraints = [
            models.UniqueConstraint(
                fields=("plan", "year", "task", "source"), condition=Q(task__isnull=False),
                name="budget_line_unique_task",
                violation_error_message=_("This task already has a budget line for this year and source.")),
            models.UniqueConstraint(
                fields=("plan", "year", "source"), condition=Q(task__isnull=True),
                name="budget_line_unique_plan_wide",
                violation_error_message=_("The plan already has a plan-wide line for this year and source.")),
            models.CheckConstraint(condition=Q(estimate__gte=0) & Q(approved__gte=0) & Q(spent__gte=0),
                                   name="budget_line_amounts_not_negative"),
        ]
        verbose_name = _("budget line")
        verbose_name_plural = _("budget lines")

    def __str__(self) -> str:
        scope = self.task.code if self.task_id else self.plan.number
        return f"{self.year} · {scope} · {self.get_source_display()}"

    @property
    def overspent(self) -> bool:
        """Whether more was spent than approved (flagged, not refused: spending may be settled later)."""
        return self.spent is not None and self.approved is not None and self.spent > self.approved

    @property
    def overspent_by(self):
        """How much more was spent than approved, in đồng (0 when within the approved amount)."""
        return self.spent - self.approved if self.overspent else 0

    def clean(self):
        if self.plan_id:
            _check_same_plan(self.plan_id, self.task)
            _check_year_in_plan(self.plan, self.year)
