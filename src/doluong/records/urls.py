"""Routes beside the generated registry pages: certificate, DCC download and DCC upload.

Mounted by the project at ``records/`` (namespace ``records_flow``), next to the registry routes.
"""

from django.urls import path

from doluong.records import views

app_name = "records_flow"
urlpatterns = [
    path("servicerecord/<int:pk>/certificate/", views.certificate, name="certificate"),
    path("servicerecord/<int:pk>/certificate.pdf", views.certificate_pdf, name="certificate_pdf"),
    path("servicerecord/<int:pk>/withdraw/", views.withdraw, name="withdraw"),
    path("servicerecord/<int:pk>/correct/", views.correct, name="correct"),
    path("servicerecord/<int:pk>/dcc.xml", views.dcc_export, name="dcc_export"),
    path("dcc/import/", views.dcc_import, name="dcc_import"),
    path("standard/<int:pk>/recall/", views.recall, name="recall"),
    path("servicerecord/<int:pk>/attachments/", views.attachment_upload, name="attachment_upload"),
    path("attachment/<int:pk>/", views.attachment_download, name="attachment_download"),
    path("attachment/<int:pk>/delete/", views.attachment_delete, name="attachment_delete"),
]
