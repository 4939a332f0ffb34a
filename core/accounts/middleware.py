"""STAFF_REQUIRE_2FA: program managers set up a second factor before any other staff page."""

from urllib.parse import urlencode

from django.conf import settings
from django.http import HttpResponseRedirect
from django.urls import reverse

# Staff pages: the admin (with the approval and impact pages mounted under it)
# and the sales portal.
STAFF_PREFIXES = ("/admin/", "/sales/")


class RequireTwoFactorMiddleware:
    """``STAFF_REQUIRE_2FA``: a program manager (or superuser) whose session
    is not verified by a second factor is sent to the two-factor page from
    every staff page until it is, i.e. until they set it up (or, when it is on
    already, enter a code). Logging in and out, the password reset and the
    two-factor page itself stay open. Needs django-otp's OTPMiddleware before
    it (``request.user.is_verified``)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if settings.STAFF_REQUIRE_2FA and request.path.startswith(STAFF_PREFIXES):
            redirect = self._redirect(request)
            if redirect is not None:
                return redirect
        return self.get_response(request)

    @staticmethod
    def _exempt(path: str) -> bool:
        open_paths = (
            reverse("admin:two_factor"),
            reverse("admin:login"),
            reverse("admin:logout"),
            reverse("admin:jsi18n"),
            reverse("admin_password_reset"),
            "/admin/reset/",
            "/admin/sso/",
        )
        return path.startswith(open_paths)

    def _redirect(self, request):
        from core.accounts.views import required_for

        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or self._exempt(request.path):
            return None
        if user.is_verified() or not required_for(user):
            return None
        target = reverse("admin:two_factor")
        if request.method == "GET":
            target += "?" + urlencode({"next": request.get_full_path()})
        response = HttpResponseRedirect(target)
        response["Cache-Control"] = "private, no-store"
        return response
