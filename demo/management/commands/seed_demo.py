"""Demo data: a believable case study program at every stage.

Deterministic (one seeded ``random.Random``) and idempotent (keyed on slugs:
running it twice changes nothing). ``--case-studies N`` adds N more published
stories with bulk inserts, for scale tests.
"""

import random
import time
from dataclasses import dataclass
from datetime import date, timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.db.models import OuterRef, Subquery
from django.utils import timezone
from django.utils.text import slugify

from casestudies import services
from casestudies.models import (
    SECTION_FIELDS,
    CaseStudy,
    CaseStudyState,
    Competitor,
    Contact,
    Customer,
    Department,
    Industry,
    InternalSignOff,
    Metric,
    Objection,
    Product,
    Quote,
    Region,
    StateChange,
    StoryVersion,
    UseCase,
    internal_review_areas,
)
from core.page_cache import bump_generation
from core.roles import INTERNAL_REVIEWERS, PROGRAM_MANAGERS, SALES
from demo import bulk
from demo.analytics import seed_analytics
from demo.approvals import seed_approvals
from demo.content import (
    INDUSTRIES,
    REGIONS,
    USE_CASES,
    DemoStory,
    build_story,
)
from demo.evidence import seed_approval_evidence
from demo.interviews import seed_interviews
from demo.outreach import seed_outreach
from demo.recruitment import seed_recruitment
from distribution.models import SalesSearchEntry, StorySearchEntry
from distribution.publication import facets

SEED = 20261124
DESCRIBED_SIZE = {"enterprise": "an enterprise", "mid-market": "a mid-market", "smb": "a small"}
S = CaseStudyState

DEPARTMENTS = ["Finance", "Sales", "Marketing", "Operations", "IT", "Customer support"]
PRODUCTS = [
    ("Core platform", "core"),
    ("Analytics module", "module"),
    ("Automation module", "module"),
    ("Collaboration add-on", "add-on"),
    ("CRM integration", "integration"),
    ("ERP integration", "integration"),
]
OBJECTIONS = [
    "Too expensive",
    "Implementation takes too long",
    "Will not integrate with our stack",
    "Our team will not adopt it",
    "Security and compliance risk",
    "We already have a tool",
]
COMPETITORS = ["LegacySoft", "OldGuard Systems", "SpreadsheetPro", "Acme Suite"]

NAME_PARTS = {
    "Healthcare": (["Northwind", "Meridian", "Sunrise", "Harbor", "Cedar", "Lumen"], "Health"),
    "Financial Services": (
        ["Bluepeak", "Ironbridge", "Silverline", "Granite", "Keystone", "Crescent"],
        "Capital",
    ),
    "Manufacturing": (
        ["Forgeworks", "Steelhaven", "Titan", "Precision", "Vulcan", "Anvil"],
        "Industries",
    ),
    "Technology": (["Nimbus", "Quantix", "Byteforge", "Vertex", "Pixelwave", "Cobalt"], "Labs"),
    "Retail": (
        ["Marketside", "Urban Basket", "Greenleaf", "Corner", "Brightmart", "Velvet"],
        "Stores",
    ),
    "Logistics": (
        ["Swiftline", "Cargo Nusantara", "Atlas", "Waypoint", "Trident", "Roadrunner"],
        "Logistics",
    ),
    "Education": (
        ["Lighthouse", "Scholar", "Brightpath", "Oakridge", "Beacon", "Summit"],
        "Academy",
    ),
    "Hospitality": (
        ["Seabreeze", "Golden Palm", "Alpine", "Bayview", "Horizon", "Lotus"],
        "Hotels",
    ),
}
FIRST = [
    "Sarah",
    "Budi",
    "Maria",
    "Ahmed",
    "Chen",
    "Priya",
    "Lukas",
    "Sofia",
    "Rizky",
    "Emma",
    "Kenji",
    "Ana",
    "David",
    "Siti",
    "Oliver",
    "Fatima",
    "Mateo",
    "Dewi",
    "James",
    "Aiko",
]
LAST = [
    "Chen",
    "Santoso",
    "Garcia",
    "Hassan",
    "Wei",
    "Sharma",
    "Müller",
    "Rossi",
    "Pratama",
    "Johnson",
    "Tanaka",
    "Silva",
    "Kim",
    "Rahman",
    "Brown",
    "Ali",
    "Lopez",
    "Wijaya",
    "Smith",
    "Sato",
]
ROLE_TITLES = {
    Contact.Role.EXECUTIVE_SPONSOR: "Chief Operating Officer",
    Contact.Role.DEPARTMENT_LEADER: "VP of {department}",
    Contact.Role.END_USER: "{department} Specialist",
    Contact.Role.TECHNICAL_LEADER: "Head of IT",
    Contact.Role.LEGAL: "Legal Counsel",
}

# How many demo stories end in each state (48 customers, one story each).
STATE_PLAN: list[tuple[str, int]] = [
    (S.PUBLISHED, 16),
    (S.CANDIDATE, 7),
    (S.RECRUITING, 5),
    (S.INTERVIEWING, 4),
    (S.DRAFTING, 4),
    (S.IN_REVIEW, 3),
    (S.APPROVED, 2),
    (S.ARCHIVED, 2),
    (S.DECLINED, 2),
    (S.ON_HOLD, 3),
]


# How each demo story reaches its state: the main line, or a detour to an exit.
def _path_to(state: str) -> list[str]:
    if state == S.DECLINED:
        return ["start_recruiting", "decline"]
    if state == S.ON_HOLD:
        return [*services.main_line_to(S.INTERVIEWING), "put_on_hold"]
    return services.main_line_to(state)


REASONS = {
    "decline": "The customer's legal team does not allow vendor case studies this year.",
    "put_on_hold": "Customer asked to wait until after their fiscal year-end close.",
    "archive": "Superseded by a newer story; product renamed.",
}


@dataclass
class Taxonomy:
    industries: dict[str, Industry]
    regions: dict[str, Region]
    use_cases: list[UseCase]
    departments: list[Department]
    products: list[Product]
    objections: list[Objection]
    competitors: list[Competitor]


def _term(model, name: str, **extra):
    obj, _ = model.objects.get_or_create(slug=slugify(name), defaults={"name": name, **extra})
    return obj


class Command(BaseCommand):
    help = "Load deterministic demo data (idempotent). --case-studies N adds N published stories."

    def add_arguments(self, parser):
        parser.add_argument(
            "--case-studies",
            type=int,
            default=0,
            metavar="N",
            help="Also add N published case studies with bulk inserts (scale tests).",
        )

    def handle(self, *args, case_studies: int = 0, **options):
        if case_studies < 0:
            raise CommandError("--case-studies must be zero or more.")
        started = time.monotonic()
        rng = random.Random(SEED)
        with transaction.atomic():
            taxonomy = self._taxonomy()
            users = self._users()
            created = self._program(rng, taxonomy, users)
        self.stdout.write(
            f"Demo program: {created} new case studies ({CaseStudy.objects.count()} in all)."
        )
        if case_studies:
            added = self._bulk(case_studies, taxonomy, users)
            self.stdout.write(f"Added {added} published case studies for scale tests.")
        seed_interviews(stdout=self.stdout)
        seed_approvals(stdout=self.stdout)
        seed_approval_evidence(stdout=self.stdout)
        seed_outreach(stdout=self.stdout)
        seed_recruitment(stdout=self.stdout)
        seed_analytics(stdout=self.stdout)
        self.stdout.write(self.style.SUCCESS(f"Done in {time.monotonic() - started:.1f}s."))

    # ------------------------------------------------------------------ basics

    def _taxonomy(self) -> Taxonomy:
        return Taxonomy(
            industries={n: _term(Industry, n) for n in INDUSTRIES},
            regions={n: _term(Region, n) for n in REGIONS},
            use_cases=[_term(UseCase, n) for n in USE_CASES],
            departments=[_term(Department, n) for n in DEPARTMENTS],
            products=[_term(Product, n, kind=k) for n, k in PRODUCTS],
            objections=[_term(Objection, n) for n in OBJECTIONS],
            competitors=[_term(Competitor, n) for n in COMPETITORS],
        )

    def _users(self) -> dict:
        User = get_user_model()
        managers = Group.objects.get_or_create(name=PROGRAM_MANAGERS)[0]
        sales = Group.objects.get_or_create(name=SALES)[0]
        reviewers = Group.objects.get_or_create(name=INTERNAL_REVIEWERS)[0]
        people = {
            "maya": ("Maya", "Putri", managers),
            # Internal review: product checks technical accuracy, legal the
            # claims; Maya (marketing) checks the messaging.
            "nadia": ("Nadia", "Rahman", reviewers),
            "omar": ("Omar", "Lestari", reviewers),
            "sam": ("Sam", "Okafor", sales),
            "lena": ("Lena", "Hartono", sales),
            "tom": ("Tom", "Reyes", sales),
        }
        users = {}
        for username, (first, last, group) in people.items():
            user, created = User.objects.get_or_create(
                username=f"{username}.demo",
                defaults={
                    "first_name": first,
                    "last_name": last,
                    "is_staff": True,
                    "email": f"{username}@storyline.example",
                },
            )
            if created:
                user.set_unusable_password()
                user.save(update_fields=["password"])
            user.groups.add(group)
            users[username] = user
        return users

    # ----------------------------------------------------------- the program

    def _program(self, rng: random.Random, tax: Taxonomy, users: dict) -> int:
        plan = [state for state, n in STATE_PLAN for _ in range(n)]
        sizes = ["enterprise", "mid-market", "smb"]
        owners = [users["sam"], users["lena"], users["tom"]]
        manager = users["maya"]
        today = timezone.localdate()
        created = 0
        index = 0
        for industry_name in INDUSTRIES:
            prefixes, suffix = NAME_PARTS[industry_name]
            for prefix in prefixes:
                target_state = plan[index % len(plan)]
                size = sizes[index % 3]
                region = REGIONS[(index // 2) % len(REGIONS)]
                index += 1
                name = f"{prefix} {suffix}"
                slug = slugify(name)
                # Consume the generator the same way whether or not this customer
                # exists, so reruns stay deterministic and idempotent.
                story_seed = rng.randrange(1_000_000)
                if Customer.objects.filter(slug=slug).exists():
                    continue
                customer = self._customer(
                    rng=random.Random(story_seed),
                    name=name,
                    slug=slug,
                    industry=tax.industries[industry_name],
                    size=size,
                    region=tax.regions[region],
                    tax=tax,
                    owner=owners[index % 3],
                    today=today,
                    target_state=target_state,
                )
                self._story(
                    rng=random.Random(story_seed),
                    seed=story_seed,
                    customer=customer,
                    tax=tax,
                    manager=manager,
                    reviewers={
                        "product": users["nadia"],
                        "marketing": manager,
                        "legal": users["omar"],
                    },
                    target_state=target_state,
                    today=today,
                )
                created += 1
        return created

    def _customer(
        self, *, rng, name, slug, industry, size, region, tax, owner, today, target_state
    ) -> Customer:
        healthy = target_state not in (S.DECLINED,)
        customer = Customer.objects.create(
            name=name,
            slug=slug,
            website=f"https://www.{slug}.example",
            description=f"{name} is {DESCRIBED_SIZE[size]} {industry.name.lower()} company "
            f"operating across {region.name}.",
            industry=industry,
            company_size=size,
            region=region,
            account_owner=owner,
            well_known_brand=size == "enterprise" and rng.random() < 0.6,
            renewal_date=today - timedelta(days=rng.randrange(10, 300)),
            last_business_review_on=today - timedelta(days=rng.randrange(5, 120)),
            last_business_review_sentiment="positive" if healthy else "neutral",
            nps_score=rng.choice([9, 10, 8]) if healthy else 6,
            nps_recorded_on=today - timedelta(days=rng.randrange(5, 90)),
            open_support_issues=0 if healthy else 3,
            implementation_status=(
                Customer.ImplementationStatus.IMPLEMENTING
                if target_state == S.CANDIDATE and rng.random() < 0.3
                else Customer.ImplementationStatus.LIVE
            ),
            last_milestone="Go-live across all business units",
            last_milestone_on=today - timedelta(days=rng.randrange(15, 200)),
        )
        customer.products.set(rng.sample(tax.products, 2))
        department = rng.choice(DEPARTMENTS)
        for i, role in enumerate(ROLE_TITLES):
            first, last = FIRST[rng.randrange(len(FIRST))], LAST[rng.randrange(len(LAST))]
            Contact.objects.create(
                customer=customer,
                name=f"{first} {last}",
                title=ROLE_TITLES[role].format(department=department),
                email=f"{slugify(first)}.{slugify(last)}{i}@{slug}.example",
                role=role,
                may_contact=True,
                agreed_to_participate=target_state not in (S.CANDIDATE, S.RECRUITING, S.DECLINED),
                may_be_named=role != Contact.Role.LEGAL,
                available_as_reference=role == Contact.Role.DEPARTMENT_LEADER,
            )
        return customer

    def _story(
        self, *, rng, seed, customer, tax, manager, reviewers, target_state, today
    ) -> CaseStudy:
        use_case = rng.choice(tax.use_cases)
        department = rng.choice(tax.departments)
        product = customer.products.order_by("slug").first()
        competitor = rng.choice(tax.competitors) if rng.random() < 0.4 else None
        story = build_story(
            seed=seed,
            customer_name=customer.name,
            industry=customer.industry.name,
            company_size=customer.company_size,
            region=customer.region.name,
            use_case=use_case.name,
            product=product.name,
            department=department.name,
            competitor=competitor.name if competitor else None,
        )
        cs = services.case_study_create(
            customer=customer,
            title=story.title,
            owner=manager,
            actor=manager,
            featured=False,
            source="seed_demo",
        )
        cs.use_cases.set([use_case])
        cs.departments.set([department])
        cs.products.set([product])
        cs.objections.set(rng.sample(tax.objections, 2))
        if competitor:
            cs.competitors.set([competitor])

        for step in _path_to(target_state):
            if step == "start_drafting":
                self._evidence(
                    cs,
                    story,
                    customer,
                    published=target_state in (S.PUBLISHED, S.ARCHIVED, S.APPROVED),
                )
            if step == "submit_for_review":
                version = services.story_version_create(
                    case_study=cs,
                    actor=manager,
                    title=story.title,
                    sections={name: getattr(story, name) for name in SECTION_FIELDS},
                    note="First full draft from the interview.",
                    source="seed_demo",
                )
                # Product, marketing and legal sign the draft off before it
                # goes to the customer (the gate of submit_for_review).
                for area in internal_review_areas():
                    services.internal_sign_off_record(
                        version=version,
                        area=area,
                        decision=InternalSignOff.Decision.APPROVED,
                        actor=reviewers.get(area, manager),
                        source="seed_demo",
                    )
            services.TRANSITION_FUNCTIONS[step](
                case_study=cs, actor=manager, reason=REASONS.get(step, ""), source="seed_demo"
            )
        self._backdate(cs, rng, today)
        return cs

    def _evidence(self, cs: CaseStudy, story: DemoStory, customer: Customer, *, published: bool):
        for position, m in enumerate(story.metrics):
            bulk.demo_metric(cs, m, position).save()
        contacts = {c.role: c for c in customer.contacts.all()}
        for position, q in enumerate(story.quotes):
            speaker = contacts.get(q.speaker_role)
            Quote.objects.create(
                case_study=cs,
                speaker=speaker,
                speaker_name=speaker.name if speaker else "A customer spokesperson",
                speaker_title=f"{speaker.title}, {customer.name}" if speaker else customer.name,
                text=q.text,
                kind=q.kind,
                position=position,
                permission=Quote.Permission.APPROVED if published else Quote.Permission.ASKED,
            )

    def _backdate(self, cs: CaseStudy, rng: random.Random, today: date) -> None:
        """Spread the story's history over the past months so the dashboard's
        "waiting longest" and stage timings look like a real program."""
        changes = list(cs.history.order_by("created_at", "id"))
        start = timezone.now() - timedelta(days=rng.randrange(30, 420))
        moment = start
        for change in changes:
            moment += timedelta(days=rng.randrange(3, 21), hours=rng.randrange(0, 8))
            StateChange.objects.filter(pk=change.pk).update(created_at=min(moment, timezone.now()))
        last = min(moment, timezone.now()) if changes else start
        fields = {"state_changed_at": last}
        if cs.published_at:
            published = next((c for c in reversed(changes) if c.to_state == S.PUBLISHED), None)
            if published:
                fields["published_at"] = StateChange.objects.get(pk=published.pk).created_at
        CaseStudy.objects.filter(pk=cs.pk).update(**fields)

    # ------------------------------------------------------------- scale

    def _pool(self, tax: Taxonomy) -> list[DemoStory]:
        """The template stories of the bulk path, "{customer}" for the name."""
        industries = list(tax.industries.values())
        regions = list(tax.regions.values())
        sizes = ["enterprise", "mid-market", "smb"]
        return [
            build_story(
                seed=i,
                customer_name="{customer}",
                industry=industries[i % 8].name,
                company_size=sizes[i % 3],
                region=regions[i % 5].name,
                use_case=tax.use_cases[i % 6].name,
                product=tax.products[i % 6].name,
                department=tax.departments[i % 6].name,
                competitor=None,
            )
            for i in range(24)
        ]

    def _bulk(self, n: int, tax: Taxonomy, users: dict) -> int:
        """N published stories (scale tests), indexed for search. On
        PostgreSQL with COPY (:mod:`demo.bulk`), elsewhere with the ORM."""
        start = CaseStudy.objects.filter(slug__startswith="scale-").count()
        pool = self._pool(tax)
        if connection.vendor != "postgresql":
            added = self._bulk_orm(n, start, pool, tax, users)
            # Bulk inserts send no signals: index the new stories for search.
            call_command("rebuild_search_index", stdout=self.stdout)
            return added
        with transaction.atomic():
            with connection.cursor() as cursor:
                # Only this transaction: a crash loses the seeded rows, nothing else.
                cursor.execute("SET LOCAL synchronous_commit = off")
            ids = bulk.add_published_stories(
                n, start=start, pool=pool, taxonomy=tax, users=users, now=timezone.now()
            )
            # The new stories change the gallery's facets and every public page.
            facets.mark_changed()
            bump_generation()
        self._analyze()
        return len(ids)

    def _analyze(self) -> None:
        # Fresh statistics, so the planner sees the new rows at once rather
        # than after autovacuum's next pass.
        UseCaseLink = CaseStudy.use_cases.through
        tables = [
            m._meta.db_table
            for m in (
                Customer,
                CaseStudy,
                StoryVersion,
                Metric,
                StateChange,
                UseCaseLink,
                InternalSignOff,
                StorySearchEntry,
                SalesSearchEntry,
            )
        ]
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {', '.join(tables)}")

    def _bulk_orm(self, n: int, start: int, pool, tax: Taxonomy, users: dict) -> int:
        """N published stories via bulk inserts: customers, case studies,
        versions, metrics, history, then one bulk update linking versions."""
        industries = list(tax.industries.values())
        regions = list(tax.regions.values())
        sizes = ["enterprise", "mid-market", "smb"]
        now = timezone.now()
        batch = 2000
        with transaction.atomic():
            customers = Customer.objects.bulk_create(
                [
                    Customer(
                        name=f"Scale Customer {start + i}",
                        slug=f"scale-customer-{start + i}",
                        industry=industries[i % len(industries)],
                        company_size=sizes[i % 3],
                        region=regions[i % len(regions)],
                        account_owner=users["sam"],
                    )
                    for i in range(n)
                ],
                batch_size=batch,
            )
            studies = CaseStudy.objects.bulk_create(
                [
                    CaseStudy(
                        customer=c,
                        title=pool[i % len(pool)].title.replace("{customer}", c.name),
                        slug=f"scale-{start + i}",
                        owner=users["maya"],
                        state=S.DRAFTING,
                        state_changed_at=now,
                        # Spread over time so "newest first" has an order. Set
                        # here: SQLite cannot multiply a duration in an UPDATE.
                        published_at=now - timedelta(minutes=(start + i) % 100_000),
                    )
                    for i, c in enumerate(customers)
                ],
                batch_size=batch,
            )
            versions = []
            for i, cs in enumerate(studies):
                story = pool[i % len(pool)]
                sections = {
                    name: getattr(story, name).replace("{customer}", cs.customer.name)
                    for name in SECTION_FIELDS
                }
                versions.append(
                    StoryVersion(
                        case_study=cs,
                        number=1,
                        language="en",
                        title=cs.title,
                        **sections,
                        content_hash=StoryVersion.compute_hash(
                            language="en", title=cs.title, sections=sections
                        ),
                        created_by_name="seed_demo",
                    )
                )
            versions = StoryVersion.objects.bulk_create(versions, batch_size=batch)
            # The internal sign-offs each published story needed on its way.
            InternalSignOff.objects.bulk_create(
                [
                    InternalSignOff(
                        version=v,
                        area=area,
                        decision=InternalSignOff.Decision.APPROVED,
                        reviewer_name="seed_demo",
                        decided_at=now,
                    )
                    for v in versions
                    for area in internal_review_areas()
                ],
                batch_size=batch,
            )
            Metric.objects.bulk_create(
                [
                    bulk.demo_metric(cs, m, p)
                    for i, cs in enumerate(studies)
                    for p, m in enumerate(pool[i % len(pool)].metrics[:2])
                ],
                batch_size=batch,
            )
            UseCaseLink = CaseStudy.use_cases.through
            UseCaseLink.objects.bulk_create(
                [
                    UseCaseLink(casestudy_id=cs.pk, usecase_id=tax.use_cases[i % 6].pk)
                    for i, cs in enumerate(studies)
                ],
                batch_size=batch,
            )
            # One UPDATE links every story to its version and publishes it.
            version_id = Subquery(
                StoryVersion.objects.filter(case_study=OuterRef("pk"), number=1).values("pk")[:1]
            )
            CaseStudy.objects.filter(pk__in=[cs.pk for cs in studies]).update(
                state=S.PUBLISHED,
                approved_version=version_id,
                published_version=version_id,
            )
            StateChange.objects.bulk_create(
                [
                    StateChange(
                        case_study=cs,
                        from_state=S.DRAFTING,
                        to_state=S.PUBLISHED,
                        actor_name="seed_demo",
                        reason="Bulk scale data",
                        version=v,
                        created_at=now,
                        notified_at=now,
                    )
                    for cs, v in zip(studies, versions, strict=True)
                ],
                batch_size=batch,
            )
        return len(studies)
