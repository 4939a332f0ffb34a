"""Impact's background work: thin tasks over ``analytics.services``. The
emails are outbox emails (``analytics/emails.py``)."""

from celery import shared_task

from analytics import report, services


@shared_task(name="analytics.tasks.send_monthly_report")
def send_monthly_report() -> bool:
    """Beat, on the 1st: last month's report. The ledger row is unique per
    month, so a second run (restart, two beat processes) sends nothing."""
    period = report.previous_month()
    dispatch = services.report_dispatch_request(
        start=period.start, end=period.end, filters={}, monthly=True
    )
    return dispatch is not None
