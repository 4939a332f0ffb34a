"""The impact report: every figure the dashboard, its CSV export and the
monthly email show, computed once for a period and a segment with a fixed
number of queries (see tests/analytics/test_dashboard.py)."""

from dataclasses import dataclass
from datetime import date, timedelta

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from analytics import measures
from analytics.capture import conf
from analytics.models import Backlink, CustomerValue, DealStory, Event, Lead
from casestudies.models import CaseStudy, CompanySize, Industry, Product

MAX_DAYS = 731


@dataclass(frozen=True)
class Segment:
    industry: Industry | None = None
    company_size: str = ""
    product: Product | None = None

    def as_params(self) -> dict[str, str]:
        params = {}
        if self.industry:
            params["industry"] = self.industry.slug
        if self.company_size:
            params["company_size"] = self.company_size
        if self.product:
            params["product"] = self.product.slug
        return params

    def describe(self) -> str:
        parts = [
            self.industry.name if self.industry else "",
            str(CompanySize(self.company_size).label) if self.company_size else "",
            self.product.name if self.product else "",
        ]
        return " · ".join(p for p in parts if p)


class ReportFilterForm(forms.Form):
    """Date range and segment, from the query string; bad input is a form
    error, never a 500."""

    start = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput({"type": "date"})
    )
    end = forms.DateField(label=_("To"), required=False, widget=forms.DateInput({"type": "date"}))
    industry = forms.ModelChoiceField(
        label=_("Industry"),
        queryset=Industry.objects.order_by("name"),
        to_field_name="slug",
        required=False,
        empty_label=_("All industries"),
    )
    company_size = forms.ChoiceField(
        label=_("Company size"),
        choices=[("", _("All sizes")), *CompanySize.choices],
        required=False,
    )
    product = forms.ModelChoiceField(
        label=_("Product"),
        queryset=Product.objects.order_by("name"),
        to_field_name="slug",
        required=False,
        empty_label=_("All products"),
    )

    # Dates a report can be about; outside them (year 1, year 9999) date
    # arithmetic would overflow.
    EARLIEST = date(2000, 1, 1)
    LATEST = date(2100, 12, 31)

    def _in_range(self, name: str) -> date | None:
        value = self.cleaned_data.get(name)
        if value is not None and not (self.EARLIEST <= value <= self.LATEST):
            raise forms.ValidationError(
                _("Choose a date between %(first)s and %(last)s.")
                % {"first": self.EARLIEST.isoformat(), "last": self.LATEST.isoformat()}
            )
        return value

    def clean_start(self):
        return self._in_range("start")

    def clean_end(self):
        return self._in_range("end")

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        today = timezone.localdate()
        end = data.get("end") or today
        start = data.get("start") or end - timedelta(days=89)
        if start > end:
            raise forms.ValidationError(_("The start date is after the end date."))
        if (end - start).days >= MAX_DAYS:
            raise forms.ValidationError(_("Please choose a period of at most two years."))
        data["start"], data["end"] = start, end
        return data

    def period_and_segment(self) -> tuple[measures.Period, Segment]:
        data = self.cleaned_data
        return measures.Period(data["start"], data["end"]), Segment(
            industry=data.get("industry"),
            company_size=data.get("company_size") or "",
            product=data.get("product"),
        )


def default_period(today: date | None = None) -> measures.Period:
    today = today or timezone.localdate()
    return measures.Period(today - timedelta(days=89), today)


def previous_month(today: date | None = None) -> measures.Period:
    today = today or timezone.localdate()
    end = today.replace(day=1) - timedelta(days=1)
    return measures.Period(end.replace(day=1), end)


def segment_stories(segment: Segment):
    stories = CaseStudy.objects.all()
    if segment.industry:
        stories = stories.filter(customer__industry=segment.industry)
    if segment.company_size:
        stories = stories.filter(customer__company_size=segment.company_size)
    if segment.product:
        stories = stories.filter(products=segment.product)
    return stories


def segment_deals(segment: Segment, deals):
    if segment.industry:
        deals = deals.filter(industry=segment.industry)
    if segment.company_size:
        deals = deals.filter(company_size=segment.company_size)
    if segment.product:  # deals carry no product: those that used a story of it
        deals = deals.filter(deal_stories__case_study__products=segment.product).distinct()
    return deals


def _segmented(qs, segment: Segment):
    if segment == Segment():
        return qs
    return qs.filter(case_study__in=segment_stories(segment).values("pk"))


def build(period: measures.Period, segment: Segment, *, story: CaseStudy | None = None) -> dict:
    events = measures.in_period(_segmented(Event.objects.all(), segment), period)
    leads = measures.in_period(_segmented(Lead.objects.all(), segment), period)
    # Every deal figure counts the deals closed in the period (measures'
    # definitions); the deals merely active in it are only counted.
    active = segment_deals(segment, measures.deals_in(period))
    deals = segment_deals(segment, measures.closed_in(period))
    links = DealStory.objects.filter(deal__in=deals.values("pk"))
    if story is not None:
        events = events.filter(case_study=story)
        leads = leads.filter(case_study=story)
        links = links.filter(case_study=story)
        deals = deals.filter(pk__in=measures.attributed(links).values("deal_id"))
        active = active.filter(deal_stories__case_study=story)
    counted_links = measures.attributed(links)

    stories = list(
        segment_stories(segment)
        .published()
        .select_related("customer", "customer__industry")
        .order_by("title")
        if story is None
        else [story]
    )
    by_story = measures.traffic_by_story(events)
    totals = measures.traffic(events)
    lead_counts = measures.leads_by_story(leads)
    totals["leads"] = sum(lead_counts.values())
    totals["conversion"], totals["conversion_over"] = measures.conversion(
        totals["leads"], totals["views"]
    )
    closed_rows = measures.deal_rows(deals)
    deal_figures = measures.deal_summary(closed_rows)
    deal_figures["active"] = active.count()
    late_by_story = measures.count_by_story(measures.late(links))
    deal_figures["late_links"] = sum(late_by_story.values())
    story_deals = measures.deals_by_story(counted_links)
    backlinks = measures.count_by_story(
        _segmented(
            Backlink.objects.filter(found_on__gte=period.start, found_on__lte=period.end), segment
        )
    )

    empty_traffic = measures.empty_traffic()
    table = []
    for cs in stories:
        row = dict(by_story.get(cs.pk, empty_traffic))
        row["leads"] = lead_counts.get(cs.pk, 0)
        row["conversion"], row["conversion_over"] = measures.conversion(row["leads"], row["views"])
        dealt = story_deals.get(
            cs.pk, {"deals": 0, "won": 0, "lost": 0, "revenue": {}, "win_rate": None}
        )
        row.update({f"deal_{k}": v for k, v in dealt.items()})
        row["deal_late_links"] = late_by_story.get(cs.pk, 0)
        row["backlinks"] = backlinks.get(cs.pk, 0)
        table.append((cs, row))
    table.sort(
        key=lambda item: (-item[1]["deal_won"], -item[1]["leads"], -item[1]["views"], item[0].title)
    )

    industries = dict(Industry.objects.values_list("pk", "name"))
    sizes = dict(CompanySize.choices)
    strata = [
        {
            "industry": industries.get(s.industry_id, "?"),
            "size": sizes.get(s.company_size, s.company_size),
            "with_closed": s.with_closed,
            "rate_with": s.rate_with,
            "without_closed": s.without_closed,
            "rate_without": s.rate_without,
        }
        for s in deal_figures["matched"].strata
    ]
    values = CustomerValue.objects.filter(
        occurred_on__gte=period.start, occurred_on__lte=period.end
    )
    if story is not None:
        values = values.filter(customer_id=story.customer_id)
    elif segment != Segment():
        values = values.filter(customer__in=segment_stories(segment).values("customer_id"))
    return {
        "period": period,
        "segment": segment,
        "story": story,
        "totals": totals,
        "deals": deal_figures,
        "strata": strata,
        "series": measures.daily_series(events, leads, period),
        "stories": table,
        "underused": measures.underused(
            stories, by_story, max_uses=conf("UNDERUSED_MAX_SALES_USES")
        )
        if story is None
        else [],
        "customer_value": measures.customer_value(values),
        "value_kinds": CustomerValue.Kind.choices,
        "backlinks_new": sum(backlinks.values()),
    }
