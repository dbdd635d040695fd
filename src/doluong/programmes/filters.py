import django_filters
from django.utils.translation import gettext_lazy as _

from doluong.core.filters import BaseFilterSet, year_filter
from doluong.programmes.models import (
    AssuranceCase,
    Attendance,
    CapacitySupport,
    CriteriaAssessment,
    OutreachEvent,
    PrivateProvision,
    SupportDelivery,
    Training,
)


class AssuranceCaseFilterSet(BaseFilterSet):
    class Meta:
        model = AssuranceCase
        fields = ("year", "stage", "enterprise__ownership", "enterprise__sector")


class SupportDeliveryFilterSet(BaseFilterSet):
    year = year_filter("delivered_on")

    class Meta:
        model = SupportDelivery
        fields = ("kind", "case__enterprise__ownership", "case__stage")


class TrainingFilterSet(BaseFilterSet):
    year = year_filter("starts_on")

    class Meta:
        model = Training
        fields = ("on_enterprise_demand",)


class AttendanceFilterSet(BaseFilterSet):
    year = year_filter("training__starts_on")

    class Meta:
        model = Attendance
        fields = ("role", "organization__kind")


class PrivateProvisionFilterSet(BaseFilterSet):
    year = year_filter("available_from")

    class Meta:
        model = PrivateProvision
        fields = ("field", "item_type", "provider__ownership")


class CriteriaAssessmentFilterSet(BaseFilterSet):
    year = year_filter("assessed_on")

    class Meta:
        model = CriteriaAssessment
        fields = ("result", "criteria_set")


class CapacitySupportFilterSet(BaseFilterSet):
    completed = django_filters.BooleanFilter(field_name="completed_on", lookup_expr="isnull", exclude=True,
                                             label=_("Completed"))

    class Meta:
        model = CapacitySupport
        fields = ("kind",)


class OutreachEventFilterSet(BaseFilterSet):
    year = year_filter("held_on")

    class Meta:
        model = OutreachEvent
        fields = ("kind",)
