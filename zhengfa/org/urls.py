from django.urls import path

from . import views

app_name = "org"

urlpatterns = [
    path("units/", views.unit_tree, name="unit_tree"),
    path("units/<int:pk>/", views.unit_detail, name="unit_detail"),
    path("officers/", views.officer_list, name="officer_list"),
    path("officers/export.xlsx", views.officer_export, name="officer_export"),
    path("officers/new/", views.officer_create, name="officer_create"),
    path("officers/import/", views.officer_import, name="officer_import"),
    path(
        "officers/import/template.xlsx",
        views.officer_import_template,
        name="officer_import_template",
    ),
    path("officers/<int:pk>/", views.officer_detail, name="officer_detail"),
    path("officers/<int:pk>/edit/", views.officer_edit, name="officer_edit"),
]
