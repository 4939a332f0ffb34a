"""A URLconf whose one view finds the database gone (test_server_error)."""

from django.db import OperationalError
from django.urls import path


def database_gone(request):
    raise OperationalError("connection refused")


handler500 = "core.views.server_error"
urlpatterns = [path("", database_gone)]
