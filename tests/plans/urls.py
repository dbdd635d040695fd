"""The project's URLs plus the plans workflow routes, until doluong/urls.py includes them."""

from django.urls import include, path

from doluong.urls import urlpatterns as project_patterns

urlpatterns = list(project_patterns)
if not any(getattr(p, "namespace", None) == "plans_flow" for p in project_patterns):
    urlpatterns.append(path("plans/", include("doluong.plans.urls")))
