import django_filters
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from doluong.core.access import restrict
from doluong.core.filters import BaseFilterSet
from doluong.orgs.models import Organization
from doluong.plans.models import ProgressReport


class ProgressReportFilterSet(BaseFilterSet):
    late = django_filters.ChoiceFilter(
        label=_("Deadline"), method="filter_late",
        choices=(("late", _("Late")), ("awaited", _("Awaited (not yet submitted)"))),
    )
    agency = django_filters.ModelChoiceFilter(label=_("Reporting agency"), queryset=Organization.objects.none())

    class Meta:
        model = ProgressReport
        fields = ("year", "period", "status", "agency", "task__plan")

    def __init__(self, *args, request=None, **kwargs):
        super().__init__(*args, request=request, **kwargs)
        # Only agencies whose reports the user may see, so the choice itself reveals nothing.
        reports = restrict(ProgressReport.objects.all(), getattr(request, "user", None), "view")
        self.filters["agency"].queryset = Organization.objects.filter(
            pk__in=reports.order_by().values("agency")).order_by("name")

    def filter_late(self, queryset, name, value):
        if value == "late":
            return queryset.late(timezone.localdate())
        return queryset.awaited()
