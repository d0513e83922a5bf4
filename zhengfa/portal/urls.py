from django.urls import path

from . import views

app_name = "portal"

urlpatterns = [
    path("", views.home, name="home"),
    path("large-type/", views.large_type, name="large_type"),
    path("healthz", views.healthz, name="healthz"),
    path("query/", views.query, name="query"),
    path("query/record/", views.query_record, name="query_record"),
    path("query/record/add/", views.query_supplement, name="query_supplement"),
    path("query/record/rate/", views.query_rate, name="query_rate"),
    path("query/record/step/<slug:name>/", views.query_step, name="query_step"),
    path("query/close/", views.query_close, name="query_close"),
    path("query/record/file/<int:pk>/", views.query_file, name="query_file"),
]
