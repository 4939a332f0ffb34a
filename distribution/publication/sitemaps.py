"""sitemap.xml: the gallery, its industry pages, and every public language
version of every published story (with hreflang alternates and lastmod)."""

from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.db.models import Max
from django.urls import reverse

from casestudies import selectors
from casestudies.models import StoryTranslation


class _SiteUrlSitemap(Sitemap):
    """Absolute URLs on SITE_URL, whatever host the request came on."""

    def get_domain(self, site=None) -> str:
        return urlsplit(settings.SITE_URL).netloc

    def get_protocol(self, protocol=None) -> str:
        return urlsplit(settings.SITE_URL).scheme or "https"


class GallerySitemap(_SiteUrlSitemap):
    changefreq = "daily"
    priority = 0.8

    def items(self):
        industries = (
            selectors.published_case_studies()
            .filter(customer__industry__archived=False)
            .values_list("customer__industry__slug", flat=True)
            .distinct()
            .order_by("customer__industry__slug")
        )
        return [None, *industries]

    def location(self, item) -> str:
        path = reverse("gallery:list")
        return f"{path}?industry={item}" if item else path

    def lastmod(self, item):
        qs = selectors.published_case_studies()
        if item:
            qs = qs.filter(customer__industry__slug=item)
        return qs.aggregate(last=Max("updated_at"))["last"]


class StorySitemap(_SiteUrlSitemap):
    changefreq = "monthly"
    priority = 0.6

    def items(self):
        studies = list(
            selectors.published_case_studies()
            .select_related("published_version")
            .only("pk", "slug", "updated_at", "published_version__language")
            .order_by("-published_at", "-pk")
        )
        translations: dict[int, list] = {}
        for t in (
            StoryTranslation.objects.filter(case_study__in=[cs.pk for cs in studies])
            .only("case_study_id", "language", "approved_at")
            .order_by("language")
        ):
            translations.setdefault(t.case_study_id, []).append(t)
        items = []
        for cs in studies:
            main = cs.published_version.language
            path = cs.get_absolute_url()
            versions = [(main, path, cs.updated_at)] + [
                (t.language, f"{path}?lang={t.language}", max(cs.updated_at, t.approved_at))
                for t in translations.get(cs.pk, [])
                if t.language != main
            ]
            for language, location, lastmod in versions:
                items.append(
                    {
                        "location": location,
                        "lastmod": lastmod,
                        "language": language,
                        "all": versions,
                    }
                )
        return items

    def location(self, item) -> str:
        return item["location"]

    def lastmod(self, item):
        return item["lastmod"]

    def get_urls(self, page=1, site=None, protocol=None):
        urls = super().get_urls(page=page, site=site, protocol=protocol)
        base = f"{self.get_protocol(protocol)}://{self.get_domain(site)}"
        for url in urls:
            versions = url["item"]["all"]
            if len(versions) > 1:
                url["alternates"] = [
                    {"lang_code": language, "location": f"{base}{location}"}
                    for language, location, _lastmod in versions
                ] + [{"lang_code": "x-default", "location": f"{base}{versions[0][1]}"}]
        return urls


SITEMAPS = {"gallery": GallerySitemap, "stories": StorySitemap}
