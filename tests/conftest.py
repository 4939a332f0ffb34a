"""Shared fixtures: the cast (alice the program manager, bob the sales rep,
charlie the outsider) and a story at any stage.

With ``CI=true`` the real services are mandatory: a missing PostgreSQL or
Redis stops the run instead of quietly testing less."""

import os
import time
import uuid
from contextlib import contextmanager
from dataclasses import dataclass, field

import pytest
from django.conf import settings
from django.contrib.auth.models import Group

from core.roles import INTERNAL_REVIEWERS, PROGRAM_MANAGERS, SALES, ensure_groups
from tests import factories
from tests.browser_support import browser  # noqa: F401 (the session's Chromium)
from tests.dbtemplate import django_db_setup, drop_template  # noqa: F401 (one migration a run)

IN_CI = os.environ.get("CI", "").lower() == "true"


def pytest_configure(config):
    if IN_CI:
        missing = [name for name in ("DATABASE_URL", "REDIS_URL") if not os.environ.get(name)]
        if missing:
            raise pytest.UsageError(f"CI=true but {', '.join(missing)} not set.")


# The longest first: whole stacks of processes (the fault suite, the
# production smoke test), then a browser or a real worker.
SLOW_MARKERS = (("fault", "production"), ("browser", "worker", "provider"))


def _weight(item) -> int:
    for rank, markers in enumerate(SLOW_MARKERS):
        if any(item.get_closest_marker(m) for m in markers):
            return rank
    # Then the tests that read the demo program (seeded once per process,
    # tests/demo/conftest.py): together near the front of one worker's
    # share, where no other worker steals them and seeds it again.
    if item.nodeid.startswith("tests/demo/"):
        return len(SLOW_MARKERS)
    return len(SLOW_MARKERS) + 1


def pytest_collection_modifyitems(config, items):
    """The longest tests (separate processes, a browser, a real worker)
    first: the xdist workers start on them and the quick ones fill in
    around, instead of one long test finishing the run alone."""
    _refuse_flushes_under_shared_rows(items)
    items.sort(key=_weight)


def _transactional(item) -> bool:
    marker = item.get_closest_marker("django_db")
    if marker is not None and marker.kwargs.get("transaction"):
        return True
    return bool({"transactional_db", "live_server"} & set(item.fixturenames))


def _refuse_flushes_under_shared_rows(items) -> None:
    """A class whose tests share rows (``shared_db``) keeps one transaction
    open from its first test to its last: a transactional test there would
    flush the shared rows away. Say so at collection, not as a strange failure."""
    classes: dict = {}
    for item in items:
        if item.cls is None:
            continue
        shares, flushes = classes.get(item.cls, (False, False))
        classes[item.cls] = (
            shares or "shared_db" in item.fixturenames,
            flushes or _transactional(item),
        )
    wrong = [c.__qualname__ for c, (shares, flushes) in classes.items() if shares and flushes]
    if wrong:
        raise pytest.UsageError(
            f"{', '.join(wrong)}: a class sharing rows (shared_db) cannot hold a "
            "transactional test; move that test out of the class."
        )


def pytest_sessionfinish(session):
    drop_template(session.config)


def pytest_report_header(config):
    return (
        f"storyline: database={settings.DATABASES['default']['ENGINE'].rsplit('.', 1)[-1]} "
        f"redis={'yes' if os.environ.get('REDIS_URL') else 'no (eager, locmem)'}"
    )


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Database rows roll back between tests, the cache does not: every test
    starts with an empty one (page cache, throttle counters, derived counts).
    Only this test process's keys: clear() never touches the broker's."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _default_language():
    """A request in Indonesian leaves Indonesian active in this thread (the
    locale middleware activates, nothing deactivates): every test starts and
    ends in the default language, whatever ran before it in the process."""
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def _eager_results_may_be_read():
    """A real worker run in this process (``real_worker``) marks joining a
    result as blocking, process-wide, and may do so after it has started:
    every test starts with eager results readable again."""
    from celery._state import _set_task_join_will_block

    _set_task_join_will_block(False)


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    # The private import storage (core/import_files.py), beside media.
    settings.STORAGES = {
        **settings.STORAGES,
        "imports": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "private-imports")},
        },
    }
    settings.PRIVATE_MEDIA_ROOT = str(tmp_path / "private-media")


ROLE_GROUPS = (PROGRAM_MANAGERS, SALES, INTERNAL_REVIEWERS)


@pytest.fixture(scope="class")
def shared_db(request, django_db_blocker):
    """One transaction around a test class, rolled back after its last test.
    Rows that a class-scoped fixture makes inside it are made once and shared
    by the class's tests; each test's own changes still roll back (its
    transaction is a savepoint in this one). The class-scoped fixture hands
    its rows over through ``fresh`` in a function-scoped one, so no test sees
    another's changes to the Python objects either. Only in a class: pytest
    sets a class-scoped fixture up again for every test outside one."""
    from django.db import transaction

    request.getfixturevalue("django_db_setup")
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        # Like a TestCase's own transaction: a durable block may open inside.
        atomic._from_testcase = True
        atomic.__enter__()
        try:
            yield
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


def fresh(value):
    """``value`` with every model instance in it read again from the
    database (a dict's values, a list's items): what a test gets of rows a
    class-scoped fixture made."""
    from django.db.models import Model

    if isinstance(value, Model):
        return type(value)._base_manager.get(pk=value.pk)
    if isinstance(value, dict):
        return {key: fresh(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return type(value)(fresh(item) for item in value)
    return value


@pytest.fixture
def groups(db):
    """The role groups with their permissions. Migrating made them (and a
    flush re-runs the post-migrate handler that does): set them up again only
    when a test's database lacks them."""
    if Group.objects.filter(name__in=ROLE_GROUPS).count() != len(ROLE_GROUPS):
        ensure_groups()


@pytest.fixture
def alice(groups):
    """Program manager: runs the program."""
    return factories.program_manager()


@pytest.fixture
def bob(groups):
    """Sales rep: reads stories."""
    user = factories.UserFactory(username="bob", first_name="Bob", is_staff=True)
    user.groups.add(Group.objects.get(name=SALES))
    return user


@pytest.fixture
def charlie(db):
    """Staff account in no group: sees nothing of the program."""
    return factories.UserFactory(username="charlie", is_staff=True)


@pytest.fixture
def story_at(alice):
    """``story_at("approved")`` → a case study moved there through the services."""

    def make(state: str, **kwargs):
        return factories.case_study_in_state(state, actor=alice, **kwargs)

    return make


def require_postgres():
    if settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
        if IN_CI:
            pytest.fail("CI=true requires PostgreSQL (DATABASE_URL).")
        pytest.skip("needs PostgreSQL (set DATABASE_URL)")


def require_redis() -> str:
    url = os.environ.get("REDIS_URL", "")
    if not url:
        if IN_CI:
            pytest.fail("CI=true requires Redis (REDIS_URL).")
        pytest.skip("needs Redis (set REDIS_URL)")
    return url


@contextmanager
def celery_conf(**overrides):
    """Change the Celery app's configuration for a block, then restore it."""
    from config.celery_app import app

    old = {key: app.conf[key] for key in overrides}
    app.conf.update(overrides)
    _reset_connection_pools(app)
    try:
        yield app
    finally:
        app.conf.update(old)
        _reset_connection_pools(app)


def _reset_connection_pools(app) -> None:
    # Producer connections are pooled per app and keep the broker URL they were
    # opened with, and the AMQP helper caches queues and routes from the
    # configuration it first saw: drop both so the next publish (and worker)
    # use the current configuration.
    app._after_fork()
    app.__dict__.pop("amqp", None)


@dataclass
class RealWorker:
    """What ``real_worker`` yields: the configured ``app``, the random ``queue``
    it consumes from, and ``finished`` (task id → return value of every task
    that ran)."""

    app: object
    queue: str
    finished: dict[str, object] = field(default_factory=dict)

    @contextmanager
    def running(self):
        """A real worker (solo pool) consuming ``queue`` for the block."""
        from celery.contrib.testing.worker import start_worker

        with start_worker(
            self.app,
            pool="solo",
            perform_ping_check=False,
            shutdown_timeout=10,
            loglevel="WARNING",
        ):
            yield self


@contextmanager
def real_worker(*, start: bool = True, **conf_overrides):
    """Point the Celery app at Redis and a fresh queue (never another run's
    messages), record each finished task in ``.finished`` and, unless
    ``start=False`` (then enter ``.running()`` yourself), run a real worker
    for the block. ``conf_overrides`` add to or replace the Celery settings."""
    from celery.signals import task_postrun

    url = require_redis()
    queue = f"test-{uuid.uuid4().hex[:8]}"
    finished: dict[str, object] = {}

    def record(task_id=None, retval=None, **kwargs):
        finished[task_id] = retval

    conf = {
        "task_always_eager": False,
        "broker_url": url,
        "task_default_queue": queue,
        **conf_overrides,
    }
    task_postrun.connect(record, weak=False)
    try:
        with celery_conf(**conf) as app:
            worker = RealWorker(app=app, queue=conf["task_default_queue"], finished=finished)
            if start:
                with worker.running():
                    yield worker
            else:
                yield worker
    finally:
        task_postrun.disconnect(record)


def wait_for(predicate, timeout: float = 20.0, interval: float = 0.1) -> bool:
    """Poll ``predicate`` every ``interval`` seconds until it holds (True) or
    ``timeout`` seconds pass (False)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(interval)
    return False


def deliver_outbox() -> int:
    """Send every pending outbox email now, as the worker does after commit
    (tests inside a transaction never commit, so nothing runs on its own).
    Returns how many were sent."""
    from core import outbox
    from core.models import OutboxEmail

    pending = OutboxEmail.objects.filter(status=OutboxEmail.Status.PENDING).order_by("pk")
    return sum(outbox.deliver(pk) for pk in pending.values_list("pk", flat=True))


def redeliver_every_email() -> list[bool]:
    """Deliver every outbox email again, as a redelivered task or a second
    worker would; each call returns False when the email was already sent."""
    from core import outbox
    from core.models import OutboxEmail

    return [outbox.deliver(pk) for pk in OutboxEmail.objects.values_list("pk", flat=True)]
