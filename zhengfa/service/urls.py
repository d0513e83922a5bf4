from django.urls import path

from . import views

app_name = "service"

urlpatterns = [
    # The public
    path("village-officer/", views.find, name="find"),
    path("village-officer/<int:pk>/", views.place, name="place"),
    path("village-officer/<int:pk>/card/", views.card, name="card"),
    path("village-officer/<int:pk>/group-code/", views.group_code, name="group_code"),
    path("village-officer/<int:pk>/photo/", views.officer_photo, name="officer_photo"),
    path("appointments/", views.book_start, name="book_start"),
    path("appointments/<int:pk>/", views.book, name="book"),
    path("appointments/done/", views.book_done, name="book_done"),
    path("home-visit/", views.visit_apply, name="visit_apply"),
    path("home-visit/done/", views.visit_apply_done, name="visit_apply_done"),
    path("commitments/", views.measures_public, name="measures_public"),
    path("commitments/<int:pk>/", views.measure_public, name="measure_public"),
    path("commitments/photo/<int:pk>/", views.measure_photo, name="measure_photo"),
    # Staff
    path("staff/service/villages/", views.coverage, name="coverage"),
    path("staff/service/villages/<int:pk>/assign/", views.assign, name="assign"),
    path("staff/service/villages/<int:pk>/group/", views.group_edit, name="group_edit"),
    path("staff/service/villages/<int:pk>/officer/", views.post_edit, name="post_edit"),
    path("staff/service/appointments/", views.appointment_list, name="appointment_list"),
    path(
        "staff/service/appointments/<int:pk>/",
        views.appointment_detail,
        name="appointment_detail",
    ),
    path(
        "staff/service/appointments/<int:pk>/<slug:name>/",
        views.appointment_transition,
        name="appointment_transition",
    ),
    path("staff/service/offers/", views.offer_list, name="offer_list"),
    path("staff/service/offers/new/", views.offer_edit, name="offer_new"),
    path("staff/service/offers/<int:pk>/", views.offer_detail, name="offer_detail"),
    path("staff/service/offers/<int:pk>/edit/", views.offer_edit, name="offer_edit"),
    path("staff/service/openings/<int:pk>/delete/", views.opening_delete, name="opening_delete"),
    path("staff/service/calendar/", views.calendar_days, name="calendar"),
    path("staff/service/visits/", views.visit_list, name="visit_list"),
    path("staff/service/visits/new/", views.visit_new, name="visit_new"),
    path("staff/service/visits/<int:pk>/", views.visit_detail, name="visit_detail"),
    path("staff/service/visits/<int:pk>/arrange/", views.visit_schedule, name="visit_schedule"),
    path("staff/service/visits/<int:pk>/visited/", views.visit_done, name="visit_done"),
    path(
        "staff/service/visits/<int:pk>/<slug:name>/",
        views.visit_transition,
        name="visit_transition",
    ),
    path("staff/service/volunteer/", views.activity_list, name="activity_list"),
    path("staff/service/volunteer/new/", views.activity_edit, name="activity_new"),
    path("staff/service/volunteer/<int:pk>/", views.activity_detail, name="activity_detail"),
    path("staff/service/volunteer/<int:pk>/edit/", views.activity_edit, name="activity_edit"),
    path(
        "staff/service/volunteer/<int:pk>/photo/<int:photo>/",
        views.activity_photo,
        name="activity_photo",
    ),
    path("staff/service/measures/", views.measure_list, name="measure_list"),
    path("staff/service/measures/new/", views.measure_edit, name="measure_new"),
    path("staff/service/measures/<int:pk>/", views.measure_detail, name="measure_detail"),
    path("staff/service/measures/<int:pk>/edit/", views.measure_edit, name="measure_edit"),
    path("staff/service/figures/", views.figures, name="figures"),
]
