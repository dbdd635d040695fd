"""A plan's documents: what the officer writes (the prose, the number, the signer) and each generation of it.

A :class:`PlanDocument` is the document as the officer edits it: its kind and period, the number line, the
place and date line, the prose sections (difficulties, proposals, an assessment) and the signature block. It
holds no figure: every figure comes from the indicators when it is generated. Each generation is kept as a
:class:`GeneratedDocument` with its files, the date its figures are as of, who generated it and when, and the
figures themselves (so a document stays what it was even after later records change the indicators).
"""

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from doluong.core.access import ALL
from doluong.core.models import BaseModel
from doluong.core.roles import Role
from doluong.plans.models import Plan, PlanPhase

READERS = {Role.LEADER: ALL}


class DocumentKind(models.TextChoices):
    ANNUAL = "annual", _("Yearly report")
    PHASE_REVIEW = "phase_review", _("Phase review (sơ kết)")
    FINAL_REVIEW = "final_review", _("Final review (tổng kết)")
    BUDGET = "budget", _("Budget estimate")
    WORKPLAN = "workplan", _("Annual workplan")


# Number line symbols (Decree 30/2020, appendix III): report, official letter, plan.
NUMBER_SYMBOL = {DocumentKind.ANNUAL: "BC", DocumentKind.PHASE_REVIEW: "BC", DocumentKind.FINAL_REVIEW: "BC",
                 DocumentKind.BUDGET: "SKHCN-KHTC", DocumentKind.WORKPLAN: "KH"}
REPORT_KINDS = (DocumentKind.ANNUAL, DocumentKind.PHASE_REVIEW, DocumentKind.FINAL_REVIEW)
YEAR_KINDS = (DocumentKind.ANNUAL, DocumentKind.BUDGET, DocumentKind.WORKPLAN)


class PlanDocument(BaseModel):
    """A document of a plan as the officer writes it; generated into Word/PDF/XLSX as often as needed."""

    plan = models.ForeignKey(Plan, verbose_name=_("plan"), on_delete=models.CASCADE, related_name="documents")
    kind = models.CharField(_("kind"), max_length=20, choices=DocumentKind.choices)
    year = models.PositiveSmallIntegerField(_("year"), null=True, blank=True,
                                            validators=[MinValueValidator(2000), MaxValueValidator(2100)],
                                            help_text=_("For a yearly report, a budget estimate or a workplan."))
    phase = models.ForeignKey(PlanPhase, verbose_name=_("phase"), null=True, blank=True, on_delete=models.PROTECT,
                              related_name="documents", help_text=_("For a phase review (sơ kết)."))
    number = models.CharField(_("number"), max_length=60, blank=True,
                              help_text=_("e.g. 125/BC-SKHCN; empty leaves the number line for the clerk to fill."))
    authority = models.CharField(_("governing body"), max_length=200, blank=True,
                                 help_text=_("Upper line of the heading, e.g. UBND TỈNH LÀO CAI."))
    issuing_body = models.CharField(_("issuing body"), max_length=200, blank=True,
                                    help_text=_("e.g. SỞ KHOA HỌC VÀ CÔNG NGHỆ."))
    place = models.CharField(_("place"), max_length=100, blank=True, help_text=_("Place of the date line."))
    dated = models.DateField(_("document date"), default=timezone.localdate)
    figures_as_of = models.DateField(_("figures as of"), null=True, blank=True,
                                     help_text=_("Empty: the end of the period, or the document date if earlier."))
    addressee = models.CharField(_("addressed to"), max_length=300, blank=True)
    assessment = models.TextField(_("general assessment"), blank=True)
    difficulties = models.TextField(_("difficulties"), blank=True,
                                    help_text=_("One paragraph per line. The agencies' reported difficulties are "
                                                "offered on the document's page as a starting point."))
    proposals = models.TextField(_("proposals"), blank=True, help_text=_("One paragraph per line."))
    recipients = models.TextField(_("recipients"), blank=True, help_text=_("One recipient per line (Nơi nhận)."))
    signer_title = models.CharField(_("signer's title"), max_length=200, blank=True,
                                    help_text=_("One line per row, e.g. “K.T. GIÁM ĐỐC” then “PHÓ GIÁM ĐỐC”; "
                                                "separate rows with “/”."))
    signer_name = models.CharField(_("signer's name"), max_length=200, blank=True)

    search_fields = ("number", "assessment", "difficulties", "proposals")
    province_unit = "plan__province"  # core.access: the province it belongs to
    access = {"view": READERS}

    class Meta:
        ordering = ("-dated", "-pk")
        verbose_name = _("plan document")
        verbose_name_plural = _("plan documents")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.period_label} · {self.plan.number}" if self.plan_id else str(
            self.get_kind_display())

    @property
    def period_label(self) -> str:
        start, end = self.period
        return str(start.year) if start.year == end.year else f"{start.year}–{end.year}"

    @property
    def period(self) -> tuple[dt.date, dt.date]:
        """First and last day the document covers."""
        plan = self.plan
        if self.kind in YEAR_KINDS and self.year:
            return dt.date(self.year, 1, 1), dt.date(self.year, 12, 31)
        if self.kind == DocumentKind.PHASE_REVIEW and self.phase_id:
            return dt.date(self.phase.start_year, 1, 1), dt.date(self.phase.end_year, 12, 31)
        return dt.date(plan.start_year, 1, 1), dt.date(plan.end_year, 12, 31)

    def default_as_of(self) -> dt.date:
        end = self.period[1]
        return self.figures_as_of or min(end, self.dated or timezone.localdate())

    def clean(self):
        errors = {}
        if self.kind in YEAR_KINDS and not self.year:
            errors["year"] = _("This kind of document is for one year: give the year.")
        if self.kind == DocumentKind.PHASE_REVIEW and not self.phase_id:
            errors["phase"] = _("A phase review is for one phase: choose the phase.")
        if self.plan_id and self.year and not (self.plan.start_year <= self.year <= self.plan.end_year + 1):
            errors["year"] = _("The plan runs from %(start)s to %(end)s.") % {
                "start": self.plan.start_year, "end": self.plan.end_year}
        if self.plan_id and self.phase_id and self.phase.plan_id != self.plan_id:
            errors["phase"] = _("This phase belongs to another plan.")
        if errors:
            raise ValidationError(errors)


class GenerationStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


def _upload(instance, filename: str) -> str:
    return f"documents/{instance.document.plan_id}/{filename}"


class GeneratedDocument(BaseModel):
    """One generation of a document: its files, the figures in it and the date they are as of."""

    document = models.ForeignKey(PlanDocument, verbose_name=_("document"), on_delete=models.CASCADE,
                                 related_name="generations")
    figures_as_of = models.DateField(_("figures as of"))
    status = models.CharField(_("status"), max_length=10, choices=GenerationStatus.choices,
                              default=GenerationStatus.QUEUED)
    error = models.TextField(_("error"), blank=True)
    generated_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("generated by"), null=True,
                                     blank=True, on_delete=models.SET_NULL, related_name="+")
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    seconds = models.FloatField(_("time taken (s)"), null=True, blank=True)
    docx = models.FileField(_("Word file"), upload_to=_upload, max_length=255, blank=True)
    pdf = models.FileField(_("PDF file"), upload_to=_upload, max_length=255, blank=True)
    xlsx = models.FileField(_("Excel file"), upload_to=_upload, max_length=255, blank=True)
    letter_docx = models.FileField(_("covering letter (Word)"), upload_to=_upload, max_length=255, blank=True)
    figures = models.JSONField(_("figures"), default=dict, blank=True)

    province_unit = "document__plan__province"  # core.access: the province it belongs to
    access = {"view": {Role.LEADER: ALL}}
    # Written only by the generation service (reports.services), never by a form.
    workflow_fields = ("status", "error", "finished_at", "seconds", "docx", "pdf", "xlsx", "letter_docx", "figures")

    class Meta:
        ordering = ("-created", "-pk")
        verbose_name = _("generated document")
        verbose_name_plural = _("generated documents")

    def __str__(self) -> str:
        return f"{self.document} · {self.created:%d/%m/%Y %H:%M}" if self.created else str(self.document)

    def files(self) -> list[tuple]:
        """(key, label, file) of the files this generation produced."""
        out = []
        for key in ("docx", "letter_docx", "pdf", "xlsx"):
            f = getattr(self, key)
            if f:
                out.append((key, self._meta.get_field(key).verbose_name, f))
        return out
