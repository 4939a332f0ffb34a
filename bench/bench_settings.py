"""Settings for bench/gallery_throughput.py: production settings plus one
bare view that returns fixed bytes (the baseline)."""

from config.settings.base import *  # noqa: F403

ROOT_URLCONF = "bench.bench_urls"
# No collectstatic for a benchmark: plain static URLs, as in the tests.
STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
