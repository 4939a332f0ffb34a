"""Every Celery task in the code is registered in a worker started exactly as
the container entrypoint starts it. Celery autodiscovers only each app's
``tasks`` module, so a task defined anywhere else is "unregistered" in
production while a worker inside the test process (where everything is
already imported) runs it happily: this is the test that sees the
difference."""

import importlib
import pkgutil
import time

import pytest
from celery import Celery

from tests.processes import ROOT, production_stack

pytestmark = [pytest.mark.worker, pytest.mark.production]

APPS = [
    "core",
    "casestudies",
    "recruitment",
    "interviews",
    "approvals",
    "distribution",
    "analytics",
]


def tasks_defined_in_the_code() -> set[str]:
    """Import every module of every app (migrations and tests aside) and
    collect the tasks they define."""
    from config.celery_app import app

    for name in APPS:
        package = importlib.import_module(name)
        for module in pkgutil.walk_packages(package.__path__, prefix=f"{name}."):
            if ".migrations" in module.name or ".tests" in module.name:
                continue
            importlib.import_module(module.name)
    app.finalize()
    # Only the apps' own tasks (a test module may define one of its own).
    return {
        name
        for name, task in app.tasks.items()
        if not name.startswith("celery.") and task.__module__.split(".")[0] in APPS
    }


def test_the_code_defines_tasks():
    defined = tasks_defined_in_the_code()
    assert {"core.tasks.deliver_email", "distribution.tasks.render_document"} <= defined


def test_every_task_in_the_code_is_registered_in_a_production_worker(stack_urls, static_root):
    defined = tasks_defined_in_the_code()
    with production_stack(**stack_urls, static_root=static_root, web=False) as stack:
        client = Celery(broker=stack_urls["redis_url"], set_as_current=False)
        hostname = stack.env["CELERY_HOSTNAME"].replace("%h", __import__("socket").gethostname())
        registered = None
        for _ in range(20):
            answer = client.control.inspect(destination=[hostname], timeout=2).registered()
            if answer:
                registered = set(answer[hostname])
                break
            time.sleep(0.5)
        assert registered is not None, stack.log_text()
    missing = defined - registered
    assert not missing, f"defined in the code but unknown to a production worker: {missing}"
    # Each beat entry names a task the worker knows.
    from django.conf import settings

    scheduled = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert scheduled <= registered, scheduled - registered
    assert ROOT.joinpath("docker", "entrypoint.sh").exists()
