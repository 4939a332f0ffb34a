import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.utils.text import slugify

from casestudies import services
from casestudies.models import (
    SECTION_FIELDS,
    CaseStudy,
    CaseStudyState,
    Contact,
    Customer,
    Industry,
    InternalSignOff,
    Metric,
    Product,
    Quote,
    Region,
    UseCase,
    internal_review_areas,
)
from core.roles import PROGRAM_MANAGERS


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.com")
    password = factory.django.Password("correct horse battery staple")


class TermFactory(factory.django.DjangoModelFactory):
    class Meta:
        abstract = True
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Term {n}")
    slug = factory.LazyAttribute(lambda t: slugify(t.name))


class IndustryFactory(TermFactory):
    class Meta:
        model = Industry

    name = factory.Iterator(["Healthcare", "Retail", "Manufacturing"])


class RegionFactory(TermFactory):
    class Meta:
        model = Region

    name = factory.Iterator(["Europe", "Asia-Pacific", "North America"])


class UseCaseFactory(TermFactory):
    class Meta:
        model = UseCase

    name = factory.Iterator(["Finance automation", "Sales analytics"])


class ProductFactory(TermFactory):
    class Meta:
        model = Product

    name = factory.Iterator(["Core platform", "Analytics module"])


class CustomerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Customer

    name = factory.Sequence(lambda n: f"Customer {n}")
    slug = factory.LazyAttribute(lambda c: slugify(c.name))
    industry = factory.SubFactory(IndustryFactory)
    region = factory.SubFactory(RegionFactory)
    company_size = "mid-market"


class ContactFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Contact

    customer = factory.SubFactory(CustomerFactory)
    name = factory.Faker("name")
    email = factory.Sequence(lambda n: f"contact{n}@customer.example")
    role = Contact.Role.DEPARTMENT_LEADER
    may_contact = True
    agreed_to_participate = True


class CaseStudyFactory(factory.django.DjangoModelFactory):
    """A candidate; use :func:`case_study_in_state` for later stages."""

    class Meta:
        model = CaseStudy

    customer = factory.SubFactory(CustomerFactory)
    title = factory.Sequence(lambda n: f"Story {n}")
    slug = factory.LazyAttribute(lambda c: slugify(c.title))


class MetricFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Metric

    case_study = factory.SubFactory(CaseStudyFactory)
    kind = Metric.Kind.TIME_SAVED
    label = "Month-end close"
    before = 15
    after = 5
    unit = "days"
    higher_is_better = False


class QuoteFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Quote

    case_study = factory.SubFactory(CaseStudyFactory)
    speaker_name = "Sarah Chen"
    speaker_title = "VP of Operations"
    text = "We cut month-end close from 15 days to 5."
    kind = Quote.Kind.PULL
    permission = Quote.Permission.APPROVED


def sections(words: int = 200, **overrides) -> dict[str, str]:
    body = {name: " ".join(["word"] * words) for name in SECTION_FIELDS}
    body["summary"] = " ".join(["summary"] * 120)
    body.update(overrides)
    return body


def program_manager(username: str = "alice", first_name: str = "Alice"):
    """A program manager (the cast's alice by default); the same row again
    when one with that name exists."""
    user = UserFactory(username=username, first_name=first_name, is_staff=True)
    user.groups.add(Group.objects.get(name=PROGRAM_MANAGERS))
    return user


def area_reviewer(area: str):
    """The colleague who signs ``area`` off in tests (one person per area:
    by default nobody signs off two areas of a version)."""
    return UserFactory(username=f"{area}-reviewer", first_name=area.capitalize(), is_staff=True)


def sign_off_internal_review(version, *, actor, areas=None) -> list[InternalSignOff]:
    """Every required area (or ``areas``) approves ``version``, through the
    service: ``actor`` signs the first area they may, each other area is
    signed by its own reviewer (``area_reviewer``)."""
    sign_offs = []
    for area in internal_review_areas() if areas is None else areas:
        signed_other = InternalSignOff.objects.filter(
            version=version, reviewer_id=getattr(actor, "pk", None)
        ).exists()
        signer = area_reviewer(area) if signed_other else actor
        sign_offs.append(
            services.internal_sign_off_record(
                version=version, area=area, decision="approved", actor=signer, source="tests"
            )
        )
    return sign_offs


S = CaseStudyState
EXITS = {S.DECLINED: ["decline"], S.ON_HOLD: ["start_recruiting", "put_on_hold"]}


def _path_to(state: str) -> list[str]:
    """The transitions to ``state``; "version" marks where a draft is saved."""
    path = list(EXITS.get(state) or services.main_line_to(state))
    if "submit_for_review" in path:
        path.insert(path.index("submit_for_review"), "version")
    return path


def case_study_in_state(
    state: str,
    *,
    actor,
    title: str | None = None,
    customer=None,
    story_title: str | None = None,
    **fields,
) -> CaseStudy:
    customer = customer or CustomerFactory()
    if not customer.contacts.exists():
        ContactFactory(customer=customer)
    cs = CaseStudyFactory(
        customer=customer, owner=actor, **({"title": title} if title else {}), **fields
    )
    for step in _path_to(state):
        if step == "start_drafting":
            MetricFactory(case_study=cs)
            QuoteFactory(case_study=cs)
        if step == "version":
            version = services.story_version_create(
                case_study=cs, actor=actor, title=story_title or cs.title, sections=sections()
            )
            # Product, marketing and legal sign the draft off before it goes out.
            sign_off_internal_review(version, actor=actor)
            continue
        services.TRANSITION_FUNCTIONS[step](case_study=cs, actor=actor, reason="Because.")
    cs.refresh_from_db()
    assert cs.state == state
    return cs
