"""Import and export pages, mounted at ``imports/`` (namespace ``imports``)."""

from django.urls import path

from doluong.imports import views

app_name = "imports"
urlpatterns = [
    path("", views.batch_list, name="batch_list"),
    path("batch/<int:pk>/", views.batch_detail, name="batch"),
    path("batch/<int:pk>/progress/", views.progress, name="progress"),
    path("batch/<int:pk>/confirm/", views.confirm, name="confirm"),
    path("batch/<int:pk>/revert/", views.revert, name="revert"),
    path("batch/<int:pk>/rejected.xlsx", views.rejected_rows, name="rejected_rows"),
    path("<slug:kind>/upload/", views.upload, name="upload"),
    path("<slug:kind>/template.xlsx", views.template, name="template"),
    path("<slug:kind>/export/", views.export_view, name="export"),
]
