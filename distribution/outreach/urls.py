"""Rep-facing outreach pages, mounted at ``/sales/`` (login, Sales or
Program managers)."""

from django.urls import path

from distribution.outreach import views

app_name = "outreach"

urlpatterns = [
    path("references/", views.reference_list, name="references"),
    path("references/new/", views.reference_new, name="reference_new"),
    path("references/<str:pk>/", views.reference_detail, name="reference_detail"),
    path("references/<str:pk>/<str:action>/", views.reference_action, name="reference_action"),
    path("customers/<str:pk>/asks/", views.customer_asks, name="customer_asks"),
    path("share/", views.share_list, name="share"),
    path("share/<str:pk>/", views.share_detail, name="share_detail"),
    path("share/<str:pk>/revoke/", views.share_revoke, name="share_revoke"),
    path("share/<str:pk>/deal/", views.share_link_deal, name="share_deal"),
    path("social/", views.social_drafts, name="social"),
    path("uses/", views.story_uses, name="uses"),
]
