"""Readiness checks for ``/healthz``: each returns ``(ok, detail)``."""

import uuid

from django.conf import settings
from django.core.cache import cache
from django.db import connections


def check_database() -> tuple[bool, str]:
    try:
        with connections["default"].cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:
        return False, exc.__class__.__name__
    return True, connections["default"].vendor


def check_cache() -> tuple[bool, str]:
    key = f"healthz:{uuid.uuid4().hex}"
    try:
        client = getattr(cache, "_cache", None)
        if client is not None and hasattr(client, "get_client"):
            # Redis: ask it directly (the cache itself degrades to misses).
            client.get_client(write=True).ping()
        cache.set(key, "1", timeout=5)
        ok = cache.get(key) == "1"
        cache.delete(key)
    except Exception as exc:
        return False, exc.__class__.__name__
    backend = settings.CACHES["default"]["BACKEND"].rsplit(".", 1)[-1]
    return (ok, backend) if ok else (False, "read-back mismatch")


def check_broker() -> tuple[bool, str]:
    from config.celery_app import app

    if app.conf.task_always_eager:
        return True, "eager"
    try:
        with app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, interval_start=0, timeout=2)
    except Exception as exc:
        return False, exc.__class__.__name__
    return True, "connected"


CHECKS = {"database": check_database, "cache": check_cache, "broker": check_broker}
