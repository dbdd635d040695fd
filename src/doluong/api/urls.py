"""``/api/``: one route set per registry model (``/api/<app>/<model>/``), indicators, schema, docs, tokens.
Namespace ``api``; see docs/api.md."""

from django.urls import include, path
from rest_framework.routers import SimpleRouter

from doluong.api import (
    schema,  # noqa: F401  (registers the token scheme with drf-spectacular)
    views,
)
from doluong.api.registry import all_apis

app_name = "api"

router = SimpleRouter()
for api in all_apis():
    router.register(api.prefix, api.viewset, basename=api.basename)

urlpatterns = [
    path("", views.IndexView.as_view(), name="index"),
    path("schema/", views.SchemaView.as_view(), name="schema"),
    path("docs/", views.SwaggerView.as_view(), name="docs"),
    path("redoc/", views.RedocView.as_view(), name="redoc"),
    path("tokens/", views.tokens, name="tokens"),
    path("tokens/<int:pk>/revoke/", views.revoke_token, name="token_revoke"),
    path("indicator-values/", views.IndicatorValuesView.as_view(), name="indicator-values"),
    path("", include(router.urls)),
]
