"""Notifications and the service-request workflow; include with ``path("notices/", include("doluong.notices.urls"))``
(namespace notices_flow). The registry pages of service requests are generated under ``/notices/servicerequest/``."""

from django.urls import path

from doluong.notices import views

app_name = "notices_flow"

urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("<int:pk>/read/", views.mark_read, name="read"),
    path("read-all/", views.mark_all_read, name="read_all"),
    path("request/new/", views.request_new, name="request_new"),
    path("request/<int:pk>/answer/", views.request_answer, name="request_answer"),
]
