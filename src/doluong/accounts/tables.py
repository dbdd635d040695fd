"""The sign-in log's filters and table (officers only: views.signin_log)."""

import django_filters
import django_tables2 as tables
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from doluong.accounts.models import Outcome, SignInEvent
from doluong.core.ui import ShortDateTimeColumn

PER_PAGE = 50


class SignInEventFilter(django_filters.FilterSet):
    username = django_filters.CharFilter(label=_("User name"), method="by_user",
                                         widget=forms.TextInput(attrs={"class": "form-control"}))
    outcome = django_filters.ChoiceFilter(label=_("Outcome"), choices=Outcome.choices,
                                          empty_label="—", widget=forms.Select(attrs={"class": "form-select"}))
    since = django_filters.DateFilter(label=_("From"), field_name="time", lookup_expr="date__gte",
                                      widget=forms.DateInput(attrs={"type": "date", "class": "form-control"}))
    until = django_filters.DateFilter(label=_("To"), field_name="time", lookup_expr="date__lte",
                                      widget=forms.DateInput(attrs={"type": "date", "class": "form-control"}))

    class Meta:
        model = SignInEvent
        fields = ("username", "outcome", "since", "until")

    def by_user(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(Q(username__iexact=value) | Q(user__username__iexact=value))


class SignInEventTable(tables.Table):
    time = ShortDateTimeColumn()
    username = tables.Column(verbose_name=_("User name"))
    outcome = tables.Column()
    detail = tables.Column(orderable=False)
    ip_address = tables.Column()
    user_agent = tables.Column(orderable=False, attrs={"td": {"class": "small text-muted text-truncate"}})

    class Meta:
        model = SignInEvent
        fields = ("time", "username", "outcome", "detail", "ip_address", "user_agent")
        attrs = {"class": "table table-sm table-hover align-middle"}
        order_by = ("-time",)
