from django.urls import path

from analytics import beacon, views

app_name = "analytics"

urlpatterns = [
    path("e", beacon.beacon, name="beacon"),
    path("download/<slug:slug>/<str:kind>/", views.lead_form, name="lead_form"),
]
