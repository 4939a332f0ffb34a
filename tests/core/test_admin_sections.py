"""The admin home organised by the lifecycle, technical records under
"System" for superusers only, and a line on each list page saying what it
is for."""

import pytest
from django.urls import reverse

from tests import factories

pytestmark = pytest.mark.django_db

ORDER = [
    "1. Selection: which customers",
    "2. Recruitment: asking them",
    "3. Interviews",
    "4. Drafting: the stories",
    "5. Approval",
    "6. Publication",
    "7. Distribution",
    "8. Impact",
    "Settings",
]


def test_a_program_manager_sees_the_lifecycle_and_no_system(client, alice):
    client.force_login(alice)
    html = client.get(reverse("admin:index")).content.decode()
    positions = [html.index(f">{label}<") for label in ORDER]
    assert positions == sorted(positions)
    assert ">System<" not in html
    assert reverse("admin:core_auditentry_changelist") not in html
    assert reverse("admin:core_outboxemail_changelist") not in html


def test_a_superuser_finds_the_technical_records_under_system(client):
    admin = factories.UserFactory(username="root", is_staff=True, is_superuser=True)
    client.force_login(admin)
    html = client.get(reverse("admin:index")).content.decode()
    system = html[html.index(">System<") :]
    for name in (
        "core_auditentry",
        "core_outboxemail",
        "core_importjob",
        "casestudies_statechange",
    ):
        assert reverse(f"admin:{name}_changelist") in system


def test_a_list_page_says_what_it_is_for(client, alice):
    client.force_login(alice)
    html = client.get(reverse("admin:casestudies_nomination_changelist")).content.decode()
    assert 'class="list-description"' in html
    assert "Customers colleagues propose for a story" in html
