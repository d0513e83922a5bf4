from django.urls import path

from . import views

app_name = "study"

urlpatterns = [
    path("", views.my_study, name="my_study"),
    path("activities/", views.activity_list, name="activity_list"),
    path("activities/new/", views.activity_create, name="activity_create"),
    path("activities/<int:pk>/", views.activity_detail, name="activity_detail"),
    path("activities/<int:pk>/edit/", views.activity_edit, name="activity_edit"),
    path("activities/<int:pk>/cancel/", views.activity_cancel, name="activity_cancel"),
    path("activities/<int:pk>/qr/", views.activity_qr, name="activity_qr"),
    path("activities/<int:pk>/qr/code/", views.activity_qr_code, name="activity_qr_code"),
    path("activities/<int:pk>/attendance/", views.attendance, name="attendance"),
    path("activities/<int:pk>/leave/", views.record_leave, name="record_leave"),
    path("activities/<int:pk>/note/", views.note, name="note"),
    path("activities/<int:pk>/speech/", views.speech, name="speech"),
    path("activities/<int:pk>/photos/", views.photos, name="photos"),
    path("activities/<int:pk>/minutes/", views.minutes, name="minutes"),
    path("checkin/<int:pk>/<str:token>/", views.checkin, name="checkin"),
    path("materials/", views.material_list, name="material_list"),
    path("materials/new/", views.material_create, name="material_create"),
    path("materials/distributions/", views.distribution_list, name="distribution_list"),
    path(
        "materials/distributions/<int:pk>/confirm/",
        views.distribution_confirm,
        name="distribution_confirm",
    ),
    path("materials/<int:pk>/", views.material_detail, name="material_detail"),
    path("materials/<int:pk>/distribute/", views.material_distribute, name="material_distribute"),
    path("materials/<int:pk>/studied/", views.material_studied, name="material_studied"),
    path("talks/", views.topic_list, name="topic_list"),
    path("talks/new/", views.topic_create, name="topic_create"),
    path("talks/<int:pk>/", views.topic_detail, name="topic_detail"),
    path("talks/<int:pk>/reflect/", views.reflection_submit, name="reflection_submit"),
    path("reflections/<int:pk>/", views.reflection_detail, name="reflection_detail"),
    path("records/", views.records, name="records"),
    path("records/export.xlsx", views.records_export, name="records_export"),
    path("records/officers/<int:pk>/", views.officer_record, name="officer_record"),
]
