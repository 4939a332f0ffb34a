"""The staff impact dashboard (Program managers): /admin/analytics/dashboard/.

Headline figures, charts with their data as tables (the text alternative),
the per-story report, underused stories, date range and segment filters, CSV
export safe against spreadsheet formulas, and "send this report now"."""

import csv
from urllib.parse import urlencode

from django.contrib import admin, messages
from django.db.models import Count
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST, require_safe

from analytics import measures, report, services
from analytics.models import Backlink, DealStory, Event, EventKind
from casestudies.models import CaseStudy
from core.access import program_manager_required
from core.ids import is_id
from core.imports import csv_safe


def _staff_view(view):
    """Program managers only, inside the admin's chrome."""
    return admin.site.admin_view(program_manager_required(view))


def _filters(request):
    form = report.ReportFilterForm(request.GET or None)
    if request.GET and form.is_valid():
        period, segment = form.period_and_segment()
    else:
        if not request.GET:
            form = report.ReportFilterForm(
                initial={
                    "start": report.default_period().start,
                    "end": report.default_period().end,
                }
            )
        period, segment = report.default_period(), report.Segment()
    return form, period, segment


def _query(period, segment) -> str:
    return urlencode(
        {"start": period.start.isoformat(), "end": period.end.isoformat(), **segment.as_params()}
    )


def _chart_data(data) -> dict:
    series = data["series"]
    top = data["stories"][:8]
    deals = data["deals"]
    return {
        "labels": [d.isoformat() for d in data["period"].dates()],
        "series": series,
        "series_names": {
            "views": _("Views"),
            "downloads": _("Downloads"),
            "leads": _("Leads"),
        },
        "stories": [cs.title[:40] for cs, _row in top],
        "story_leads": [row["leads"] for _cs, row in top],
        "story_won": [row["deal_won"] for _cs, row in top],
        "story_names": {"leads": _("Leads"), "won": _("Deals won")},
        "win": {
            "labels": [_("All closed deals"), _("Matched deals")],
            "with": [_pct(deals["win_rate_with"]), _pct(deals["matched"].rate_with)],
            "without": [_pct(deals["win_rate_without"]), _pct(deals["matched"].rate_without)],
            "names": {"with": _("With stories"), "without": _("Without stories")},
        },
    }


def _pct(value):
    return None if value is None else round(value * 100, 1)


@require_safe
def dashboard(request):
    form, period, segment = _filters(request)
    data = report.build(period, segment)
    context = {
        **admin.site.each_context(request),
        "title": _("Impact dashboard"),
        "form": form,
        "r": data,
        "placements": measures.placements(measures.in_period(Event.objects.all(), period)),
        "chart": _chart_data(data),
        "query": _query(period, segment),
        "series_rows": list(
            zip(
                data["period"].dates(),
                data["series"]["views"],
                data["series"]["downloads"],
                data["series"]["leads"],
                strict=True,
            )
        ),
    }
    return render(request, "admin/analytics/dashboard.html", context)


@require_safe
def story_report(request, story_id: str):
    if not is_id(story_id):
        raise Http404
    story = (
        CaseStudy.objects.select_related("customer", "customer__industry")
        .filter(pk=int(story_id))
        .first()
    )
    if story is None:
        raise Http404
    form, period, segment = _filters(request)
    data = report.build(period, report.Segment(), story=story)
    links = (
        DealStory.objects.filter(case_study=story)
        .select_related("deal", "deal__industry")
        .order_by("-deal__opened_on")[:50]
    )
    labels = dict(DealStory.Feedback.choices)
    feedback = [
        {"label": labels[row["rep_feedback"]], "n": row["n"]}
        for row in DealStory.objects.filter(case_study=story)
        .exclude(rep_feedback="")
        .values("rep_feedback")
        .annotate(n=Count("pk"))
        .order_by("rep_feedback")
    ]
    context = {
        **admin.site.each_context(request),
        "title": _("Impact of “%(title)s”") % {"title": story.title},
        "feedback": feedback,
        "story": story,
        "placements": measures.placements(measures.in_period(story.events.all(), period)),
        "form": form,
        "r": data,
        "row": data["stories"][0][1],
        "chart": _chart_data(data),
        "query": _query(period, segment),
        "links": links,
        "backlinks": Backlink.objects.filter(case_study=story).order_by("-found_on")[:50],
        "sales_uses": story.events.filter(kind=EventKind.SALES_USE)
        .values("detail")
        .order_by("detail")
        .annotate(n=Count("pk")),
        "series_rows": list(
            zip(
                data["period"].dates(),
                data["series"]["views"],
                data["series"]["downloads"],
                data["series"]["leads"],
                strict=True,
            )
        ),
    }
    return render(request, "admin/analytics/story_report.html", context)


@require_safe
def export_csv(request):
    form, period, segment = _filters(request)
    if request.GET and not form.is_valid():
        return HttpResponse(
            "; ".join(str(e) for e in form.non_field_errors() or [_("Invalid filters.")]),
            status=400,
            content_type="text/plain; charset=utf-8",
        )
    data = report.build(period, segment)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    name = f"impact-{period.start.isoformat()}-{period.end.isoformat()}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    writer = csv.writer(response)
    writer.writerow(
        [
            _("Story"),
            _("Customer"),
            _("Industry"),
            _("Views"),
            _("Visitor-days"),
            _("Views that reported time"),
            _("Average time on page (s)"),
            _("Bounce rate"),
            _("Downloads"),
            _("Leads"),
            _("Conversion"),
            _("Organic search visits"),
            _("Sales uses"),
            _("Reps"),
            _("Deals closed"),
            _("Won"),
            _("Lost"),
            _("Win rate"),
            _("Influenced revenue"),
            _("New backlinks"),
            _("Story links made after the close (left out)"),
        ]
    )
    for cs, row in data["stories"]:
        writer.writerow(
            [
                csv_safe(cell)
                for cell in (
                    cs.title,
                    cs.customer.name,
                    cs.customer.industry.name,
                    row["views"],
                    row["visitors"],
                    row["engaged"],
                    "" if row["avg_seconds"] is None else round(row["avg_seconds"], 1),
                    "" if row["bounce_rate"] is None else round(row["bounce_rate"], 4),
                    row["downloads"],
                    row["leads"],
                    "" if row["conversion"] is None else round(row["conversion"], 4),
                    row["organic"],
                    row["sales_uses"],
                    row["reps"],
                    row["deal_deals"],
                    row["deal_won"],
                    row["deal_lost"],
                    "" if row["deal_win_rate"] is None else round(row["deal_win_rate"], 4),
                    " ".join(f"{cur} {amount}" for cur, amount in row["deal_revenue"].items()),
                    row["backlinks"],
                    row["deal_late_links"],
                )
            ]
        )
    return response


@require_POST
def send_now(request):
    form = report.ReportFilterForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("The report was not sent: check the filters."))
        return HttpResponseRedirect(reverse("analytics_dashboard:index"))
    period, segment = form.period_and_segment()
    recipients = services.program_manager_emails()
    if not recipients:
        messages.error(request, _("No program manager has an email address: nothing was sent."))
    else:
        services.report_dispatch_request(
            start=period.start, end=period.end, filters=segment.as_params(), actor=request.user
        )
        messages.success(
            request,
            ngettext(
                "The report is on its way to %(n)s program manager.",
                "The report is on its way to %(n)s program managers.",
                len(recipients),
            )
            % {"n": len(recipients)},
        )
    return HttpResponseRedirect(
        reverse("analytics_dashboard:index") + "?" + _query(period, segment)
    )


dashboard = _staff_view(dashboard)
story_report = _staff_view(story_report)
export_csv = _staff_view(export_csv)
send_now = _staff_view(send_now)
