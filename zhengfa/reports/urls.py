from django.urls import path

from . import views

app_name = "reports"

urlpatterns = [
    path("staff/dashboard/", views.dashboard, name="dashboard"),
    path("staff/dashboard/figure/<str:name>/", views.drill, name="drill"),
    path("staff/brief/", views.brief, name="brief"),
    path("staff/brief/brief.docx", views.brief_docx, name="brief_docx"),
]
