"""Demo outreach for ``seed_demo``: a few campaign recipients, one draft
campaign, a reference request awaiting the account owner's consent, one
share link and one use at an internal meeting. Idempotent and fast: rows are
looked up by their natural keys and created only when missing."""

import datetime

from django.contrib.auth import get_user_model
from django.db import transaction

from casestudies.models import CaseStudy, UsageChannel
from distribution.models import Campaign, Recipient, ReferenceRequest, ShareLink, StoryUse
from distribution.outreach import eventlog, references, sharing

SOURCE = "seed_demo"


def _stories() -> list[CaseStudy]:
    return [
        cs
        for cs in CaseStudy.objects.published()
        .select_related("customer__industry", "published_version")
        .order_by("pk")[:20]
        if cs.allows(UsageChannel.WEB)
    ]


@transaction.atomic
def seed_outreach(stdout=None) -> None:
    User = get_user_model()
    rep = User.objects.filter(username="sam.demo").first()
    owner = User.objects.filter(username="lena.demo").first()
    stories = _stories()
    if rep is None or owner is None or not stories:
        return
    story = stories[0]
    industry = story.customer.industry

    people = [
        ("rina@prospect-retail.example", "Rina Kusuma", Recipient.Kind.PROSPECT, industry),
        ("joel@prospect-retail.example", "Joel Tan", Recipient.Kind.PROSPECT, industry),
        ("mei@prospect-retail.example", "Mei Lin", Recipient.Kind.PROSPECT, industry),
        ("ops@peer-customer.example", "Arif Nugroho", Recipient.Kind.CUSTOMER, industry),
        ("news@reader.example", "Dana Wu", Recipient.Kind.NEWSLETTER, None),
    ]
    for email, name, kind, term in people:
        Recipient.objects.get_or_create(
            email=email, defaults={"name": name, "kind": kind, "industry": term}
        )

    campaign, created = Campaign.objects.get_or_create(
        slug="demo-industry-stories",
        defaults={
            "name": f"{industry.name}: stories from peers",
            "subject": f"How {industry.name.lower()} teams get results",
            "intro": "Three short stories from companies like yours.",
            "segment": Campaign.Segment.PROSPECTS,
            "industry": industry,
        },
    )
    if created:
        campaign.stories.set([cs for cs in stories if cs.customer.industry_id == industry.pk][:3])

    customer = story.customer
    if customer.account_owner_id is None:
        type(customer).objects.filter(pk=customer.pk).update(account_owner=owner)
        customer.account_owner = owner
    contact = customer.contacts.filter(archived=False, left_company=False).order_by("pk").first()
    if contact is not None and not ReferenceRequest.objects.filter(case_study=story).exists():
        if not contact.available_as_reference:
            type(contact).objects.filter(pk=contact.pk).update(available_as_reference=True)
            contact.available_as_reference = True
        references.reference_request_create(
            case_study=story,
            contact=contact,
            prospect_company="Globex Retail",
            purpose="A mid-market retailer worried about implementation time; "
            "they are moving from a competitor.",
            actor=rep,
            source=SOURCE,
        )

    if not ShareLink.objects.filter(rep=rep, case_study=story).exists():
        sharing.share_link_create(
            rep=rep,
            case_study=story,
            prospect_name="Pat Lee",
            prospect_company="Globex Retail",
            prospect_email="pat@globex.example",
            source=SOURCE,
        )

    if not StoryUse.objects.filter(case_study=story).exists():
        eventlog.story_use_record(
            case_study=story,
            kind=StoryUse.Kind.INTERNAL,
            name="Sales kickoff",
            date=datetime.date(2026, 1, 15),
            audience_size=80,
            actor=owner,
            source=SOURCE,
        )
    if stdout is not None:
        stdout.write("Demo outreach: recipients, a draft campaign, a reference request, a link.")
