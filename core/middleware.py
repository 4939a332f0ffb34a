from django.http import HttpResponseBadRequest
from django.utils.translation import gettext as _


class RejectNullBytesMiddleware:
    """A NUL byte in the address is never legitimate and PostgreSQL refuses it
    in text (a DataError, i.e. a 500, deep inside any filter): answer 400."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        raw_query = request.META.get("QUERY_STRING", "")
        if "\x00" in request.path or "%00" in raw_query or "\x00" in raw_query:
            return HttpResponseBadRequest(
                _("This address contains a character that is not allowed."),
                content_type="text/plain; charset=utf-8",
            )
        return self.get_response(request)


class LanguageSwitchMiddleware:
    """``?language=id`` on any GET: remember the choice in the language cookie
    (as Django's ``set_language`` does) and redirect to the same address
    without the parameter.

    The header's language switcher is made of such links instead of a POST
    form with a CSRF token, so public pages hold nothing per visitor and can
    be cached. ``/i18n/setlang/`` keeps working for POSTs.
    """

    PARAMETER = "language"
    # Staff pages have their own ``language`` parameters (the story editor's
    # language of the version being written): the switch is for public pages.
    EXEMPT_PREFIXES = ("/admin/",)

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if (
            request.method not in ("GET", "HEAD")
            or self.PARAMETER not in request.GET
            or request.path.startswith(self.EXEMPT_PREFIXES)
        ):
            return self.get_response(request)
        from django.conf import settings
        from django.http import HttpResponseRedirect
        from django.utils.translation import check_for_language

        code = request.GET.get(self.PARAMETER, "")
        params = request.GET.copy()
        params.pop(self.PARAMETER, None)
        # Only ever our own path: "//evil.example/" must not become a redirect away.
        path = "/" + request.path.lstrip("/")
        query = params.urlencode()
        response = HttpResponseRedirect(path + (f"?{query}" if query else ""))
        if code in dict(settings.LANGUAGES) and check_for_language(code):
            response.set_cookie(
                settings.LANGUAGE_COOKIE_NAME,
                code,
                max_age=settings.LANGUAGE_COOKIE_AGE,
                path=settings.LANGUAGE_COOKIE_PATH,
                domain=settings.LANGUAGE_COOKIE_DOMAIN,
                secure=settings.LANGUAGE_COOKIE_SECURE,
                httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
                samesite=settings.LANGUAGE_COOKIE_SAMESITE,
            )
        response.headers["Cache-Control"] = "private, no-store"
        return response
