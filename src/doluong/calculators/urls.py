"""Calculator pages, mounted by the project at ``tools/`` (namespace ``calculators``)."""

from django.urls import path

from doluong.calculators import views

app_name = "calculators"
urlpatterns = [
    path("", views.index, name="index"),
    *[path(f"{kind}/", views.calculator_view(kind), name=kind) for kind in views.CALCULATORS],
]
