"""The branding (colours, logo) every page draws with."""

from distribution.models import Branding


def branding(request):
    return {"branding": Branding.for_request(request)}
