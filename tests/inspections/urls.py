"""The project's URLs plus the inspections workflow routes, for tests run before they are wired in."""

from django.urls import include, path

from doluong.urls import urlpatterns as project_urls

installed = any(getattr(p, "namespace", None) == "inspections_flow" for p in project_urls)
urlpatterns = project_urls if installed else [
    *project_urls, path("inspections/", include("doluong.inspections.urls")),
]
