from django.contrib.auth import views as auth_views
from django.urls import path

from . import views

app_name = "core"

urlpatterns = [
    path("accounts/login/", views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/2fa/", views.otp_verify, name="otp_verify"),
    path("accounts/2fa/setup/", views.otp_setup, name="otp_setup"),
    path("accounts/password/", views.PasswordChangeView.as_view(), name="password_change"),
    path("staff/", views.dashboard, name="dashboard"),
    path("staff/audit/", views.audit_list, name="audit_list"),
    path("staff/notifications/", views.notification_list, name="notification_list"),
    path("staff/notifications/read/", views.notification_read, name="notification_read"),
    path("staff/files/<int:pk>/", views.attachment_download, name="attachment_download"),
    path("puzzle/", views.puzzle, name="puzzle"),
    path("staff/reveal/<str:model>/<int:pk>/<str:field>/", views.reveal_value, name="reveal_value"),
]
