"""A database that is not there answers 503 "back in a moment", not 500."""

import pytest
from django.db import OperationalError
from django.test import Client

pytestmark = pytest.mark.django_db


@pytest.mark.urls("tests.core.urls_database_down")
def test_an_unreachable_database_is_a_503_with_retry_after(settings):
    settings.DEBUG = False
    response = Client(raise_request_exception=False).get("/")
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
