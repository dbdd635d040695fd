import django_filters
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _


class BaseFilterSet(django_filters.FilterSet):
    """Adds the accent-insensitive ``q`` search to every list."""

    q = django_filters.CharFilter(method="search", label=_("Search"))

    def search(self, queryset, name, value):
        return queryset.search(value)

    def __init__(self, *args, request=None, **kwargs):
        super().__init__(*args, request=request, **kwargs)
        from doluong.core.access import restrict

        user = getattr(request, "user", None)
        model = self._meta.model
        for name, f in self.filters.items():
            if "__" in name and model is not None and name == getattr(f, "field_name", None):
                f.label = capfirst(label_for_path(model, name))
        for f in self.filters.values():
            qs = getattr(f, "queryset", None)
            if isinstance(qs, models.QuerySet) and hasattr(qs, "restrict"):
                f.queryset = restrict(qs, user, "view")


def label_for_path(model, path: str):
    """The verbose name of the last field of a lookup path ("kind__field" → "metrology field")."""
    parts = path.split("__")
    for i, part in enumerate(parts):
        try:
            f = model._meta.get_field(part)
        except FieldDoesNotExist:
            return path
        if i < len(parts) - 1 and f.related_model is not None:
            model = f.related_model
    return f.verbose_name


def year_filter(field_name: str) -> django_filters.NumberFilter:
    """A "Year" filter on a date field (``?year=2024``); a year outside 1900–2100 is a form error, not a query."""
    return django_filters.NumberFilter(field_name=field_name, lookup_expr="year", label=_("Year"), min_value=1900,
                                       max_value=2100, decimal_places=0)
