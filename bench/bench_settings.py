"""Settings for the benchmarks (bench/speed.py, bench/gallery_throughput.py):
production settings plus one bare view that returns fixed bytes (the floor).
The floor's URL exists only under these settings (bench/bench_urls.py), never
in config.urls.

``BENCH_CACHE=dummy`` swaps the cache for Django's dummy cache: every public
page and every derived value (facet counts, ranked search ids) is computed
again on every request — the cold path."""

import os

from config.settings import base, extend

extend(globals())

ROOT_URLCONF = "bench.bench_urls"
# No collectstatic for a benchmark: plain static URLs, as in the tests.
STORAGES = {
    **base.STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
if os.environ.get("BENCH_CACHE") == "dummy":
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
elif os.environ.get("BENCH_CACHE") == "locmem":
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
