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
