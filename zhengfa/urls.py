from django.urls import include, path

urlpatterns = [
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("zhengfa.core.urls")),
    path("staff/org/", include("zhengfa.org.urls")),
    path("", include("zhengfa.campaign.urls")),
    path("staff/study/", include("zhengfa.study.urls")),
    path("staff/rectify/", include("zhengfa.rectify.urls")),
    path("", include("zhengfa.supervision.urls")),
    path("", include("zhengfa.mediation.urls")),
    path("", include("zhengfa.service.urls")),
    path("", include("zhengfa.reports.urls")),
    path("", include("zhengfa.portal.urls")),
]

handler403 = "zhengfa.core.views.error_403"
handler404 = "zhengfa.core.views.error_404"
handler500 = "zhengfa.core.views.error_500"
