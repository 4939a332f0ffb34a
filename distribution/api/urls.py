"""``/api/``: the read-only JSON API and its OpenAPI schema."""

from django.urls import path
from drf_spectacular.views import SpectacularAPIView

from distribution.api import views as api

app_name = "api"

urlpatterns = [
    path("stories/", api.StoryList.as_view(), name="stories"),
    path("stories/<slug:slug>/", api.StoryDetail.as_view(), name="story"),
    path("taxonomy/", api.Taxonomy.as_view(), name="taxonomy"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
]
