import django_filters
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from doluong.core.filters import BaseFilterSet
from doluong.instruments.models import Instrument, MeasurementStandard


class InstrumentFilterSet(BaseFilterSet):
    due = django_filters.ChoiceFilter(
        label=_("Verification"), method="filter_due",
        choices=(("overdue", _("Overdue")), ("30", _("Due within 30 days")), ("90", _("Due within 90 days")),
                 ("unknown", _("No valid verification on record"))),
    )

    class Meta:
        model = Instrument
        fields = ("kind__field", "kind", "status", "owner__ownership")

    def filter_due(self, queryset, name, value):
        today = timezone.localdate()
        if value == "overdue":
            return queryset.overdue(today)
        if value == "unknown":
            return queryset.filter(verification_due_on__isnull=True)
        return queryset.due_within(int(value), today)


class StandardFilterSet(BaseFilterSet):
    due = django_filters.ChoiceFilter(
        label=_("Calibration"), method="filter_due",
        choices=(("overdue", _("Overdue: not to be used")), ("30", _("Due within 30 days")),
                 ("90", _("Due within 90 days")), ("unknown", _("No calibration due date"))),
    )

    class Meta:
        model = MeasurementStandard
        fields = ("field", "level", "is_reference_material")

    def filter_due(self, queryset, name, value):
        today = timezone.localdate()
        if value == "overdue":
            return queryset.overdue(today)
        if value == "unknown":
            return queryset.filter(calibration_due_on__isnull=True)
        return queryset.due_within(int(value), today)
