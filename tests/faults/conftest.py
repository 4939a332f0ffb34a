"""The fault suite: the app run as production runs it (tests/processes.py),
with the faults a deployment meets: a worker killed with ``kill -9``, Redis
stopped, PostgreSQL restarted, requests racing on one link, a task delivered
again and again.

Faults never touch the shared PostgreSQL and Redis the rest of the suite
uses: a test that stops Redis starts its own ``redis-server`` on another
port, one that restarts PostgreSQL creates its own cluster
(``pg_createcluster``) and drops it afterwards.

``FAULT_REPEAT`` sets how many times the repeated faults run (2 by default,
so the suite stays fast; the figures in the README come from
``FAULT_REPEAT=20``).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import IN_CI, require_postgres
from tests.processes import free_port, wait_until
from tests.production.conftest import stack_urls, static_root  # noqa: F401 (fixtures)

REPEAT = int(os.environ.get("FAULT_REPEAT", "2"))


# --------------------------------------------------------------------------
# An own Redis
# --------------------------------------------------------------------------


@dataclass
class OwnRedis:
    port: int
    workdir: Path
    process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(  # noqa: S603
            [
                shutil.which("redis-server") or "/usr/bin/redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.workdir),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        import redis

        client = redis.Redis(port=self.port, socket_connect_timeout=0.5)
        assert wait_until(client.ping, timeout=10), "redis-server did not start"

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)
        self.process = None


@pytest.fixture
def own_redis(tmp_path) -> Iterator[OwnRedis]:
    if not shutil.which("redis-server"):
        if IN_CI:
            pytest.fail("CI=true requires redis-server for the fault suite.")
        pytest.skip("needs redis-server")
    redis = OwnRedis(port=free_port(), workdir=tmp_path)
    redis.start()
    try:
        yield redis
    finally:
        redis.stop()


# --------------------------------------------------------------------------
# An own PostgreSQL cluster
# --------------------------------------------------------------------------


@dataclass
class OwnPostgres:
    version: str
    name: str
    port: int
    database: str = "storyline"

    @property
    def url(self) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{self.database}"

    def ctl(self, action: str) -> None:
        subprocess.run(  # noqa: S603
            ["pg_ctlcluster", "--skip-systemctl-redirect", self.version, self.name, action],
            check=True,
            capture_output=True,
            timeout=60,
        )

    def ready(self) -> bool:
        return (
            subprocess.run(  # noqa: S603
                ["pg_isready", "-q", "-h", "127.0.0.1", "-p", str(self.port)], timeout=5
            ).returncode
            == 0
        )


@contextmanager
def own_postgres_cluster(copy_from: str) -> Iterator[OwnPostgres]:
    """A PostgreSQL cluster of the test's own on a free port, trust auth,
    holding a copy of ``copy_from`` (the migrated test database)."""
    if not shutil.which("pg_createcluster"):
        if IN_CI:
            pytest.fail("CI=true requires pg_createcluster for the fault suite.")
        pytest.skip("needs pg_createcluster (Debian's postgresql-common)")
    if os.geteuid() != 0:
        if IN_CI:
            pytest.fail("CI=true: the PostgreSQL fault test creates a cluster and needs root.")
        pytest.skip("creating a PostgreSQL cluster needs root")
    version = sorted(os.listdir("/etc/postgresql"))[-1]
    cluster = OwnPostgres(version=version, name=f"fault{uuid.uuid4().hex[:6]}", port=free_port())
    subprocess.run(  # noqa: S603
        [
            "pg_createcluster",
            version,
            cluster.name,
            "-p",
            str(cluster.port),
            "--start",
            "--",
            "-A",
            "trust",
        ],
        check=True,
        capture_output=True,
        timeout=120,
    )
    try:
        assert wait_until(cluster.ready, timeout=30)
        subprocess.run(  # noqa: S603
            ["createdb", "-h", "127.0.0.1", "-p", str(cluster.port), "-U", "postgres", "storyline"],
            check=True,
            capture_output=True,
            timeout=60,
        )
        dump = subprocess.run(  # noqa: S603
            ["pg_dump", "--no-owner", "-h", "127.0.0.1", "-U", "postgres", copy_from],
            check=True,
            capture_output=True,
            timeout=120,
        ).stdout
        subprocess.run(  # noqa: S603
            [
                "psql",
                "-q",
                "-h",
                "127.0.0.1",
                "-p",
                str(cluster.port),
                "-U",
                "postgres",
                "storyline",
            ],
            input=dump,
            check=True,
            capture_output=True,
            timeout=120,
        )
        yield cluster
    finally:
        subprocess.run(  # noqa: S603
            ["pg_dropcluster", "--stop", version, cluster.name], capture_output=True, timeout=120
        )


@pytest.fixture
def test_database_name(transactional_db) -> str:
    require_postgres()
    from django.db import connection

    return connection.settings_dict["NAME"]


def measure(label: str, seconds: float) -> None:
    """Print a figure the fault table reports (``-s`` or the captured output)."""
    print(f"FAULT FIGURE {label}: {seconds:.1f} s")


def elapsed(start: float) -> float:
    return time.monotonic() - start
