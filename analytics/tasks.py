import logging

from celery import shared_task
from django.conf import settings
from django.utils import translation

from analytics import gating, report, services
from core.emails import send_templated_email

log = logging.getLogger(__name__)


@shared_task
def send_lead_email(lead_id: int) -> bool:
    """The lead's download link, once (the claim makes retries harmless)."""
    lead = services.lead_email_claim(lead_id=lead_id)
    if lead is None:
        return False
    cs = lead.case_study
    kind = lead.document if lead.document in gating.KINDS else "pdf"
    token = gating.download_token(cs, kind, for_email=True)
    send_templated_email(
        name="lead_download",
        to=[lead.email],
        context={
            "lead": lead,
            "title": cs.anonymise_text(cs.published_version.title)
            if cs.published_version_id
            else cs.public_customer_name,
            "url": settings.SITE_URL + gating.document_url(cs, kind, token=token),
        },
    )
    return True


@shared_task
def send_report(dispatch_id: int) -> bool:
    """Email one impact report to the program managers, once."""
    dispatch = services.report_dispatch_claim(dispatch_id=dispatch_id)
    if dispatch is None:
        return False
    recipients = dispatch.recipients.split()
    if not recipients:
        log.warning("Impact report %s: no program manager has an email address.", dispatch.pk)
        return False
    form = report.ReportFilterForm(
        {"start": dispatch.period_start, "end": dispatch.period_end, **dispatch.filters}
    )
    if not form.is_valid():  # a segment term was renamed since: the whole portfolio
        form = report.ReportFilterForm({"start": dispatch.period_start, "end": dispatch.period_end})
        form.is_valid()
    period, segment = form.period_and_segment()
    with translation.override(settings.LANGUAGE_CODE):
        data = report.build(period, segment)
    send_templated_email(
        name="impact_report",
        to=recipients,
        context={"r": data, "dispatch": dispatch, "top": data["stories"][:10]},
    )
    return True


@shared_task
def send_monthly_report() -> bool:
    """Beat, on the 1st: last month's report. The ledger row is unique per
    month, so a second run (restart, two beat processes) sends nothing."""
    period = report.previous_month()
    dispatch = services.report_dispatch_request(
        start=period.start, end=period.end, filters={}, monthly=True
    )
    return dispatch is not None
