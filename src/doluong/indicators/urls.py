from django.urls import path

from doluong.indicators import views

app_name = "indicators_flow"
urlpatterns = [
    path("dashboard/", views.dashboard, name="dashboard"),
    path("dashboard/national/", views.national, name="national"),
    path("indicators/<str:code>/facts/", views.facts, name="facts"),
]
