from django.urls import path

from integrations import embed_views

app_name = "embeds"

urlpatterns = [
    path("v1.js", embed_views.embed_js, name="script"),
    path("<str:key>/frame/", embed_views.frame, name="frame"),
    path("<str:key>/story/<slug:slug>/", embed_views.story, name="story"),
    path("<str:key>/event/", embed_views.event, name="event"),
]
