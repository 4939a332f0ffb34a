from django.urls import path

from analytics import dashboard

app_name = "analytics_dashboard"

urlpatterns = [
    path("", dashboard.dashboard, name="index"),
    path("story/<str:story_id>/", dashboard.story_report, name="story"),
    path("export.csv", dashboard.export_csv, name="export"),
    path("send/", dashboard.send_now, name="send"),
]
