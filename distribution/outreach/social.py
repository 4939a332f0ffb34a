"""Social post drafts from a story's metrics and pull quote ("Social Media
Promotion": tag the customer, share key metrics and pull quotes, link to the
full story, industry hashtags), for LinkedIn (≤ 3000 characters) and X
(≤ 280, every link counted as 23 characters as X does), in English and
Bahasa Indonesia. Refused when the usage rights do not allow social media."""

import re
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from casestudies.models import CaseStudy, Quote, UsageChannel
from core.audit import audit_log
from core.errors import TransitionError
from distribution.models import SocialPost
from distribution.outreach.campaigns import headline_text, with_utm

LINKEDIN_LIMIT = 3000
X_LIMIT = 280
X_URL_LENGTH = 23  # t.co: every link counts as 23 characters
URL_PATTERN = re.compile(r"https?://\S+")
ELLIPSIS = "…"


def x_length(text: str) -> int:
    """The length X counts: each URL as 23 characters."""
    return len(URL_PATTERN.sub("x" * X_URL_LENGTH, text))


def hashtag(text: str) -> str:
    """ "Financial services" → "#FinancialServices" (letters and digits only)."""
    words = re.findall(r"[^\W_]+", text)
    tag = "".join(w[:1].upper() + w[1:] for w in words)
    return f"#{tag}" if tag else ""


def refusal(case_study: CaseStudy) -> str:
    if case_study.published_version_id is None or case_study.state != "published":
        return _("Only a published story can be promoted.")
    if not case_study.allows(UsageChannel.SOCIAL):
        return _("The customer has not allowed this story on social media.")
    return ""


@dataclass
class Drafts:
    language: str
    linkedin: str
    x: str

    @property
    def linkedin_length(self) -> int:
        return len(self.linkedin)

    @property
    def x_length(self) -> int:
        return x_length(self.x)


def _tags(case_study: CaseStudy, network: str) -> str:
    """The customer tag: their handle when we have one, else their name;
    nothing at all for an anonymised story."""
    if case_study.anonymised:
        return ""
    social = getattr(case_study.customer, "social", None)
    if network == "x" and social and social.x_handle:
        return f"@{social.x_handle}"
    if network == "linkedin" and social and social.linkedin_name:
        return f"@{social.linkedin_name}"
    return case_study.customer.name


def _fit(text: str, room: int) -> str:
    """``text`` cut at a word to at most ``room`` characters, with an ellipsis."""
    if len(text) <= room:
        return text
    if room <= len(ELLIPSIS):
        return ""
    cut = text[: room - len(ELLIPSIS)]
    if " " in cut[len(cut) // 2 :]:
        cut = cut[: cut.rfind(" ")]
    return cut.rstrip(" ,.;:—-") + ELLIPSIS


def social_drafts(case_study: CaseStudy, *, language: str) -> Drafts:
    """The LinkedIn and X drafts in ``language``. Raises TransitionError when
    the usage rights refuse social media."""
    reason = refusal(case_study)
    if reason:
        raise TransitionError(reason)
    from casestudies import selectors

    version = selectors.public_version(case_study, language) or selectors.public_version(case_study)
    url = settings.SITE_URL + case_study.get_absolute_url()
    if version.language != case_study.published_version.language:
        url += f"?lang={version.language}"
    metrics = [m for m in case_study.metrics.all() if m.improvement_display][:3]
    quote = next(
        (
            q
            for q in case_study.quotes.all()
            if q.permission == Quote.Permission.APPROVED and q.kind == Quote.Kind.PULL
        ),
        None,
    )
    tags = [hashtag(case_study.customer.industry.name)]
    tags += [hashtag(u.name) for u in case_study.use_cases.all()[:2]]
    tags += ["#CustomerStory"]
    hashtags = " ".join(dict.fromkeys(t for t in tags if t))
    with translation.override(language):
        title = case_study.anonymise_text(version.title)
        quote_text = case_study.anonymise_text(quote.text) if quote else ""
        attribution = case_study.quote_attribution(quote) if quote else ""
        results = [headline_text(case_study, m) for m in metrics]
        linkedin = _linkedin(
            case_study,
            title=title,
            results=results,
            quote=quote_text,
            attribution=attribution,
            url=with_utm(url, source="linkedin", medium="social", campaign=case_study.slug),
            hashtags=hashtags,
        )
        x = _x(
            case_study,
            title=title,
            result=results[0] if results else "",
            quote=quote_text,
            url=with_utm(url, source="x", medium="social", campaign=case_study.slug),
            hashtags=hashtags,
        )
    return Drafts(language=language, linkedin=linkedin, x=x)


def _linkedin(case_study, *, title, results, quote, attribution, url, hashtags) -> str:
    tag = _tags(case_study, "linkedin")
    opening = (
        _("New customer story: %(title)s. Thank you, %(customer)s, for sharing it with us.")
        % {"title": title, "customer": tag}
        if tag
        else _("New customer story: %(title)s.") % {"title": title}
    )
    parts_after = []
    if results:
        parts_after.append(_("The results:") + "\n" + "\n".join(f"• {r}" for r in results))
    tail = "\n\n".join([_("Read the full story: %(url)s") % {"url": url}, hashtags])
    fixed = "\n\n".join([opening, *parts_after, tail])
    if quote:
        suffix = f"” — {attribution}" if attribution else "”"
        room = LINKEDIN_LIMIT - len(fixed) - len("\n\n“") - len(suffix)
        if room > 40:
            parts_after.append(f"“{_fit(quote, room)}{suffix}")
    text = "\n\n".join([opening, *parts_after, tail])
    if len(text) > LINKEDIN_LIMIT:  # a very long title: cut the opening, never the link
        text = (
            _fit(opening, max(0, len(opening) - (len(text) - LINKEDIN_LIMIT)))
            + text[len(opening) :]
        )
    return text


def _x(case_study, *, title, result, quote, url, hashtags) -> str:
    tag = _tags(case_study, "x")
    lead = result or title
    if tag:
        lead = f"{tag}: {lead}"
    link = f"{url}"

    def compose(lead: str, quote: str, hashtags: str) -> str:
        body = lead
        if quote:
            body += f"\n\n“{quote}”"
        return "\n\n".join(p for p in [body, link, hashtags] if p)

    text = compose(lead, quote, hashtags)
    if x_length(text) > X_LIMIT and quote:
        room = X_LIMIT - x_length(compose(lead, "", hashtags)) - len("\n\n“”")
        quote = _fit(quote, room) if room > 30 else ""
        text = compose(lead, quote, hashtags)
    if x_length(text) > X_LIMIT:
        hashtags = hashtags.split(" ")[0] if hashtags else ""
        text = compose(lead, quote, hashtags)
    if x_length(text) > X_LIMIT:
        quote = ""
        text = compose(lead, quote, hashtags)
    if x_length(text) > X_LIMIT:
        room = X_LIMIT - x_length(compose("", "", hashtags)) - len("\n\n")
        text = compose(_fit(lead, room), "", hashtags)
    return text


def social_post_record(
    *,
    case_study: CaseStudy,
    network: str,
    url: str,
    actor: Any,
    language: str = "en",
    reach: int | None = None,
    posted_at=None,
    source: str = "",
) -> SocialPost:
    reason = refusal(case_study)
    if reason:
        raise TransitionError(reason)
    if SocialPost.objects.filter(url=url).exists():
        raise TransitionError(_("This post is already recorded."))
    with transaction.atomic():
        post = SocialPost(
            case_study=case_study,
            network=SocialPost.Network(network),
            url=url,
            language=language,
            reach=reach,
            recorded_by=actor,
        )
        if posted_at is not None:
            post.posted_at = posted_at
        post.full_clean()
        post.save()
        audit_log(
            action="distribution.social_post.recorded",
            obj=post,
            actor=actor,
            data={"network": network, "url": url},
            source=source,
        )
    return post
