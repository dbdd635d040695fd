"""Workflow routes of inspections; included at ``inspections/`` with the namespace ``inspections_flow``."""

from django.urls import path

from doluong.inspections import views

app_name = "inspections_flow"

urlpatterns = [
    path("inspection/<int:pk>/add/<str:what>/", views.ChildFormView.as_view(), name="child_add"),
    path("lotcheck/<int:obj_pk>/sample/", views.ChildFormView.as_view(), name="lotcheck_edit"),
    path("inspection/<int:pk>/close/", views.inspection_close_view, name="inspection_close"),
    path("statistics/", views.statistics, name="statistics"),
]
