"""Fixtures for outreach: a published story whose customer has an account
owner (dave) and two contacts who take reference calls."""

import pytest
from django.contrib.auth.models import Group

from core.roles import SALES
from tests import factories
from tests.interviews.conftest import make_interview  # noqa: F401 (fixture)


@pytest.fixture
def dave(groups):
    """Sales rep who owns the customer's account."""
    user = factories.UserFactory(username="dave", first_name="Dave", is_staff=True)
    user.groups.add(Group.objects.get(name=SALES))
    return user


@pytest.fixture
def story(story_at, dave):
    customer = factories.CustomerFactory(name="Acme Retail", account_owner=dave)
    cs = story_at("published", customer=customer, title="Acme closes the books faster")
    return cs


@pytest.fixture
def sari(story):
    return factories.ContactFactory(
        customer=story.customer,
        name="Sari Wijaya",
        title="CFO",
        email="sari@acme.example",
        available_as_reference=True,
    )


@pytest.fixture
def budi(story):
    return factories.ContactFactory(
        customer=story.customer,
        name="Budi Santoso",
        email="budi@acme.example",
        available_as_reference=True,
    )


@pytest.fixture
def shy(story):
    return factories.ContactFactory(
        customer=story.customer, name="Not A Reference", available_as_reference=False
    )


def reload(obj):
    obj.refresh_from_db()
    return obj
