"""One migration per run, not one per test process.

With pytest-xdist each process needs its own test database. Migrating each
of them from scratch costs every process the same minute of CPU, so on
PostgreSQL the first process migrates a template database once per run and
every process clones it (``CREATE DATABASE … TEMPLATE``, a file copy). The
clone holds exactly what the migrations made (tables, content types,
permissions, the groups and default templates of the post-migrate handlers).

Without xdist, or on SQLite, pytest-django's own setup runs unchanged.
"""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

LOCK_DIR = Path(os.environ.get("TMPDIR", "/tmp"))  # noqa: S108


def _template_name(base: str) -> str:
    return f"test_{base}_template"


@contextmanager
def _locked(name: str) -> Iterator[None]:
    with open(LOCK_DIR / f"storyline-{name}.lock", "w") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def _maintenance(settings_dict: dict):
    import psycopg

    return psycopg.connect(
        dbname="postgres",
        user=settings_dict["USER"] or None,
        password=settings_dict["PASSWORD"] or None,
        host=settings_dict["HOST"] or None,
        port=settings_dict["PORT"] or None,
        autocommit=True,
    )


def _drop(cursor, name: str) -> None:
    # WITH (FORCE): a process that died mid-run may have left a session open.
    cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _build_template(connection, template: str, verbosity: int) -> None:
    """Migrate ``template`` through Django's own test-database creation,
    then hand the connection back to the original settings."""
    from django.conf import settings

    original = connection.settings_dict["NAME"]
    test = connection.settings_dict.setdefault("TEST", {})
    worker_name = test.get("NAME")
    test["NAME"] = template
    try:
        connection.creation.create_test_db(
            verbosity=verbosity, autoclobber=True, serialize=False, keepdb=False
        )
    finally:
        connection.close()
        test["NAME"] = worker_name
        connection.settings_dict["NAME"] = original
        settings.DATABASES[connection.alias]["NAME"] = original


@pytest.fixture(scope="session")
def django_db_setup(
    request,
    django_test_environment,
    django_db_blocker,
    django_db_modify_db_settings,
):
    from django.conf import settings
    from django.db import connection
    from django.test.utils import setup_databases, teardown_databases

    worker = getattr(request.config, "workerinput", None)
    verbosity = request.config.option.verbose
    if worker is None or connection.vendor != "postgresql" or len(settings.DATABASES) != 1:
        # One process: pytest-django's own way, ``--reuse-db`` included.
        keepdb = bool(request.config.getvalue("reuse_db"))
        with django_db_blocker.unblock():
            config = setup_databases(verbosity=verbosity, interactive=False, keepdb=keepdb)
        yield
        if not keepdb:
            with django_db_blocker.unblock():
                teardown_databases(config, verbosity=verbosity)
        return

    original = connection.settings_dict["NAME"]
    template = _template_name(original)
    mine = connection.settings_dict["TEST"]["NAME"]  # test_<name>_gwN (pytest-django)
    marker = LOCK_DIR / f"storyline-{template}.{worker['testrunuid']}"
    with django_db_blocker.unblock():
        with _locked(template):
            if not marker.exists():
                _build_template(connection, template, verbosity)
                marker.touch()
            with _maintenance(connection.settings_dict) as admin, admin.cursor() as cursor:
                _drop(cursor, mine)
                cursor.execute(f'CREATE DATABASE "{mine}" TEMPLATE "{template}"')
        connection.close()
        settings.DATABASES[connection.alias]["NAME"] = mine
        connection.settings_dict["NAME"] = mine
    yield
    with django_db_blocker.unblock():
        connection.close()
        settings.DATABASES[connection.alias]["NAME"] = original
        connection.settings_dict["NAME"] = original
        with _maintenance(connection.settings_dict) as admin, admin.cursor() as cursor:
            _drop(cursor, mine)


def drop_template(config) -> None:
    """After an xdist run, in the controlling process: the template and its
    marker go (the next run migrates a new one)."""
    if getattr(config, "workerinput", None) is not None or not config.pluginmanager.has_plugin(
        "xdist"
    ):
        return
    if not getattr(config.option, "numprocesses", None):
        return
    from django.conf import settings

    settings_dict = settings.DATABASES["default"]
    if "postgresql" not in settings_dict["ENGINE"]:
        return
    template = _template_name(settings_dict["NAME"])
    for stale in LOCK_DIR.glob(f"storyline-{template}.*"):
        if not stale.name.endswith(".lock"):
            stale.unlink(missing_ok=True)
    try:
        with _maintenance(settings_dict) as admin, admin.cursor() as cursor:
            _drop(cursor, template)
    except Exception:  # a stopped server: nothing to clean
        return
