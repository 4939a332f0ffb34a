import pytest
from django.contrib.auth.models import Group

from core.roles import PROGRAM_MANAGERS
from tests import factories
from tests.approvals.staff import factories_b


@pytest.fixture
def dave(groups):
    """A second program manager."""
    user = factories.UserFactory(username="dave", first_name="Dave", is_staff=True)
    user.groups.add(Group.objects.get(name=PROGRAM_MANAGERS))
    return user


@pytest.fixture
def erin(db):
    """The customer's account owner (sales)."""
    return factories.UserFactory(username="erin", first_name="Erin", is_staff=True)


@pytest.fixture
def in_review(story_at, erin):
    """A story in review whose customer's account owner is erin."""
    cs = story_at("in_review")
    cs.customer.account_owner = erin
    cs.customer.save(update_fields=["account_owner"])
    return cs


@pytest.fixture
def open_request(in_review, alice):
    return factories_b.approval_request(in_review, actor=alice)
