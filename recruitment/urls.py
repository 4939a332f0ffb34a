from django.urls import path

from recruitment import views

app_name = "recruitment"

urlpatterns = [
    path("respond/<str:token>/", views.respond, name="respond"),
]
