from django.urls import path

from distribution import views

app_name = "gallery"

urlpatterns = [
    path("", views.gallery, name="list"),
    path("<slug:slug>/", views.case_study_detail, name="detail"),
]
