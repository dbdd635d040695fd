import django_filters
from django.db import models
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
        for f in self.filters.values():
            qs = getattr(f, "queryset", None)
            if isinstance(qs, models.QuerySet) and hasattr(qs, "restrict"):
                f.queryset = restrict(qs, user, "view")
