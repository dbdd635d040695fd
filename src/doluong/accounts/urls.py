"""Account pages, mounted at ``accounts/`` (namespace ``accounts``); sign-in and sign-out are in doluong.urls."""

from django.urls import path

from doluong.accounts import views

app_name = "accounts"
urlpatterns = [
    path("security/", views.security, name="security"),
    path("two-step/verify/", views.verify, name="verify"),
    path("two-step/set-up/", views.enrol, name="enrol"),
    path("two-step/recovery-codes/", views.recovery_codes, name="recovery_codes"),
    path("two-step/recovery-codes/new/", views.new_recovery_codes, name="recovery_codes_new"),
    path("two-step/remove/", views.remove_second_factor, name="remove"),
    path("password_change/", views.PasswordChangeView.as_view(), name="password_change"),
    path("password_reset/", views.PasswordResetView.as_view(), name="password_reset"),
    path("password_reset/done/", views.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path("reset/<uidb64>/<token>/", views.PasswordResetConfirmView.as_view(), name="password_reset_confirm"),
    path("reset/done/", views.PasswordResetCompleteView.as_view(), name="password_reset_complete"),
    path("sign-ins/", views.signin_log, name="signin_log"),
]
