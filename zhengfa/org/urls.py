from django.urls import path

from . import views

app_name = "org"

urlpatterns = [
    path("units/", views.unit_tree, name="unit_tree"),
    path("units/new/", views.unit_create, name="unit_create"),
    path("units/<int:pk>/", views.unit_detail, name="unit_detail"),
    path("units/<int:pk>/edit/", views.unit_edit, name="unit_edit"),
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
    path("accounts/", views.account_list, name="account_list"),
    path("accounts/<int:pk>/", views.account_detail, name="account_detail"),
    path("accounts/<int:pk>/password/", views.account_password, name="account_password"),
    path("accounts/<int:pk>/active/", views.account_active, name="account_active"),
    path(
        "accounts/<int:pk>/second-factor/reset/",
        views.account_reset_second_factor,
        name="account_reset_second_factor",
    ),
    path("accounts/<int:pk>/unlock/", views.account_unlock, name="account_unlock"),
    path("accounts/<int:pk>/roles/", views.role_grant, name="role_grant"),
    path("accounts/<int:pk>/roles/<int:role_pk>/revoke/", views.role_revoke, name="role_revoke"),
]
