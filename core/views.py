import logging
import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, HttpResponseServerError, JsonResponse
from django.template import loader
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from core import health


@never_cache
@require_GET
def healthz(request):
    """Readiness: database, cache and broker. 200 when all answer, else 503."""
    results = {}
    for name, check in health.CHECKS.items():
        ok, detail = check()
        results[name] = {"ok": ok, "detail": detail}
    healthy = all(r["ok"] for r in results.values())
    return JsonResponse(
        {"status": "ok" if healthy else "unavailable", "checks": results},
        status=200 if healthy else 503,
    )


def server_error(request):
    """``handler500``. When the database is unreachable (restarting, failing
    over) the answer is 503 with ``Retry-After``: the request's transaction
    was rolled back, so nothing is half-saved, and the next request
    reconnects (``CONN_HEALTH_CHECKS``) without restarting the app. Both
    pages are rendered without context processors, which would query the
    database again."""
    error = sys.exc_info()[1]
    if isinstance(error, OperationalError | InterfaceError):
        logging.getLogger(__name__).error("database unavailable: %s", type(error).__name__)
        response = HttpResponse(loader.render_to_string("503.html"), status=503)
        response["Retry-After"] = "5"
        response["Cache-Control"] = "no-store"
        return response
    return HttpResponseServerError(loader.render_to_string("500.html"))
