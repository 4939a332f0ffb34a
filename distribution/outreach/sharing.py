"""Tracked share links: a rep's personal link to a story for one prospect.

``/s/<code>/`` records the visit (no IP address: a keyed, truncated hash of
the network prefix; link-preview bots and crawlers are not counted) and
redirects to the story with UTM parameters. The rep is emailed on the first
visit only: the first visit is claimed with a conditional UPDATE, so two
simultaneous visits notify once.
"""

import hashlib
import hmac
import ipaddress
import re
import secrets
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from casestudies.models import CaseStudy, UsageChannel
from core import outbox
from core.audit import audit_log
from core.errors import TransitionError
from distribution.models import ShareLink, ShareLinkVisit

CODE_BYTES = 16  # 128 bits
CODE_PATTERN = re.compile(r"^[A-Za-z0-9_-]{16,32}$")

BOT_PATTERN = re.compile(
    r"bot|crawl|spider|slurp|preview|facebookexternalhit|embedly|whatsapp|skypeuripreview|"
    r"curl|wget|python-requests|httpclient|headless|monitor|scanner|validator|"
    r"microsoft office|outlook-ios|proofpoint|mimecast|barracuda",
    re.IGNORECASE,
)


def is_bot(user_agent: str) -> bool:
    """Crawlers, link previews and mail scanners (which open every link in an
    email before the person does) are not visits."""
    return not user_agent.strip() or bool(BOT_PATTERN.search(user_agent))


def visitor_hash(ip: str) -> str:
    """A keyed hash of the IP's network (/24 for IPv4, /48 for IPv6), cut to
    16 hex characters: tells repeat visits apart, identifies nobody."""
    try:
        address = ipaddress.ip_address(ip.strip())
    except ValueError:
        return ""
    prefix = 24 if address.version == 4 else 48
    network = ipaddress.ip_network(f"{address}/{prefix}", strict=False)
    key = settings.SECRET_KEY.encode("utf-8")
    return hmac.new(key, str(network).encode(), hashlib.sha256).hexdigest()[:16]


def shareable(case_study: CaseStudy) -> bool:
    """Only published stories allowed on the web can be shared."""
    return (
        case_study.state == "published"
        and case_study.published_version_id is not None
        and case_study.allows(UsageChannel.WEB)
    )


def share_link_create(
    *,
    rep: Any,
    case_study: CaseStudy,
    prospect_name: str,
    prospect_company: str,
    prospect_email: str = "",
    source: str = "",
) -> ShareLink:
    if not shareable(case_study):
        raise TransitionError(_("Only a published story allowed on the web can be shared."))
    with transaction.atomic():
        link = ShareLink.objects.create(
            rep=rep,
            case_study=case_study,
            code=secrets.token_urlsafe(CODE_BYTES),
            prospect_name=prospect_name.strip(),
            prospect_company=prospect_company.strip(),
            prospect_email=prospect_email.strip(),
        )
        audit_log(
            action="distribution.share_link.created",
            obj=link,
            actor=rep,
            data={"case_study": case_study.pk, "prospect_company": link.prospect_company},
            source=source,
        )
        from analytics import events

        events.record("sales_use", case_study=case_study, user=rep, detail="share_link")
    return link


def share_link_revoke(*, link: ShareLink, actor: Any, source: str = "") -> ShareLink:
    with transaction.atomic():
        updated = ShareLink.objects.filter(pk=link.pk, revoked=False).update(
            revoked=True, updated_at=timezone.now()
        )
        if updated:
            audit_log(
                action="distribution.share_link.revoked", obj=link, actor=actor, source=source
            )
    link.refresh_from_db()
    return link


def share_url(link: ShareLink) -> str:
    return settings.SITE_URL + reverse("outreach_public:share", args=[link.code])


def link_for_code(code: str) -> ShareLink | None:
    """The live link behind ``code`` whose story may still be shared, else None."""
    if not CODE_PATTERN.match(code or ""):
        return None
    link = (
        ShareLink.objects.select_related("case_study", "rep")
        .filter(code=code, revoked=False)
        .first()
    )
    if link is None or not shareable(link.case_study):
        return None
    return link


def destination(link: ShareLink) -> str:
    return (
        link.case_study.get_absolute_url()
        + f"?utm_source=share&utm_medium=sales&utm_campaign=share-{link.pk}"
    )


def share_visit_record(*, link: ShareLink, user_agent: str, ip: str) -> ShareLinkVisit | None:
    """Record one visit (None for bots). The first visit claims
    ``first_visited_at`` with a conditional UPDATE; only the request that
    wins the claim emails the rep, after commit."""
    if is_bot(user_agent):
        return None
    from analytics import events

    now = timezone.now()
    with transaction.atomic():
        visit = ShareLinkVisit.objects.create(
            link=link, visited_at=now, visitor_hash=visitor_hash(ip), user_agent=user_agent[:200]
        )
        ShareLink.objects.filter(pk=link.pk).update(visit_count=F("visit_count") + 1)
        first = ShareLink.objects.filter(pk=link.pk, first_visited_at__isnull=True).update(
            first_visited_at=now
        )
        events.record(
            "share_visit",
            case_study=link.case_study,
            detail=str(link.pk),
            utm_source="share",
            utm_medium="sales",
            utm_campaign=f"share-{link.pk}",
        )
        if first:
            link.first_visited_at = now
            audit_log(
                action="distribution.share_link.first_opened",
                obj=link,
                data={"prospect_company": link.prospect_company},
                source="share link",
            )
            outbox.enqueue(
                "distribution.share_visit",
                key=f"distribution.share_visit:{link.pk}",
                payload={"link": link.pk},
                case_study_id=link.case_study_id,
            )
    return visit
