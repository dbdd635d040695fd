import django_filters
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from doluong.core.filters import BaseFilterSet, year_filter
from doluong.inspections.models import Finding, Inspection, InstrumentCheck, LotCheck


class InspectionFilterSet(BaseFilterSet):
    year = year_filter("started_on")

    class Meta:
        model = Inspection
        fields = ("kind", "status", "covers_instruments", "covers_prepackages", "covers_providers")


class InstrumentCheckFilterSet(BaseFilterSet):
    year = year_filter("inspection__started_on")

    class Meta:
        model = InstrumentCheck
        fields = ("result", "has_valid_verification", "stamp_intact", "instrument__kind__field")


class LotCheckFilterSet(BaseFilterSet):
    year = year_filter("inspection__started_on")

    class Meta:
        model = LotCheck
        fields = ("outcome", "unit", "scheme")


class FindingFilterSet(BaseFilterSet):
    year = year_filter("inspection__started_on")
    overdue = django_filters.BooleanFilter(method="filter_overdue", label=_("Overdue follow-up"))

    class Meta:
        model = Finding
        fields = ("status", "violation")

    def filter_overdue(self, queryset, name, value):
        if value is None:
            return queryset
        overdue = queryset.overdue(timezone.localdate())
        return overdue if value else queryset.exclude(pk__in=overdue.values("pk"))
