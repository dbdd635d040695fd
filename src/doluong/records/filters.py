import django_filters
from django.utils.translation import gettext_lazy as _

from doluong.core.filters import BaseFilterSet
from doluong.records.models import ServiceRecord

FILTER_FIELDS = ("activity", "result", "instrument__kind__field", "source")


class RecordFilterSet(BaseFilterSet):
    review = django_filters.ChoiceFilter(
        label=_("Review"), method="filter_review",
        choices=(("flagged", _("Needs review (would now be refused)")),
                 ("withdrawn", _("Withdrawn certificates")), ("superseded", _("Superseded certificates"))))
    standards = django_filters.NumberFilter(field_name="standards", label=_("Standard used (id)"), min_value=1,
                                           max_value=2**31 - 1, decimal_places=0)

    class Meta:
        model = ServiceRecord
        fields = FILTER_FIELDS

    def filter_review(self, queryset, name, value):
        from doluong.records.flags import flagged_q

        if value == "flagged":
            return queryset.filter(flagged_q())
        if value == "withdrawn":
            return queryset.filter(withdrawn_on__isnull=False)
        return queryset.filter(superseded_by__isnull=False)
