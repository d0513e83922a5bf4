from django.urls import path

from . import views

app_name = "portal"

urlpatterns = [
    path("", views.home, name="home"),
    path("large-type/", views.large_type, name="large_type"),
    path("healthz", views.healthz, name="healthz"),
]
