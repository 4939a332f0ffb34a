"""Gated downloads: a story's documents behind a short lead form.

The document URL, for a gated story, sends the reader to the form unless it
carries a valid download token (``?dl=``): a signed "story:kind" with a
timestamp, valid a few minutes after the form and a week in the emailed link.
No session, no cookie.
"""

from urllib.parse import urlencode

from django.core import signing
from django.http import HttpResponseRedirect
from django.urls import reverse

from analytics.capture import conf
from analytics.models import DownloadGate

SALT = "analytics.download"
EMAIL_SALT = "analytics.download.email"
KINDS = ("pdf", "one_pager", "slides")


def is_gated(case_study) -> bool:
    return DownloadGate.objects.filter(case_study=case_study, enabled=True).exists()


def download_token(case_study, kind: str, *, for_email: bool = False) -> str:
    salt = EMAIL_SALT if for_email else SALT
    return signing.TimestampSigner(salt=salt).sign(f"{case_study.pk}:{kind}")


def token_valid(token: str, case_study, kind: str) -> bool:
    expected = f"{case_study.pk}:{kind}"
    for salt, max_age in (
        (SALT, conf("DOWNLOAD_TOKEN_SECONDS")),
        (EMAIL_SALT, conf("DOWNLOAD_EMAIL_TOKEN_SECONDS")),
    ):
        try:
            if signing.TimestampSigner(salt=salt).unsign(token, max_age=max_age) == expected:
                return True
        except signing.BadSignature:
            continue
    return False


def document_url(case_study, kind: str, *, token: str = "", query: dict | None = None) -> str:
    url = reverse(f"gallery:{kind}", kwargs={"slug": case_study.slug})
    params = {k: v for k, v in (query or {}).items() if k in ("lang", "paper") and v}
    if token:
        params["dl"] = token
    return f"{url}?{urlencode(params)}" if params else url


def gate_or_none(request, case_study, kind: str):
    """None when the download may proceed; otherwise the redirect to the lead
    form (called by distribution.publication.document_views for every document)."""
    kind = str(kind)
    if kind not in KINDS or not is_gated(case_study):
        return None
    if token_valid(request.GET.get("dl", ""), case_study, kind):
        return None
    keep = {k: request.GET[k] for k in ("lang", "paper", *_utm()) if request.GET.get(k)}
    url = reverse("analytics:lead_form", kwargs={"slug": case_study.slug, "kind": kind})
    return HttpResponseRedirect(f"{url}?{urlencode(keep)}" if keep else url)


def _utm():
    return ("utm_source", "utm_medium", "utm_campaign")
