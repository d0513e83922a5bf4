"""The test app's pages, under test/ (not staff/): included only by tests that use them."""

from django.urls import include, path

from zhengfa.urls import handler403, handler404, handler500  # noqa: F401
from zhengfa.urls import urlpatterns as site

from . import views

app = (
    [
        path("cases/<int:pk>/", views.case_detail, name="case_detail"),
        path("cases/<int:pk>/<slug:name>/", views.case_transition, name="case_transition"),
    ],
    "testapp",
)

urlpatterns = [path("test/", include(app)), *site]
