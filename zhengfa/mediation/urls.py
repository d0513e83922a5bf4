from django.urls import path

from . import views

app_name = "mediation"

urlpatterns = [
    path("mediation/apply/", views.apply, name="apply"),
    path("mediation/apply/done/", views.apply_done, name="apply_done"),
    path("staff/mediation/", views.case_list, name="case_list"),
    path("staff/mediation/new/", views.case_create, name="case_create"),
    path("staff/mediation/figures/", views.figures, name="figures"),
    path("staff/mediation/<int:pk>/", views.case_detail, name="case_detail"),
    path("staff/mediation/<int:pk>/session/", views.session_create, name="session_create"),
    path("staff/mediation/<int:pk>/agreement/", views.agreement_create, name="agreement_create"),
    path(
        "staff/mediation/<int:pk>/agreement/print/", views.agreement_print, name="agreement_print"
    ),
    path("staff/mediation/<int:pk>/agreement/docx/", views.agreement_docx, name="agreement_docx"),
    path("staff/mediation/<int:pk>/refer/", views.case_refer, name="case_refer"),
    path("staff/mediation/<int:pk>/referral/", views.referral_answer, name="referral_answer"),
    path("staff/mediation/<int:pk>/extend/", views.case_extend, name="case_extend"),
    path("staff/mediation/<int:pk>/party/", views.party_add, name="party_add"),
    path("staff/mediation/<int:pk>/visit/", views.visit_create, name="visit_create"),
    path(
        "staff/mediation/<int:pk>/confirmation/",
        views.confirmation_apply,
        name="confirmation_apply",
    ),
    path(
        "staff/mediation/<int:pk>/confirmation/decide/",
        views.confirmation_step,
        name="confirmation_step",
    ),
    path("staff/mediation/confirmations/", views.confirmation_list, name="confirmation_list"),
    path("staff/mediation/roster/", views.roster, name="roster"),
    path("staff/mediation/roster/new/", views.roster_edit, name="roster_new"),
    path("staff/mediation/roster/<int:pk>/", views.roster_edit, name="roster_edit"),
    path("staff/mediation/<int:pk>/<slug:name>/", views.case_transition, name="case_transition"),
]
