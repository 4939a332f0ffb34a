import os

from django.http import HttpResponse
from django.urls import path

from config.urls import urlpatterns as site_urlpatterns

_BYTES = b""


def bare(request):
    """The floor: a Django view returning the gallery's bytes as they are."""
    global _BYTES
    if not _BYTES:
        with open(os.environ["BENCH_BARE_FILE"], "rb") as fh:
            _BYTES = fh.read()
    return HttpResponse(_BYTES, content_type="text/html; charset=utf-8")


urlpatterns = [path("bench/bare/", bare), path("bench/floor/", bare), *site_urlpatterns]
