"""A Redis cache that degrades instead of failing.

The cache holds nothing that must survive: rendered public pages, rate-limit
counters, derived counts. When Redis is down, a page must still render, a
review decision must still commit, and ``/healthz`` must say so (it checks
Redis itself). So every cache call that fails to reach Redis behaves like a
miss (``get`` → default, ``add`` → True, ``set`` → nothing) and logs one
warning a minute. Rate limits fail open while Redis is down: the database-
held limits (the mailbox code's wrong-attempt count) still hold.
"""

import logging
import time

from django.core.cache.backends.redis import RedisCache
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)

UNREACHABLE = (RedisConnectionError, RedisTimeoutError, ConnectionError, TimeoutError, OSError)
_last_warning = 0.0


def _warn(operation: str, exc: Exception) -> None:
    global _last_warning
    now = time.monotonic()
    if now - _last_warning > 60:
        _last_warning = now
        logger.warning("cache unreachable (%s: %s); serving without it", operation, exc)


class ResilientRedisCache(RedisCache):
    """Django's RedisCache, with an unreachable Redis treated as a miss."""

    def _safe(self, operation: str, call, fallback):
        try:
            return call()
        except UNREACHABLE as exc:
            _warn(operation, exc)
            return fallback

    def get(self, key, default=None, version=None):
        return self._safe(
            "get", lambda: super(ResilientRedisCache, self).get(key, default, version), default
        )

    def get_many(self, keys, version=None):
        return self._safe(
            "get_many", lambda: super(ResilientRedisCache, self).get_many(keys, version), {}
        )

    def has_key(self, key, version=None):
        return self._safe(
            "has_key", lambda: super(ResilientRedisCache, self).has_key(key, version), False
        )

    def add(self, key, value, timeout=None, version=None):
        # True: the caller goes on as if it were first (a rate limit's first hit).
        return self._safe(
            "add", lambda: super(ResilientRedisCache, self).add(key, value, timeout, version), True
        )

    def set(self, key, value, timeout=None, version=None):
        self._safe(
            "set", lambda: super(ResilientRedisCache, self).set(key, value, timeout, version), None
        )

    def set_many(self, data, timeout=None, version=None):
        return self._safe(
            "set_many",
            lambda: super(ResilientRedisCache, self).set_many(data, timeout, version),
            [],
        )

    def touch(self, key, timeout=None, version=None):
        return self._safe(
            "touch", lambda: super(ResilientRedisCache, self).touch(key, timeout, version), False
        )

    def delete(self, key, version=None):
        return self._safe(
            "delete", lambda: super(ResilientRedisCache, self).delete(key, version), False
        )

    def delete_many(self, keys, version=None):
        self._safe(
            "delete_many", lambda: super(ResilientRedisCache, self).delete_many(keys, version), None
        )

    def incr(self, key, delta=1, version=None):
        return self._safe(
            "incr", lambda: super(ResilientRedisCache, self).incr(key, delta, version), delta
        )

    def decr(self, key, delta=1, version=None):
        return self._safe(
            "decr", lambda: super(ResilientRedisCache, self).decr(key, delta, version), 0
        )

    def clear(self):
        """Delete this cache's keys only (``KEY_PREFIX:*``), never the whole
        database: the Celery broker shares it by default, and ``FLUSHDB``
        would drop every queued task."""
        if not self.key_prefix:
            return self._safe("clear", lambda: super(ResilientRedisCache, self).clear(), False)

        def delete_prefixed() -> bool:
            client = self._cache.get_client(write=True)
            batch = []
            for key in client.scan_iter(match=f"{self.key_prefix}:*", count=1000):
                batch.append(key)
                if len(batch) >= 1000:
                    client.delete(*batch)
                    batch = []
            if batch:
                client.delete(*batch)
            return True

        return self._safe("clear", delete_prefixed, False)
