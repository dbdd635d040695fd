"""The project's URLs plus the two lines these features ask for, until src/doluong/urls.py has them."""

from django.urls import include, path

from doluong import urls as root

_namespaces = {getattr(p, "namespace", None) for p in root.urlpatterns}
urlpatterns = [
    *([path("tools/", include("doluong.calculators.urls"))] if "calculators" not in _namespaces else []),
    *([path("records/", include("doluong.records.urls"))] if "records_flow" not in _namespaces else []),
    *root.urlpatterns,
]
