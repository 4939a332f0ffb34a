"""The email services' tracking webhooks: bounces, spam complaints and
unsubscribes reach the suppression list by themselves.

django-anymail provides a view per service and normalizes what it posts;
``distribution/signals.py`` hands each event to
``campaigns.suppression_from_esp_event``. This URLconf mounts anymail's
tracking views (``anymail.urls``; not its inbound-mail ones) under
``/anymail/`` with two rules of ours:

- Without ``ANYMAIL_WEBHOOK_SECRET`` (anymail's shared-secret basic auth)
  every post is refused with 403: anymail itself would accept unsigned posts
  from anyone, with only a warning.
- A service whose own signature key is missing (Mailgun's
  ``ANYMAIL_MAILGUN_WEBHOOK_SIGNING_KEY``) or a malformed payload is a 403 or
  400 with a message, never a 500. A wrong or missing basic auth or signature
  is anymail's 400 (Amazon SNS gets the 401 it needs to send credentials).
"""

import logging
from functools import wraps

from anymail import urls as anymail_urls
from anymail.exceptions import AnymailAPIError, AnymailWebhookValidationFailure
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpResponseBadRequest, HttpResponseForbidden
from django.urls import URLPattern
from django.views.decorators.csrf import csrf_exempt

logger = logging.getLogger(__name__)


def _guarded(view):
    @csrf_exempt
    @wraps(view)
    def guarded(request, *args, **kwargs):
        if not getattr(settings, "ANYMAIL", {}).get("WEBHOOK_SECRET"):
            return HttpResponseForbidden(
                "Webhooks are switched off: set ANYMAIL_WEBHOOK_SECRET.",
                content_type="text/plain",
            )
        try:
            return view(request, *args, **kwargs)
        except AnymailWebhookValidationFailure:
            raise  # Django answers 400 and logs it on django.security
        except ImproperlyConfigured as exc:
            logger.error("Email webhook %s is not configured: %s", request.path, exc)
            return HttpResponseForbidden(
                "This webhook is not configured.", content_type="text/plain"
            )
        except (AnymailAPIError, ValueError, KeyError, TypeError) as exc:
            logger.warning("Malformed email webhook post to %s: %r", request.path, type(exc))
            return HttpResponseBadRequest("Malformed webhook payload.", content_type="text/plain")

    return guarded


app_name = anymail_urls.app_name
urlpatterns = [
    URLPattern(entry.pattern, _guarded(entry.callback), entry.default_args, entry.name)
    for entry in anymail_urls.urlpatterns
    if isinstance(entry, URLPattern) and (entry.name or "").endswith("_tracking_webhook")
]
