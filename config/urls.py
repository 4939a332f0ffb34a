from django.conf import settings
from django.contrib import admin
from django.contrib.sitemaps import views as sitemap_views
from django.urls import include, path
from django.views.generic import RedirectView

from core import views as core_views
from core.page_cache import public_page
from distribution.publication import views as distribution_views
from distribution.publication.sitemaps import SITEMAPS
from integrations import api as integration_api
from integrations import embed_views as integration_embed_views

handler500 = "core.views.server_error"

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="gallery:list", permanent=False)),
    path("healthz", core_views.healthz, name="healthz"),
    path("i18n/", include("django.conf.urls.i18n")),
    # Approval staff pages (certificate, suggestions) beside the admin's own.
    path("admin/approvals/approvalrequest/", include("approvals.staff_urls")),
    path("admin/analytics/dashboard/", include("analytics.dashboard_urls")),
    # Password reset by email (core/accounts), before the admin's catch-all.
    path("admin/", include("core.accounts.urls")),
    path("admin/", admin.site.urls),
    path("a/", include("analytics.urls")),
    path("case-studies/", include("distribution.publication.urls")),
    path("sales/", include("distribution.outreach.urls")),
    path("", include("distribution.outreach.public_urls")),
    path("review/", include("approvals.urls")),
    path("recruitment/", include("recruitment.urls")),
    path("sales/", include("distribution.sales.urls")),
    # The CRM endpoints (integration tokens), beside the read-only story API.
    path("api/match/", integration_api.Match.as_view(), name="api_match"),
    path("api/deals/", integration_api.Deals.as_view(), name="api_deals"),
    path("api/", include("distribution.api.urls")),
    path("integrations/", include("integrations.urls")),
    # Embeds for other sites (script, frames, beacon) and oEmbed for story URLs.
    path("embed/", include("integrations.embed_urls")),
    path("oembed/", integration_embed_views.oembed, name="oembed"),
    # The email services' tracking webhooks (anymail.urls' tracking views,
    # refused without ANYMAIL_WEBHOOK_SECRET): bounces and complaints → suppression list.
    path("anymail/", include("distribution.outreach.esp_webhooks")),
    path(
        "sitemap.xml",
        public_page(sitemap_views.sitemap),
        {"sitemaps": SITEMAPS},
        name="sitemap",
    ),
    path("robots.txt", distribution_views.robots_txt, name="robots_txt"),
    path("branding.css", distribution_views.branding_css, name="branding_css"),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
