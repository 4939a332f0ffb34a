"""The Redis cache degrades to misses when Redis is gone, and clearing it
never touches the broker's keys in the same database."""

from core.cache import ResilientRedisCache
from tests.conftest import require_redis


def test_an_unreachable_redis_is_a_miss_not_an_error():
    cache = ResilientRedisCache(
        "redis://127.0.0.1:1/0",
        {"OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2}, "KEY_PREFIX": "t"},
    )
    assert cache.get("k", "default") == "default"
    assert cache.add("k", 1) is True
    cache.set("k", 1)
    assert cache.incr("k") == 1
    assert cache.get_many(["a", "b"]) == {}
    assert cache.delete("k") is False
    cache.clear()


def test_clear_deletes_only_this_caches_keys():
    import redis

    url = require_redis()
    client = redis.Redis.from_url(url)
    client.set("celery-like-queue-key", "keep me")
    cache = ResilientRedisCache(url, {"KEY_PREFIX": "clear-test"})
    cache.set("a", 1)
    other = ResilientRedisCache(url, {"KEY_PREFIX": "another-prefix"})
    other.set("a", 2)
    cache.clear()
    assert cache.get("a") is None
    assert other.get("a") == 2
    assert client.get("celery-like-queue-key") == b"keep me"
    client.delete("celery-like-queue-key")
    other.clear()


def test_production_settings_use_it_when_redis_is_configured():
    from django.conf import settings

    require_redis()
    assert settings.CACHES["default"]["BACKEND"] == "core.cache.ResilientRedisCache"
