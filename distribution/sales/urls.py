"""``/sales/``: the sales portal (issue 7). Other sales pages (references,
campaigns, share links…) live in their own URL files under /sales/ too."""

from django.urls import path

from distribution.sales import views as sales_views

app_name = "sales"

urlpatterns = [
    path("", sales_views.portal, name="portal"),
    path("objections/", sales_views.by_objection, name="objections"),
    path("competitors/", sales_views.by_competitor, name="competitors"),
    path("stories/<slug:slug>/", sales_views.story_card, name="story"),
    path("stories/<slug:slug>/use/", sales_views.sales_use, name="use"),
    path("packs/", sales_views.pack_list, name="packs"),
    path("packs/new/", sales_views.pack_new, name="pack_new"),
    path("packs/<str:pk>/", sales_views.pack_detail, name="pack"),
    path("packs/<str:pk>/status/", sales_views.pack_status, name="pack_status"),
    path("packs/<str:pk>/render/", sales_views.pack_rerender, name="pack_rerender"),
    path("packs/<str:pk>/deal/", sales_views.pack_link_deal, name="pack_deal"),
    path("packs/<str:pk>/pdf/", sales_views.pack_pdf, name="pack_pdf"),
    path("packs/<str:pk>/slides/", sales_views.pack_slides, name="pack_slides"),
]
