"""Public outreach links: no login, reached from an email or a rep's message."""

from django.urls import path

from distribution.outreach import views

app_name = "outreach_public"

urlpatterns = [
    path("preferences/<str:token>/", views.preferences, name="preferences"),
    path("unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
    path("s/<str:code>/", views.share_redirect, name="share"),
]
