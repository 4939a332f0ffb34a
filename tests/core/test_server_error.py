"""A database that is not there answers 503 "back in a moment", not 500."""

import pytest
from django.db import OperationalError
from django.test import Client

pytestmark = pytest.mark.django_db


def test_an_unreachable_database_is_a_503_with_retry_after(settings, monkeypatch):
    from distribution import views

    def down(*args, **kwargs):
        raise OperationalError("connection refused")

    monkeypatch.setattr(views, "gallery", down)
    settings.DEBUG = False
    from django.urls import clear_url_caches

    clear_url_caches()
    client = Client(raise_request_exception=False)
    response = client.get("/case-studies/")
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert "back in a moment" in response.content.decode()


def test_the_handler_answers_503_for_database_errors_and_500_otherwise(rf):
    from core.views import server_error

    try:
        raise OperationalError("down")
    except OperationalError:
        response = server_error(rf.get("/"))
    assert response.status_code == 503 and response["Retry-After"] == "5"
    try:
        raise ValueError("bug")
    except ValueError:
        response = server_error(rf.get("/"))
    assert response.status_code == 500
