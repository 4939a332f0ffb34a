"""The Celery application. Settings come from Django's (``CELERY_`` namespace);
tasks take primary keys and call services."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")

app = Celery("storyline")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
