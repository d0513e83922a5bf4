from django.urls import path

from . import views

app_name = "supervision"

urlpatterns = [
    # The public's side.
    path("report/", views.report_new, name="report_new"),
    path("report/received/", views.report_done, name="report_done"),
    path("press/", views.conference_public_list, name="conference_public_list"),
    path("press/<int:pk>/", views.conference_public, name="conference_public"),
    path("press/question-received/", views.question_done, name="question_done"),
    # Supervision staff, the verifying units and the committee.
    path("staff/supervision/", views.report_list, name="report_list"),
    path("staff/supervision/figures/", views.figures, name="figures"),
    path("staff/supervision/<int:pk>/", views.report_detail, name="report_detail"),
    path("staff/supervision/<int:pk>/assign/", views.report_assign, name="report_assign"),
    path("staff/supervision/<int:pk>/conclude/", views.report_conclude, name="report_conclude"),
    path("staff/supervision/<int:pk>/feedback/", views.report_feedback, name="report_feedback"),
    path("staff/supervision/<int:pk>/merge/", views.report_merge, name="report_merge"),
    path("staff/supervision/<int:pk>/verification/", views.report_note, name="report_note"),
    path(
        "staff/supervision/<int:pk>/<slug:name>/",
        views.report_transition,
        name="report_transition",
    ),
    path("staff/supervision/from-opinion/<int:pk>/", views.from_opinion, name="from_opinion"),
    path("staff/press/", views.conference_list, name="conference_list"),
    path("staff/press/new/", views.conference_edit, name="conference_create"),
    path("staff/press/<int:pk>/", views.conference_detail, name="conference_detail"),
    path("staff/press/<int:pk>/edit/", views.conference_edit, name="conference_edit"),
    path(
        "staff/press/questions/<int:pk>/<slug:name>/",
        views.question_transition,
        name="question_transition",
    ),
]
