"""URL patterns for every registered model, generated: six per model (list, add, lookup, detail, edit,
delete), under one namespace per app (``<app_label>/``)."""

from django.urls import include, path

from doluong.core import ui as registry
from doluong.core import views


def model_patterns(ui: registry.ModelUI) -> list:
    name = ui.model_name
    kw = {"ui": ui}
    return [
        path(f"{name}/", views.ListView.as_view(**kw), name=f"{name}_list"),
        path(f"{name}/add/", views.EditView.as_view(**kw), name=f"{name}_add"),
        path(f"{name}/lookup/", views.LookupView.as_view(**kw), name=f"{name}_lookup"),
        path(f"{name}/<int:pk>/", views.DetailView.as_view(**kw), name=name),
        path(f"{name}/<int:pk>/edit/", views.EditView.as_view(**kw), name=f"{name}_edit"),
        path(f"{name}/<int:pk>/delete/", views.DeleteView.as_view(**kw), name=f"{name}_delete"),
    ]


def registry_urlpatterns() -> list:
    by_app: dict[str, list] = {}
    for ui in registry.all_registered():
        by_app.setdefault(ui.app_label, []).extend(model_patterns(ui))
    return [path(f"{app}/", include((patterns, app), namespace=app)) for app, patterns in by_app.items()]
