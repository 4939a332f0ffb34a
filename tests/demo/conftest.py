import pytest
from django.core.management import call_command
from django.db import transaction


@pytest.fixture(scope="package")
def seeded(django_db_setup, django_db_blocker):
    """The demo program seeded once for the tests of tests/demo that read it,
    inside a transaction rolled back at the end; each test runs in a
    savepoint of its own within it, so what one test adds the next never
    sees."""
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
        yield
        transaction.set_rollback(True)
