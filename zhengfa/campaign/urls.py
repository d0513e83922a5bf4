from django.urls import path

from . import views

app_name = "campaign"

urlpatterns = [
    path("staff/campaigns/", views.campaign_list, name="campaign_list"),
    path("staff/campaigns/<int:pk>/", views.campaign_detail, name="campaign_detail"),
    path("staff/campaigns/<int:pk>/group/", views.campaign_group, name="campaign_group"),
    path("staff/campaigns/<int:pk>/plan/", views.campaign_plan, name="campaign_plan"),
    path("staff/tasks/", views.task_list, name="task_list"),
    path("staff/tasks/new/", views.task_create, name="task_create"),
    path("staff/tasks/<int:pk>/", views.task_detail, name="task_detail"),
    path("staff/tasks/<int:pk>/share-out/", views.task_split, name="task_split"),
    path("staff/tasks/<int:pk>/<slug:name>/", views.task_transition, name="task_transition"),
    path("staff/opinions/", views.suggestion_list, name="suggestion_list"),
    path("staff/opinions/<int:pk>/", views.suggestion_detail, name="suggestion_detail"),
    path(
        "staff/opinions/<int:pk>/pass-on/",
        views.suggestion_transfer,
        name="suggestion_transfer",
    ),
    path(
        "staff/opinions/<int:pk>/<slug:name>/",
        views.suggestion_transition,
        name="suggestion_transition",
    ),
    path("staff/figures-reported/", views.data_home, name="data_home"),
    path("staff/figures-reported/define/", views.data_elements, name="data_elements"),
    path("staff/figures-reported/define/new/", views.data_element_edit, name="data_element_new"),
    path(
        "staff/figures-reported/define/<int:pk>/",
        views.data_element_edit,
        name="data_element_edit",
    ),
    path(
        "staff/figures-reported/<int:pk>/<slug:period_type>/<str:start>/",
        views.data_entry,
        name="data_entry",
    ),
    path(
        "staff/figures-reported/report/<int:pk>/<slug:name>/",
        views.data_transition,
        name="data_transition",
    ),
    path("staff/exemplars/", views.exemplar_list, name="exemplar_list"),
    path("staff/exemplars/new/", views.exemplar_edit, name="exemplar_new"),
    path("staff/exemplars/<int:pk>/", views.exemplar_edit, name="exemplar_edit"),
    path("models/", views.exemplars_public, name="exemplars_public"),
    path("models/<int:pk>/photo/", views.exemplar_photo, name="exemplar_photo"),
    path("opinion/", views.suggestion_new, name="suggestion_new"),
    path("opinion/received/", views.suggestion_done, name="suggestion_done"),
]
