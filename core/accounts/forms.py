"""Forms of the staff login, the two-factor page and the password reset."""

import logging

from django import forms
from django.conf import settings
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import PasswordResetForm
from django.contrib.auth.signals import user_login_failed
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from core.accounts import two_factor
from core.accounts.backends import created_by_sso
from core.emails import send_templated_email

logger = logging.getLogger(__name__)

CODE_WIDGET_ATTRS = {
    "autocomplete": "one-time-code",
    "autocapitalize": "none",
    "spellcheck": "false",
    "size": "12",
}


class StaffAuthenticationForm(AdminAuthenticationForm):
    """The admin's login: username, password and, for accounts with
    two-factor authentication on, a code from the app or a backup code.

    A wrong or missing code fails like a wrong password: the same message
    (so the page never tells that the password was right) and one more failure
    for django-axes' lockout (the ``user_login_failed`` signal). django-otp
    marks the session verified once Django logs the user in (the form sets
    ``user.otp_device``)."""

    otp_token = forms.CharField(
        label=_("Authentication code"),
        required=False,
        max_length=32,
        help_text=_(
            "Only if two-factor authentication is on for your account: the 6-digit code "
            "from your app, or one of your backup codes."
        ),
        widget=forms.TextInput(attrs=CODE_WIDGET_ATTRS),
    )

    error_messages = {
        **AdminAuthenticationForm.error_messages,
        "invalid_login": _(
            "Please enter the correct %(username)s and password for a staff account, and "
            "the authentication code if two-factor authentication is on for it. Note that "
            "the fields may be case-sensitive."
        ),
        "sso_only": _("This account signs in with single sign-on: use “Sign in with SSO”."),
    }

    def confirm_login_allowed(self, user):
        """``OIDC_DISABLE_PASSWORD_FOR_SSO_USERS``: an account the SSO login
        made has no password login (even if someone gave it a password)."""
        super().confirm_login_allowed(user)
        if settings.OIDC_DISABLE_PASSWORD_FOR_SSO_USERS and created_by_sso(user):
            raise forms.ValidationError(self.error_messages["sso_only"], code="sso_only")

    def clean(self):
        cleaned = super().clean()
        user = self.user_cache
        if user is not None and two_factor.is_enabled(user):
            device = two_factor.verify_code(user, cleaned.get("otp_token", ""))
            if device is None:
                self.user_cache = None
                user_login_failed.send(
                    sender=__name__,
                    credentials={"username": cleaned.get("username", "")},
                    request=self.request,
                )
                raise self.get_invalid_login_error()
            user.otp_device = device
        return cleaned


class CodeForm(forms.Form):
    """One code from the app (or a backup code where ``backup`` is allowed)."""

    code = forms.CharField(
        label=_("Code from your app"),
        max_length=32,
        widget=forms.TextInput(attrs={**CODE_WIDGET_ATTRS, "inputmode": "numeric"}),
    )

    def clean_code(self):
        code = two_factor.normalise_code(self.cleaned_data["code"])
        if not (two_factor.TOTP_CODE.match(code) or two_factor.BACKUP_CODE.match(code)):
            raise forms.ValidationError(
                _("Enter the 6-digit code your app shows (or a backup code)."), code="format"
            )
        return code


class StaffPasswordResetForm(PasswordResetForm):
    """Django's reset form for active staff accounts; the email is one of
    ours (subject / text / HTML in templates/emails/password_reset_*) and its
    link starts with ``SITE_URL``. An address with no such account gets the
    same page and no email (no account enumeration)."""

    def get_users(self, email):
        return (user for user in super().get_users(email) if user.is_staff)

    def send_mail(
        self,
        subject_template_name,
        email_template_name,
        context,
        from_email,
        to_email,
        html_email_template_name=None,
    ):
        path = reverse(
            "password_reset_confirm", kwargs={"uidb64": context["uid"], "token": context["token"]}
        )
        try:
            send_templated_email(
                name="password_reset",
                to=[to_email],
                context={
                    "user": context["user"],
                    "url": f"{settings.SITE_URL}{path}",
                    "minutes": max(1, settings.PASSWORD_RESET_TIMEOUT // 60),
                },
                language=translation.get_language(),
            )
        except Exception:  # the page must not tell whether an email went out
            logger.exception("Failed to send a password reset email to user %s", context["user"].pk)
