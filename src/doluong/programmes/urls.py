"""Workflow routes of the programmes; included at ``programmes/`` with the namespace ``programmes_flow``."""

from django.urls import path

from doluong.programmes import views

app_name = "programmes_flow"

urlpatterns = [
    path("training/<int:pk>/attend/", views.training_attend, name="training_attend"),
    path("assurancecase/<int:pk>/advance/", views.case_advance_view, name="case_advance"),
]
