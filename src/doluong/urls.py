from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.views.i18n import JavaScriptCatalog

from doluong.core.urls import registry_urlpatterns
from doluong.web import views

urlpatterns = [
    path("", views.home, name="home"),
    path("search/", views.search, name="search"),
    path("check/", views.certificate_check, name="certificate_check"),
    path("accounts/login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
    path("plans/", include("doluong.plans.urls")),  # workflow routes, namespace plans_flow
    path("programmes/", include("doluong.programmes.urls")),  # namespace programmes_flow
    path("inspections/", include("doluong.inspections.urls")),  # namespace inspections_flow
    path("tools/", include("doluong.calculators.urls")),  # namespace calculators
    path("records/", include("doluong.records.urls")),  # certificate, dcc.xml, dcc/import; namespace records_flow
    path("", include("doluong.indicators.urls")),  # dashboard and drill-downs, namespace indicators_flow
    path("imports/", include("doluong.imports.urls")),  # upload, preview, batches, export; namespace imports
    *registry_urlpatterns(),
]
