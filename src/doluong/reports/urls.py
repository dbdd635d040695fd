"""Generating and downloading a plan's documents. Mounted at ``documents/`` (namespace ``reports_flow``)."""

from django.urls import path

from doluong.reports import views

app_name = "reports_flow"
urlpatterns = [
    path("<int:pk>/generate/", views.generate, name="generate"),
    path("<int:pk>/suggest/", views.suggest, name="suggest"),
    path("generation/<int:pk>/", views.generation, name="generation"),
    path("generation/<int:pk>/<str:field>/", views.download, name="download"),
    path("plan/<int:plan_pk>/new/<str:kind>/", views.new_document, name="new"),
    path("plan/<int:plan_pk>/workbook.xlsx", views.plan_export, name="plan_export"),
    path("plan/import/", views.plan_import, name="plan_import"),
]
