"""Fixtures for the tests that run the app as production does: separate
processes started by docker/entrypoint.sh, DEBUG off, PostgreSQL and Redis."""

import os
from pathlib import Path

import pytest
from django.db import connection

from tests.conftest import require_postgres, require_redis
from tests.processes import collect_static


@pytest.fixture(scope="session")
def static_root(tmp_path_factory, worker_id) -> Path:
    """The production static build (manifest storage), once per run: the
    xdist workers share one build (the first one makes it, under a lock)."""
    import fcntl

    shared = tmp_path_factory.getbasetemp()
    if worker_id != "master":
        shared = shared.parent
    target = shared / "production-static"
    with open(shared / "production-static.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            return collect_static(target)
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def worker_index() -> int:
    name = os.environ.get("PYTEST_XDIST_WORKER", "gw0")
    return int(name.removeprefix("gw") or 0)


@pytest.fixture
def stack_urls(transactional_db):
    """The test database (the processes see what the test writes and the
    other way round) and a Redis database of this test process's own."""
    require_postgres()
    redis_url = require_redis()
    settings = connection.settings_dict
    database_url = (
        f"postgres://{settings['USER']}@{settings['HOST'] or '127.0.0.1'}:"
        f"{settings['PORT'] or 5432}/{settings['NAME']}"
    )
    base = redis_url.rsplit("/", 1)[0]
    redis_db = f"{base}/{10 + worker_index()}"
    import redis

    redis.Redis.from_url(redis_db).flushdb()
    return {"database_url": database_url, "redis_url": redis_db}
