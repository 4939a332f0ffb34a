import pytest

from tests import factories


@pytest.fixture
def candidate(db):
    """A candidate story at an enterprise customer with a strong result and
    a contact who may be contacted."""
    customer = factories.CustomerFactory(
        name="Medika Prima",
        company_size="enterprise",
        website="https://medika.example",
    )
    factories.ContactFactory(
        customer=customer,
        name="Sari Wijaya",
        title="CFO",
        email="sari@medika.example",
        agreed_to_participate=False,
    )
    cs = factories.CaseStudyFactory(customer=customer, title="Medika Prima story")
    factories.MetricFactory(
        case_study=cs,
        kind="efficiency",
        label="Claims processed per day",
        before=100,
        after=145,
        higher_is_better=True,
    )
    return cs
