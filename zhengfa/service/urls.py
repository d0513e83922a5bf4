from django.urls import path

from . import views

app_name = "service"

urlpatterns = [
    path("village-officer/", views.find, name="find"),
    path("village-officer/<int:pk>/", views.place, name="place"),
    path("village-officer/<int:pk>/card/", views.card, name="card"),
    path("village-officer/<int:pk>/group-code/", views.group_code, name="group_code"),
    path("staff/service/villages/", views.coverage, name="coverage"),
    path("staff/service/villages/<int:pk>/assign/", views.assign, name="assign"),
    path("staff/service/villages/<int:pk>/group/", views.group_edit, name="group_edit"),
]
