"""First-party events: one row per thing a reader, a prospect or a rep did
with a story. No raw IP address, no cookie identifier: only what the impact
measures need.

Other apps record through :func:`analytics.events.record`; this app turns the
rows into the measures of the guide's "Measuring Case Study Impact".
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class EventKind(models.TextChoices):
    VIEW = "view", _("story view")
    ENGAGEMENT = "engagement", _("time on page")
    DOWNLOAD = "download", _("download")
    SHARE_VISIT = "share_visit", _("share-link visit")
    GALLERY_SEARCH = "gallery_search", _("gallery search or filter")
    SALES_USE = "sales_use", _("used by sales")
    CAMPAIGN_CLICK = "campaign_click", _("campaign click")


class Event(models.Model):
    kind = models.CharField(_("kind"), max_length=20, choices=EventKind.choices)
    created_at = models.DateTimeField(_("when"), default=timezone.now)
    case_study = models.ForeignKey(
        "casestudies.CaseStudy",
        verbose_name=_("case study"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="events",
    )
    # Staff actions (sales use): who; anonymous readers: nobody.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("staff member"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # What exactly: "pdf" / "one_pager" / "slides" for downloads, "copy_quote",
    # "pack", "share_link" … for sales use, the search terms' facet for searches.
    detail = models.CharField(_("detail"), max_length=100, blank=True)
    referrer_host = models.CharField(_("referrer"), max_length=255, blank=True)
    utm_source = models.CharField(_("UTM source"), max_length=100, blank=True)
    utm_medium = models.CharField(_("UTM medium"), max_length=100, blank=True)
    utm_campaign = models.CharField(_("UTM campaign"), max_length=100, blank=True)
    value = models.PositiveIntegerField(_("value"), null=True, blank=True)

    class Meta:
        verbose_name = _("event")
        verbose_name_plural = _("events")
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["kind", "created_at"], name="analytics_event_kind_idx"),
            models.Index(
                fields=["case_study", "kind", "created_at"], name="analytics_event_story_idx"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.created_at:%Y-%m-%d %H:%M}"
