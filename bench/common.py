"""What the in-process benchmarks share."""

import os
import tempfile
from pathlib import Path


def prepare_database() -> str:
    """A fresh database for one benchmark run: a temporary SQLite file, or the
    PostgreSQL database named by BENCH_DATABASE_URL, dropped and recreated."""
    url = os.environ.get("BENCH_DATABASE_URL", "")
    if not url:
        path = Path(tempfile.mkdtemp()) / "bench.sqlite3"
        return f"sqlite:///{path}"
    import psycopg

    name = url.rsplit("/", 1)[1]
    admin = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')
    return url
