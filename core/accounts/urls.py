"""Single sign-on and password reset by email, under /admin/ (mounted before the admin's own
URLs). The admin's login page links to ``admin_password_reset`` by name; the
emailed link is ``password_reset_confirm``, whose token core/redaction.py
keeps out of every log."""

from django.urls import path

from core.accounts import sso, views

urlpatterns = [
    # Single sign-on (OpenID Connect): the provider's redirect URI is /admin/sso/callback/.
    path("sso/login/", sso.AuthenticateView.as_view(), name="oidc_authentication_init"),
    path("sso/callback/", sso.CallbackView.as_view(), name="oidc_authentication_callback"),
    path("password_reset/", views.PasswordResetView.as_view(), name="admin_password_reset"),
    path(
        "password_reset/done/",
        views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "reset/<uidb64>/<token>/",
        views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path("reset/done/", views.PasswordResetCompleteView.as_view(), name="password_reset_complete"),
]
