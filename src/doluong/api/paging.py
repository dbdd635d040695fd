"""Pages of at most 250 objects, as the lists; a page or size that is not a number gives 400, never 500."""

from django.utils.translation import gettext as _
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import PageNumberPagination

MAX_PAGE_SIZE = 250  # the largest page of the web lists (core.views.PAGE_SIZES)


def _positive(request, name: str) -> int | None:
    raw = request.query_params.get(name)
    if raw is None or raw == "":
        return None
    if not raw.isdigit() or int(raw) < 1:
        raise ValidationError({name: [_("Enter a whole number of at least 1.")]})
    return int(raw)


class Paging(PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = MAX_PAGE_SIZE

    def get_page_size(self, request):
        size = _positive(request, self.page_size_query_param)
        if size is None:
            return self.page_size
        if size > self.max_page_size:
            raise ValidationError({self.page_size_query_param: [
                _("At most %(max)d objects per page.") % {"max": self.max_page_size}]})
        return size

    def paginate_queryset(self, queryset, request, view=None):
        self.request = request
        page_size = self.get_page_size(request)
        number = _positive(request, self.page_query_param) or 1
        paginator = self.django_paginator_class(queryset, page_size)
        if number > max(paginator.num_pages, 1):
            raise ValidationError({self.page_query_param: [
                _("There is no page %(page)d; the last page is %(last)d.") % {
                    "page": number, "last": max(paginator.num_pages, 1)}]})
        self.page = paginator.page(number)
        return list(self.page)

    def get_schema_operation_parameters(self, view):
        params = super().get_schema_operation_parameters(view)
        for p in params:
            p["schema"] = {**p["schema"], "minimum": 1}
            if p["name"] == self.page_size_query_param:
                p["schema"]["maximum"] = self.max_page_size
        return params
