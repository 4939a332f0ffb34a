"""The Celery application. Settings come from Django's (``CELERY_`` namespace);
tasks take primary keys and call services.

A failed task is reported: to Sentry / GlitchTip when ``SENTRY_DSN`` is set
(its Celery integration), otherwise by email to ``ADMINS`` through the
``task_failure`` handler connected here, the module every worker imports."""

import os

from celery import Celery
from celery.signals import task_failure

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")

app = Celery("storyline")
app.config_from_object("django.conf:settings", namespace="CELERY")
# Each app's ``tasks`` module, and those of distribution's sub-packages
# (publication, sales, outreach): a task anywhere else is unknown to a worker
# (tests/production/test_task_registry.py).
app.autodiscover_tasks()
app.autodiscover_tasks(
    ["distribution.publication", "distribution.sales", "distribution.outreach"],
    related_name="tasks",
)


@task_failure.connect(weak=False, dispatch_uid="storyline-mail-admins-on-task-failure")
def _report_task_failure(sender=None, **kwargs):
    from core.error_reports import mail_admins_on_task_failure

    mail_admins_on_task_failure(sender=sender, **kwargs)
