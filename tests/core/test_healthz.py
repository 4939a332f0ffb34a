import pytest
from django.db import OperationalError

from tests.conftest import celery_conf, require_redis

pytestmark = pytest.mark.django_db


def test_it_reports_everything_up(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert set(body["checks"]) == {"database", "cache", "broker"}
    assert all(check["ok"] for check in body["checks"].values())
    assert response["Cache-Control"].startswith("max-age=0")


def test_it_is_503_when_the_database_is_down(client, monkeypatch):
    from django.db import connections

    def broken(*args, **kwargs):
        raise OperationalError("connection refused")

    monkeypatch.setattr(connections["default"], "cursor", broken)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["checks"]["database"] == {"ok": False, "detail": "OperationalError"}


def test_it_is_503_when_the_cache_is_down(client, settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",  # nothing listens on port 1
        }
    }
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["checks"]["cache"]["ok"] is False


def test_it_is_503_when_the_broker_is_down(client):
    with celery_conf(task_always_eager=False, broker_url="redis://127.0.0.1:1/0"):
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["checks"]["broker"]["ok"] is False


def test_it_reaches_a_real_broker_when_configured(client):
    url = require_redis()
    with celery_conf(task_always_eager=False, broker_url=url):
        response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["checks"]["broker"] == {"ok": True, "detail": "connected"}


def test_it_refuses_writes(client):
    assert client.post("/healthz").status_code == 405
