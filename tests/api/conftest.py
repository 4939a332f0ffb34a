import pytest
from django.core.cache import cache

from tests.sales.conftest import make_story, terms  # noqa: F401 - shared fixtures


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Throttle counters and search results live in the cache: start clean."""
    cache.clear()
    yield
    cache.clear()
