from django.urls import path

from . import views

app_name = "mediation"

urlpatterns = [
    path("staff/mediation/", views.case_list, name="case_list"),
    path("staff/mediation/new/", views.case_create, name="case_create"),
    path("staff/mediation/<int:pk>/", views.case_detail, name="case_detail"),
    path("staff/mediation/<int:pk>/session/", views.session_create, name="session_create"),
    path("staff/mediation/<int:pk>/agreement/", views.agreement_create, name="agreement_create"),
    path(
        "staff/mediation/<int:pk>/agreement/print/", views.agreement_print, name="agreement_print"
    ),
    path("staff/mediation/<int:pk>/agreement/docx/", views.agreement_docx, name="agreement_docx"),
    path("staff/mediation/<int:pk>/refer/", views.case_refer, name="case_refer"),
    path("staff/mediation/<int:pk>/referral/", views.referral_answer, name="referral_answer"),
    path("staff/mediation/<int:pk>/<slug:name>/", views.case_transition, name="case_transition"),
]
