"""Settings come from the environment; production settings pass Django's
deployment checklist; the demo login is refused in production."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION = {
    "DJANGO_SETTINGS_MODULE": "config.settings.base",
    "DEBUG": "0",
    "SECRET_KEY": "k3y-" + "x7Q!pZ2@wL9#vR4$" * 4,
    "ALLOWED_HOSTS": "stories.example.com",
    "SITE_URL": "https://stories.example.com",
}


def _run(args, **env):
    # A bare environment: only what the command is given (the test settings
    # put relaxed defaults into this process's environment).
    clean = {k: os.environ[k] for k in ("PATH", "HOME", "LANG") if k in os.environ}
    return subprocess.run(  # noqa: S603 - our own interpreter and manage.py
        [sys.executable, *args],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_production_settings_pass_the_deployment_checklist():
    result = _run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], **PRODUCTION)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_a_secret_key():
    env = {k: v for k, v in PRODUCTION.items() if k != "SECRET_KEY"}
    result = _run(["manage.py", "check"], **env)
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def settings_value(expr: str, **env) -> str:
    """``str(expr)`` with ``settings`` read from the environment ``env``
    (plus the production basics). Evaluated in this process from a fresh run
    of ``config/settings/base.py`` (fast); in a new interpreter with Django set
    up when the expression needs more than the settings module (the logging
    configuration) or the environment would start Sentry here."""
    env = {**PRODUCTION, **env}
    if "getLogger" in expr or env.get("SENTRY_DSN"):
        code = f"import django; django.setup(); from django.conf import settings; print({expr})"
        result = _run(["-c", code], **env)
        assert result.returncode == 0, result.stderr
        return result.stdout.strip()
    return str(eval(expr, {"settings": _settings_module(**env)}))  # noqa: S307 - our tests' code


def _settings_module(**env):
    """``config/settings/base.py`` run with exactly ``env`` as the process
    environment (restored afterwards), as a namespace."""
    import runpy
    from types import SimpleNamespace

    clean = {k: os.environ[k] for k in ("PATH", "HOME", "LANG") if k in os.environ}
    saved = dict(os.environ)
    os.environ.clear()
    os.environ.update({**clean, **env})
    try:
        namespace = runpy.run_path(str(ROOT / "config" / "settings" / "base.py"))
    finally:
        os.environ.clear()
        os.environ.update(saved)
    return SimpleNamespace(**{k: v for k, v in namespace.items() if k.isupper()})


def test_without_urls_it_uses_sqlite_locmem_and_eager_tasks():
    assert settings_value("settings.DATABASES['default']['ENGINE']") == (
        "django.db.backends.sqlite3"
    )
    assert settings_value("settings.CACHES['default']['BACKEND']").endswith("LocMemCache")
    assert settings_value("settings.CELERY_TASK_ALWAYS_EAGER") == "True"


def test_with_urls_it_uses_postgres_and_redis():
    env = {
        "DATABASE_URL": "postgres://u:p@db.internal:5432/storyline",
        "REDIS_URL": "redis://cache.internal:6379/0",
    }
    assert settings_value("settings.DATABASES['default']['ENGINE']", **env) == (
        "django.db.backends.postgresql"
    )
    assert settings_value("settings.CACHES['default']['BACKEND']", **env).endswith("RedisCache")
    assert settings_value("settings.CELERY_BROKER_URL", **env) == "redis://cache.internal:6379/0"
    assert settings_value("settings.CELERY_TASK_ALWAYS_EAGER", **env) == "False"


def test_media_goes_to_s3_compatible_storage_when_a_bucket_is_set():
    assert settings_value("settings.STORAGES['default']['BACKEND']") == (
        "django.core.files.storage.FileSystemStorage"
    )
    env = {"AWS_STORAGE_BUCKET_NAME": "stories", "AWS_S3_ENDPOINT_URL": "http://minio:9000"}
    assert settings_value("settings.STORAGES['default']['BACKEND']", **env) == (
        "storages.backends.s3.S3Storage"
    )
    assert settings_value("settings.STORAGES['default']['OPTIONS']['endpoint_url']", **env) == (
        "http://minio:9000"
    )


def _settings_json(expr: str, **env):
    import json

    return json.loads(settings_value(f"__import__('json').dumps({expr})", **env))


def test_import_files_wait_in_private_shared_storage():
    media, imports, tmp_class = _settings_json(
        "[settings.MEDIA_ROOT, settings.STORAGES['imports'],"
        " settings.IMPORT_EXPORT_TMP_STORAGE_CLASS]"
    )
    location = Path(imports["OPTIONS"]["location"])
    assert location.name == "private-imports"
    assert Path(media) not in location.parents  # nothing serving /media/ serves it
    assert tmp_class == "core.import_files.SharedImportTmpStorage"
    s3 = _settings_json(
        "settings.STORAGES['imports']",
        AWS_STORAGE_BUCKET_NAME="stories",
        AWS_S3_CUSTOM_DOMAIN="cdn.example.com",
    )
    assert s3["BACKEND"] == "storages.backends.s3.S3Storage"
    assert s3["OPTIONS"]["bucket_name"] == "stories"
    assert s3["OPTIONS"]["location"] == "private"
    assert s3["OPTIONS"]["custom_domain"] is None
    assert s3["OPTIONS"]["querystring_auth"] is True


def test_error_reports_and_email_services_come_from_the_environment():
    expr = (
        "[settings.ADMINS, settings.EMAIL_BACKEND, settings.ANYMAIL, settings.SENTRY_ENABLED,"
        " len(__import__('logging').getLogger('django.request').handlers),"
        " settings.IMPORT_MAX_ROWS, settings.IMPORT_SYNC_ROWS]"
    )
    admins, backend, anymail, sentry, mail_handlers, cap, sync = _settings_json(expr)
    assert (admins, sentry, mail_handlers, cap, sync) == ([], False, 1, 10000, 500)
    assert backend == "django.core.mail.backends.console.EmailBackend"
    assert anymail == {"WEBHOOK_SECRET": ""}
    env = {
        "ADMINS": "Ops <ops@example.com>,Jane <jane@example.com>",
        "EMAIL_BACKEND": "anymail.backends.mailgun.EmailBackend",
        "ANYMAIL_MAILGUN_API_KEY": "key-123",
        "ANYMAIL_WEBHOOK_SECRET": "hook:secret",
        "ANYMAIL_MAILGUN_WEBHOOK_SIGNING_KEY": "",
        "SENTRY_DSN": "http://public@127.0.0.1:9/1",
        "IMPORT_MAX_ROWS": "2000",
    }
    admins, backend, anymail, sentry, mail_handlers, cap, sync = _settings_json(expr, **env)
    assert admins == [["Ops", "ops@example.com"], ["Jane", "jane@example.com"]]
    assert backend == "anymail.backends.mailgun.EmailBackend"
    # An empty signing key is left out: anymail then refuses instead of
    # accepting signatures made with an empty key.
    assert anymail == {"MAILGUN_API_KEY": "key-123", "WEBHOOK_SECRET": "hook:secret"}
    assert (sentry, mail_handlers, cap) == (True, 0, 2000)  # Sentry reports 500s


def test_email_comes_from_email_url():
    env = {"EMAIL_URL": "smtp+tls://mailer:secret@smtp.example.com:587"}
    assert settings_value("settings.EMAIL_HOST", **env) == "smtp.example.com"
    assert settings_value("settings.EMAIL_USE_TLS", **env) == "True"


@pytest.mark.django_db
def test_the_demo_login_is_refused_when_debug_is_off(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG is off"):
        call_command("ensure_demo_user")


@pytest.mark.django_db
def test_the_demo_login_is_a_program_manager(settings, client):
    settings.DEBUG = True
    call_command("ensure_demo_user", stdout=open(os.devnull, "w"))  # noqa: SIM115
    call_command("ensure_demo_user", stdout=open(os.devnull, "w"))  # noqa: SIM115 - idempotent
    login = settings.STORYLINE["DEMO_LOGIN"]
    # Through the real login page (django-axes, the second-factor field):
    # with the default settings the demo login needs nothing more.
    response = client.post(
        "/admin/login/?next=/admin/",
        {"username": login["username"], "password": login["password"]},
    )
    assert response.status_code == 302, response.content.decode()[:500]
    assert response["Location"] == "/admin/"
    response = client.get("/admin/")
    assert response.status_code == 200
    assert "pipeline" in response.context
