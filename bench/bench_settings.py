"""Settings for bench/gallery_throughput.py: production settings plus one
bare view that returns fixed bytes (the baseline)."""

from config.settings import base, extend

extend(globals())

ROOT_URLCONF = "bench.bench_urls"
# No collectstatic for a benchmark: plain static URLs, as in the tests.
STORAGES = {
    **base.STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
