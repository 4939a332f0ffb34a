"""The integrations' settings, read from ``STORYLINE["INTEGRATIONS"]``
(config/settings/base.py lists them with their environment variables)."""

from django.conf import settings

DEFAULTS = {
    # Networks an outgoing request may reach although they are not public
    # (loopback, private, link-local…): none unless named, e.g. "10.0.0.0/8".
    "WEBHOOK_ALLOWED_NETWORKS": [],
    # Plain http:// endpoints (tests, a receiver on the same private network).
    "WEBHOOK_ALLOW_HTTP": False,
    "WEBHOOK_TIMEOUT_SECONDS": 10.0,
    "WEBHOOK_MAX_ATTEMPTS": 8,
    "WEBHOOK_RETRY_SECONDS": 30,
    "WEBHOOK_LEASE_SECONDS": 60,
    "WEBHOOK_SWEEP_BATCH": 200,
    # Failed attempts in a row (across deliveries) after which an endpoint is disabled.
    "WEBHOOK_DISABLE_AFTER": 20,
    "WEBHOOK_ROTATION_OVERLAP_HOURS": 24,
    # "Rights expiring": announced this many days before the usage rights end.
    "RIGHTS_EXPIRING_DAYS": 30,
    # Embeds' Cache-Control max-age: a withdrawn story leaves every embed within it.
    "EMBED_CACHE_SECONDS": 300,
}


def conf(name: str):
    return settings.STORYLINE.get("INTEGRATIONS", {}).get(name, DEFAULTS[name])
