"""Staff account pages: two-factor authentication, password reset by email,
and the lockout page django-axes shows after too many failed logins.

The two-factor page is an admin view (``admin:two_factor``, see
core/admin_site.py); the reset pages are Django's auth views mounted under
/admin/ (core/accounts/urls.py) with the admin's own templates.
"""

from urllib.parse import urlencode

from django.conf import settings
from django.contrib import admin, messages
from django.contrib.auth import views as auth_views
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.template.response import TemplateResponse
from django.urls import reverse, reverse_lazy
from django.utils.cache import patch_cache_control
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods
from django_otp import login as otp_login

from core.accounts import two_factor
from core.accounts.forms import CodeForm, StaffPasswordResetForm
from core.roles import PROGRAM_MANAGERS, in_group


def _private(response, *, secret_address: bool = False):
    """A page that holds a secret (a TOTP secret, backup codes, a reset
    form): not cached, not indexed. ``secret_address``: its address holds
    one (the emailed reset link), so it is not passed on as a Referer either.

    Only then: under ``Referrer-Policy: no-referrer`` browsers send
    ``Origin: null`` with the page's form POSTs, which Django's CSRF check
    refuses; pages with a form keep the site's ``same-origin`` policy (their
    address holds no secret)."""
    patch_cache_control(response, no_store=True, private=True)
    if secret_address:
        response["Referrer-Policy"] = "no-referrer"
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


def required_for(user) -> bool:
    """``STAFF_REQUIRE_2FA``: program managers (and superusers) must use it."""
    return bool(settings.STAFF_REQUIRE_2FA) and in_group(user, PROGRAM_MANAGERS)


def _next_url(request) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse("admin:index")


# --------------------------------------------------------------------------
# Two-factor authentication (admin:two_factor)
# --------------------------------------------------------------------------


@require_http_methods(["GET", "HEAD", "POST"])
def two_factor_page(request):
    """GET shows the state; each POST ``action`` is one change:

    - ``start``: a new secret to scan (an unconfirmed device);
    - ``confirm``: a current code confirms it; the backup codes are shown once;
    - ``verify``: a code verifies this session (it is on, but this login was
      not verified by it, e.g. a login from before it was turned on);
    - ``codes``: new backup codes (needs a current code);
    - ``disable``: turn it off (needs a current code; refused where
      ``STAFF_REQUIRE_2FA`` requires it)."""
    user = request.user
    form = CodeForm(request.POST or None)
    backup_codes: list[str] = []
    status = 200
    if request.method == "POST":
        status, backup_codes = _two_factor_action(request, request.POST.get("action", ""), form)
        if status == 200 and not backup_codes:
            # Post/redirect/get: a reload must not repeat the change.
            return _private(HttpResponseRedirect(_two_factor_url(request)))
        if status == 200:
            form = CodeForm()  # the codes are on the page: nothing to type
    enabled = two_factor.is_enabled(user)
    pending = None if enabled else two_factor.pending_device(user)
    context = {
        **admin.site.each_context(request),
        "title": _("Two-factor authentication"),
        "enabled": enabled,
        "verified": bool(getattr(user, "is_verified", lambda: False)()),
        "required": required_for(user),
        "pending": pending,
        "form": form,
        "backup_codes": backup_codes,
        "backup_codes_left": two_factor.backup_codes_left(user) if enabled else 0,
        "next": _next_url(request),
        "action": request.POST.get("action", "") if request.method == "POST" else "",
    }
    if pending is not None:
        context["qr_code"] = two_factor.qr_svg(
            pending.config_url, label=_("QR code to scan with your authenticator app")
        )
        context["secret"] = two_factor.secret_text(pending)
    response = TemplateResponse(request, "admin/accounts/two_factor.html", context, status=status)
    return _private(response)


def _two_factor_action(request, action: str, form: CodeForm) -> tuple[int, list[str]]:
    """Carry out one POST of the two-factor page: (status, backup codes to show)."""
    user = request.user
    if action == "start":
        try:
            two_factor.totp_setup_start(user=user)
        except two_factor.TwoFactorError:
            messages.error(request, _("Two-factor authentication is already on."))
        return 200, []
    if action not in ("confirm", "verify", "codes", "disable"):
        return 400, []
    if action == "disable" and required_for(user):
        messages.error(request, _("Two-factor authentication is required for program managers."))
        return 403, []
    if not form.is_valid():
        return 400, []
    code = form.cleaned_data["code"]
    if action == "confirm":
        try:
            device, codes = two_factor.totp_setup_confirm(user=user, code=code)
        except two_factor.TwoFactorError as exc:
            if str(exc) == "wrong-code":
                form.add_error(
                    "code",
                    _("That code is not right. Check the time on your phone and try again."),
                )
            else:
                messages.error(request, _("Start the setup again."))
            return 400, []
        otp_login(request, device)
        messages.success(request, _("Two-factor authentication is on."))
        return 200, codes
    device = two_factor.verify_code(user, code)
    if device is None:
        form.add_error("code", _("That code is not right."))
        return 400, []
    if action == "disable":
        two_factor.two_factor_disable(user=user)
        messages.success(request, _("Two-factor authentication is off."))
        return 200, []
    otp_login(request, device)
    if action == "codes":
        codes = two_factor.backup_codes_regenerate(user=user)
        messages.success(request, _("New backup codes: the old ones no longer work."))
        return 200, codes
    messages.success(request, _("This session is verified."))
    return 200, []


def _two_factor_url(request) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    url = reverse("admin:two_factor")
    if target and target == _next_url(request):
        url += "?" + urlencode({"next": target})
    return url


# --------------------------------------------------------------------------
# Password reset by email (Django's views, the admin's templates)
# --------------------------------------------------------------------------


class _AdminPage:
    """The admin's context (header, user tools) and the private headers."""

    def get_context_data(self, **kwargs):
        return {**admin.site.each_context(self.request), **super().get_context_data(**kwargs)}

    def dispatch(self, request, *args, **kwargs):
        return _private(super().dispatch(request, *args, **kwargs))


class PasswordResetView(_AdminPage, auth_views.PasswordResetView):
    form_class = StaffPasswordResetForm
    success_url = reverse_lazy("password_reset_done")


class PasswordResetDoneView(_AdminPage, auth_views.PasswordResetDoneView):
    pass


class PasswordResetConfirmView(_AdminPage, auth_views.PasswordResetConfirmView):
    """The page opened by the emailed link: Django keeps the token in the
    session and redirects to ``…/set-password/``, so the form's own address
    holds no token. A new password also lifts a lockout of the account
    (whoever holds the mailbox is its owner); a lockout of the address stays."""

    success_url = reverse_lazy("password_reset_complete")

    def dispatch(self, request, *args, **kwargs):
        response = super().dispatch(request, *args, **kwargs)
        if kwargs.get("token") != self.reset_url_token:
            _private(response, secret_address=True)
        return response

    def form_valid(self, form):
        from axes.utils import reset as axes_reset

        response = super().form_valid(form)
        axes_reset(username=form.user.get_username())
        return response


class PasswordResetCompleteView(_AdminPage, auth_views.PasswordResetCompleteView):
    pass


# --------------------------------------------------------------------------
# Lockout (settings.AXES_LOCKOUT_CALLABLE)
# --------------------------------------------------------------------------


def lockout(request, original_response=None, credentials=None):
    """What a locked-out login gets: a page that says what happened and for
    how long, in the admin's style, status 429."""
    cool_off = settings.AXES_COOLOFF_TIME
    minutes = max(1, int(cool_off.total_seconds() // 60)) if cool_off else None
    response = render(
        request,
        "admin/accounts/locked_out.html",
        {
            **admin.site.each_context(request),
            "title": _("Too many failed logins"),
            "minutes": minutes,
        },
        status=settings.AXES_HTTP_RESPONSE_CODE,
    )
    if minutes:
        response["Retry-After"] = str(minutes * 60)
    return _private(response)
