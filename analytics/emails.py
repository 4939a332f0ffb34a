"""Impact emails, one outbox sender each (``core.outbox``): a lead's download
link and the impact report to the program managers."""

import logging

from django.conf import settings
from django.utils import timezone, translation

from analytics import gating, report, services
from analytics.models import Lead, ReportDispatch
from core import outbox
from core.emails import send_templated_email
from core.models import OutboxEmail

log = logging.getLogger(__name__)


@outbox.sender("analytics.lead_download")
def lead_download_email(message: OutboxEmail) -> outbox.Sent | None:
    """The lead's download link; its signed token is made here, in the worker."""
    lead = (
        Lead.objects.select_related("case_study__published_version")
        .filter(pk=message.payload["lead"], email_sent_at__isnull=True)
        .first()
    )
    if lead is None:
        return None
    cs = lead.case_study
    kind = lead.document if lead.document in gating.KINDS else "pdf"
    token = gating.download_token(cs, kind, for_email=True)
    subject = send_templated_email(
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
    Lead.objects.filter(pk=lead.pk).update(email_sent_at=timezone.now())
    return outbox.Sent(to=[lead.email], subject=subject)


@outbox.sender("analytics.impact_report")
def impact_report_email(message: OutboxEmail) -> outbox.Sent | None:
    """One impact report to the program managers."""
    dispatch = ReportDispatch.objects.filter(
        pk=message.payload["dispatch"], sent_at__isnull=True
    ).first()
    if dispatch is None:
        return None
    recipients = services.program_manager_emails()
    if not recipients:
        log.warning("Impact report %s: no program manager has an email address.", dispatch.pk)
        return None
    form = report.ReportFilterForm(
        {"start": dispatch.period_start, "end": dispatch.period_end, **dispatch.filters}
    )
    if not form.is_valid():  # a segment term was renamed since: the whole portfolio
        form = report.ReportFilterForm({"start": dispatch.period_start, "end": dispatch.period_end})
        form.is_valid()
    period, segment = form.period_and_segment()
    with translation.override(settings.LANGUAGE_CODE):
        data = report.build(period, segment)
    subject = send_templated_email(
        name="impact_report",
        to=recipients,
        context={"r": data, "dispatch": dispatch, "top": data["stories"][:10]},
    )
    ReportDispatch.objects.filter(pk=dispatch.pk).update(
        sent_at=timezone.now(), recipients="\n".join(recipients)
    )
    return outbox.Sent(to=recipients, subject=subject)
