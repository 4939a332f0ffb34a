"""pytest settings: the environment's DATABASE_URL / REDIS_URL when set
(PostgreSQL and Redis in CI), SQLite and eager Celery otherwise."""

import os
import uuid

os.environ.setdefault("SECRET_KEY", "test-only-secret-key-not-for-production-use-0123456789")
os.environ.setdefault("SECURE_SSL_REDIRECT", "false")
os.environ.setdefault("SESSION_COOKIE_SECURE", "false")
os.environ.setdefault("CSRF_COOKIE_SECURE", "false")
os.environ.setdefault("SECURE_HSTS_SECONDS", "0")
os.environ.setdefault("ALLOWED_HOSTS", "testserver,127.0.0.1,localhost")
# Tests never report to a real Sentry / GlitchTip (tests/core/test_error_reports.py
# starts the SDK against a local stand-in).
os.environ["SENTRY_DSN"] = ""

from config.settings import base, extend

extend(globals())

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES = {
    **base.STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Each test run gets its own cache namespace on a shared Redis.
CACHES = base.CACHES
CACHES["default"]["KEY_PREFIX"] = f"storyline-test-{uuid.uuid4().hex[:8]}"
MEDIA_ROOT = os.environ.get("TEST_MEDIA_ROOT", "/tmp/storyline-test-media")  # noqa: S108
# (tests/conftest.py gives each test its own media and import directories)
STORAGES["imports"] = {
    "BACKEND": "django.core.files.storage.FileSystemStorage",
    "OPTIONS": {"location": f"{MEDIA_ROOT}-private-imports"},
}
PRIVATE_MEDIA_ROOT = os.environ.get(
    "TEST_PRIVATE_MEDIA_ROOT",
    "/tmp/storyline-test-private-media",  # noqa: S108
)

# Tasks run inline in tests; the worker tests switch this off and run a real
# Celery worker against Redis.
CELERY_TASK_ALWAYS_EAGER = True

# Test databases need no durability: a commit (a transactional test, a real
# worker's task, a flush) does not wait for the disk. The server's setting is
# untouched; only this process's sessions run without it.
DATABASES = base.DATABASES
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    _options = DATABASES["default"].setdefault("OPTIONS", {})
    _options["options"] = f"{_options.get('options', '')} -c synchronous_commit=off".strip()
