from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.views.i18n import JavaScriptCatalog

from doluong.accounts import views as accounts_views
from doluong.core.urls import registry_urlpatterns
from doluong.ops import views as ops_views
from doluong.web import views

urlpatterns = [
    path("", views.home, name="home"),
    path("search/", views.search, name="search"),
    path("check/", views.certificate_check, name="certificate_check"),
    path("accounts/login/", accounts_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/", include("doluong.accounts.urls")),  # two-step sign-in, password, sign-in log; namespace accounts
    path("healthz", ops_views.healthz, name="healthz"),  # database and worker liveness (doluong.ops)
    path("i18n/", include("django.conf.urls.i18n")),
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
    path("plans/", include("doluong.plans.urls")),  # workflow routes, namespace plans_flow
    path("programmes/", include("doluong.programmes.urls")),  # namespace programmes_flow
    path("inspections/", include("doluong.inspections.urls")),  # namespace inspections_flow
    path("tools/", include("doluong.calculators.urls")),  # namespace calculators
    path("records/", include("doluong.records.urls")),  # certificate, dcc.xml, dcc/import; namespace records_flow
    path("", include("doluong.indicators.urls")),  # dashboard and drill-downs, namespace indicators_flow
    path("imports/", include("doluong.imports.urls")),  # upload, preview, batches, export; namespace imports
    path("notices/", include("doluong.notices.urls")),  # notifications, service requests; namespace notices_flow
    path("documents/", include("doluong.reports.urls")),  # generate, progress, download; namespace reports_flow
    path("api/", include("doluong.api.urls")),  # REST API, schema and docs (docs/api.md); namespace api
    *registry_urlpatterns(),
]
