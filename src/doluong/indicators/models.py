"""Indicators (definitions computed from records), targets by milestone, manual values with evidence."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from doluong.core.access import ALL
from doluong.core.models import BaseModel
from doluong.core.roles import Role
from doluong.geo.models import AdministrativeUnit


def computation_choices():
    from doluong.indicators.computations import REGISTRY

    return [(key, comp.label) for key, comp in REGISTRY.items()]


READ_ALL = {"view": {Role.LEADER: ALL, Role.AGENCY: ALL, Role.PROVIDER: ALL, Role.ENTERPRISE: ALL}}


class Indicator(BaseModel):
    """What is measured and how: ``computation`` names a function of :mod:`doluong.indicators.computations`.

    An indicator is never a typed number. Only when ``computation`` is ``manual`` — a figure that no
    record can give — does its value come from :class:`ManualValue` rows, each with evidence, and it is
    shown as manual.
    """

    code = models.CharField(_("code"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=300)
    unit = models.CharField(_("unit of count"), max_length=50)
    computation = models.CharField(_("computation"), max_length=50, choices=computation_choices)
    description = models.TextField(_("description"), blank=True)
    is_operational = models.BooleanField(
        _("operational"), default=False,
        help_text=_("Watched by officers without a plan target (e.g. instruments verified per year)."))
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    search_fields = ("code", "name")
    access = READ_ALL

    class Meta:
        ordering = ("order", "code")
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")

    def __str__(self) -> str:
        return f"{self.code} · {self.name}"

    def clean(self):
        from doluong.indicators.computations import REGISTRY

        if self.computation not in REGISTRY:
            raise ValidationError({"computation": _("Unknown computation %(c)s.") % {"c": self.computation}})

    @property
    def is_manual(self) -> bool:
        return self.computation == "manual"


class Target(BaseModel):
    """plan × indicator × milestone × value, with optional conditions.

    ``conditions`` (JSON): ``{"requires_ownership": ["state", "private"]}`` — the facts counted by the
    milestone must include at least one of each ownership kind.
    """

    plan = models.ForeignKey("plans.Plan", verbose_name=_("plan"), on_delete=models.CASCADE, related_name="targets")
    indicator = models.ForeignKey(Indicator, verbose_name=_("indicator"), on_delete=models.PROTECT,
                                  related_name="targets")
    milestone = models.DateField(_("milestone"))
    value = models.DecimalField(_("target value"), max_digits=14, decimal_places=2)
    conditions = models.JSONField(_("conditions"), default=dict, blank=True)
    label = models.CharField(_("label"), max_length=300, blank=True)

    search_fields = ("label",)
    province_unit = "plan__province"  # core.access: the province it belongs to
    access = READ_ALL

    class Meta:
        ordering = ("plan", "indicator__order", "milestone")
        constraints = [models.UniqueConstraint(fields=("plan", "indicator", "milestone"), name="target_unique")]
        verbose_name = _("target")
        verbose_name_plural = _("targets")

    def __str__(self) -> str:
        return f"{self.indicator.code} ≥ {self.value.normalize():f} ({self.milestone:%d/%m/%Y})"


class ManualValue(BaseModel):
    indicator = models.ForeignKey(Indicator, verbose_name=_("indicator"), on_delete=models.CASCADE,
                                  related_name="manual_values")
    as_of = models.DateField(_("as of"))
    value = models.DecimalField(_("value"), max_digits=14, decimal_places=2)
    unit = models.ForeignKey(AdministrativeUnit, verbose_name=_("administrative unit"), null=True, blank=True,
                             on_delete=models.PROTECT, related_name="+")
    evidence = models.TextField(_("evidence"), help_text=_("Where the figure comes from: document, number, date."))
    evidence_file = models.FileField(_("evidence file"), upload_to="indicator-evidence/%Y/", blank=True)
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("entered by"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")

    province_unit = "unit"  # core.access: the province it belongs to
    access = READ_ALL

    class Meta:
        ordering = ("indicator", "-as_of")
        verbose_name = _("manual value")
        verbose_name_plural = _("manual values")

    def __str__(self) -> str:
        return f"{self.indicator.code} = {self.value.normalize():f} ({self.as_of:%d/%m/%Y})"

    def clean(self):
        if self.indicator_id and not self.indicator.is_manual:
            raise ValidationError(_("This indicator is computed from records; it takes no manual value."))


# --- summary tables (indicators.summaries; docs/multi-province.md §5) ---------------------------------------

class FactSummary(models.Model):
    """How many facts of a computation happened in one month, in one unit, of one field and ownership.

    Derived data, rebuilt from the facts at any time (``doluong summaries --rebuild``): never edited, never
    shown as such, no history. The dashboards add these rows for the whole months of their period that are not
    dirty and count the facts themselves for the rest (:mod:`doluong.indicators.summaries`)."""

    computation = models.CharField(max_length=50)
    month = models.DateField()  # the first day of the month
    # Two grains of the same counts: "unit" rows by the fact's own unit (for a district or commune chosen, or an old
    # map's succession), "province" rows by that unit's province (a province or the whole country: few rows).
    grain = models.CharField(max_length=8, default="unit")
    unit_id = models.BigIntegerField(null=True)  # the fact's unit (AdministrativeUnit), no key: derived data
    province_id = models.BigIntegerField(null=True)  # the province of that unit, on the unit's own map
    field_id = models.BigIntegerField(null=True)  # the metrology field
    ownership = models.CharField(max_length=20, blank=True)
    n = models.PositiveIntegerField()

    class Meta:
        indexes = [models.Index(fields=("computation", "grain", "month"), name="fact_summary_month")]

    def __str__(self) -> str:
        return f"{self.computation} {self.month:%m/%Y} {self.grain} {self.unit_id or self.province_id}: {self.n}"


class SummaryDirty(models.Model):
    """A month whose summary rows may be out of date: a write touched a fact of it since they were computed.

    The write path marks it in the writing transaction (so a reader never trusts a stale row) and raises
    ``generation``; the refresh clears a mark only if its generation is still the one it read."""

    computation = models.CharField(max_length=50)
    month = models.DateField()
    generation = models.PositiveIntegerField(default=1)

    class Meta:
        constraints = [models.UniqueConstraint(fields=("computation", "month"), name="summary_dirty_unique")]

    def __str__(self) -> str:
        return f"{self.computation} {self.month:%m/%Y} (generation {self.generation})"


class SummaryState(models.Model):
    """That a computation's summary has been built once (until then the dashboards count the facts)."""

    computation = models.CharField(max_length=50, unique=True)
    built_at = models.DateTimeField()
    rows = models.PositiveIntegerField(default=0)
    seconds = models.FloatField(default=0)

    def __str__(self) -> str:
        return f"{self.computation} built {self.built_at:%d/%m/%Y %H:%M}"


class DueSpell(models.Model):
    """A stretch of days on which an instrument in use is counted by the overdue share, in one state: ``start`` to
    the day before ``end`` (open when ``end`` is empty), overdue or not. Derived from the instrument's passing,
    current verifications (performed, withdrawn, valid until), kept by the write path in the writing transaction
    (:func:`doluong.indicators.summaries.refresh_spells`): the overdue share on a past date is the count of spells
    around that date, served by the monthly sums of :class:`DueSummary` and these rows for the partial month."""

    instrument = models.ForeignKey("instruments.Instrument", on_delete=models.CASCADE, related_name="+")
    start = models.DateField()
    end = models.DateField(null=True)
    overdue = models.BooleanField()

    class Meta:
        indexes = [models.Index(fields=("start",), name="due_spell_start"),
                   models.Index(fields=("end",), name="due_spell_end")]

    def __str__(self) -> str:
        return f"{self.instrument_id}: {self.start:%d/%m/%Y}–{self.end or '…'} {'overdue' if self.overdue else 'valid'}"


class DueSummary(models.Model):
    """Per month, unit (or province), field and ownership: how many spells began in it minus how many ended in it,
    counted (every spell) and overdue (overdue spells). The sum over the months up to a date is the number of
    instruments counted, and overdue, on it."""

    month = models.DateField()
    grain = models.CharField(max_length=8, default="unit")
    unit_id = models.BigIntegerField(null=True)
    province_id = models.BigIntegerField(null=True)
    field_id = models.BigIntegerField(null=True)
    ownership = models.CharField(max_length=20, blank=True)
    counted = models.IntegerField(default=0)
    overdue = models.IntegerField(default=0)

    class Meta:
        indexes = [models.Index(fields=("grain", "month"), name="due_summary_month")]

    def __str__(self) -> str:
        place = self.unit_id or self.province_id
        return f"{self.month:%m/%Y} {self.grain} {place}: {self.counted:+d}/{self.overdue:+d}"
