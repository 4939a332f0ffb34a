"""When to ask (the guide's "Timing Request Matters"): a verdict per customer
with its reasons. Ask after a success milestone, a positive business review,
a renewal, an enthusiastic message, an NPS of 9-10 or enrolment in advocacy;
wait during implementation or shortly after a support issue. The windows are
``STORYLINE["READINESS"]``."""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from casestudies.models import Customer


def _day(value) -> str:
    """A date as every page writes it (the locale's DATE_FORMAT)."""
    from django.utils.formats import date_format

    return date_format(value, "DATE_FORMAT")


class Verdict:
    ASK = "ask"
    WAIT = "wait"
    NO_SIGNAL = "no_signal"
    NEVER = "never"


VERDICT_LABELS = {
    Verdict.ASK: gettext_lazy("Ready: ask now"),
    Verdict.WAIT: gettext_lazy("Wait"),
    Verdict.NO_SIGNAL: gettext_lazy("No signal yet"),
    Verdict.NEVER: gettext_lazy("Do not ask"),
}


@dataclass
class Readiness:
    verdict: str
    reasons_for: list[str] = field(default_factory=list)
    reasons_against: list[str] = field(default_factory=list)

    @property
    def ready(self) -> bool:
        return self.verdict == Verdict.ASK

    @property
    def label(self) -> str:
        return str(VERDICT_LABELS[self.verdict])

    @property
    def reasons(self) -> list[str]:
        return [*self.reasons_against, *self.reasons_for]


def _within(day: date | None, days: int, today: date) -> bool:
    return day is not None and today - timedelta(days=days) <= day <= today


def readiness(
    customer: Customer,
    *,
    signals: Iterable = (),
    today: date | None = None,
) -> Readiness:
    """The verdict for ``customer``; ``signals`` are its
    :class:`~casestudies.models.RelationshipSignal` rows (any order)."""
    conf = settings.STORYLINE["READINESS"]
    today = today or timezone.localdate()
    status = Customer.ImplementationStatus
    against: list[str] = []
    for_: list[str] = []

    if customer.archived or customer.implementation_status == status.CHURNED:
        return Readiness(Verdict.NEVER, [], [_("%(c)s is no longer a customer") % {"c": customer}])
    if customer.implementation_status == status.IMPLEMENTING:
        against.append(_("Still implementing: do not ask during a stressful implementation"))
    elif customer.implementation_status == status.NOT_STARTED:
        against.append(_("Not live yet: there are no results to tell"))
    if customer.open_support_issues:
        against.append(
            ngettext(
                "%(n)s open support issue: resolve it first",
                "%(n)s open support issues: resolve them first",
                customer.open_support_issues,
            )
            % {"n": customer.open_support_issues}
        )
    if _within(customer.last_support_issue_on, conf["SUPPORT_ISSUE_QUIET_DAYS"], today):
        against.append(
            _("A support issue on %(day)s: wait until %(until)s")
            % {
                "day": _day(customer.last_support_issue_on),
                "until": _day(
                    customer.last_support_issue_on
                    + timedelta(days=conf["SUPPORT_ISSUE_QUIET_DAYS"] + 1)
                ),
            }
        )
    if customer.last_business_review_sentiment == Customer.Sentiment.NEGATIVE and _within(
        customer.last_business_review_on, conf["BUSINESS_REVIEW_DAYS"], today
    ):
        against.append(_("The last business review was negative"))

    if customer.last_milestone and _within(
        customer.last_milestone_on, conf["MILESTONE_DAYS"], today
    ):
        for_.append(
            _("Milestone reached on %(day)s: %(milestone)s")
            % {"day": _day(customer.last_milestone_on), "milestone": customer.last_milestone}
        )
    if customer.last_business_review_sentiment == Customer.Sentiment.POSITIVE and _within(
        customer.last_business_review_on, conf["BUSINESS_REVIEW_DAYS"], today
    ):
        for_.append(
            _("Positive business review on %(day)s")
            % {"day": _day(customer.last_business_review_on)}
        )
    if _within(customer.renewal_date, conf["RENEWAL_DAYS"], today):
        for_.append(
            _("Renewed on %(day)s: they have shown commitment")
            % {"day": _day(customer.renewal_date)}
        )
    if (
        customer.nps_score is not None
        and customer.nps_score >= conf["NPS_PROMOTER"]
        and _within(customer.nps_recorded_on, conf["NPS_DAYS"], today)
    ):
        for_.append(_("NPS %(score)s: a promoter") % {"score": customer.nps_score})
    for signal in signals:
        if signal.kind == "enthusiasm" and _within(signal.noted_on, conf["ENTHUSIASM_DAYS"], today):
            for_.append(_("Shared enthusiasm on %(day)s") % {"day": _day(signal.noted_on)})
        elif signal.kind == "advocacy":
            for_.append(_("Enrolled in the advocacy program"))

    if against:
        return Readiness(Verdict.WAIT, for_, against)
    if for_:
        return Readiness(Verdict.ASK, for_, [])
    return Readiness(Verdict.NO_SIGNAL, [], [])


def readiness_for_customers(customers: Iterable[Customer]) -> dict[int, Readiness]:
    """Verdicts for many customers with one query for their signals."""
    from casestudies.models import RelationshipSignal

    customers = list(customers)
    signals = defaultdict(list)
    for signal in RelationshipSignal.objects.filter(customer__in=[c.pk for c in customers]):
        signals[signal.customer_id].append(signal)
    today = timezone.localdate()
    return {c.pk: readiness(c, signals=signals[c.pk], today=today) for c in customers}
