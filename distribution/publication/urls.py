from django.urls import path

from distribution.publication import document_views, views

app_name = "gallery"

urlpatterns = [
    path("", views.gallery, name="list"),
    path("<slug:slug>/", views.case_study_detail, name="detail"),
    # The story's documents (?lang=id picks the language, ?paper=letter the paper).
    path("<slug:slug>/pdf/", document_views.story_pdf, name="pdf"),
    path("<slug:slug>/pdf/status/", document_views.story_pdf_status, name="pdf_status"),
    path("<slug:slug>/one-pager/", document_views.story_one_pager, name="one_pager"),
    path(
        "<slug:slug>/one-pager/status/",
        document_views.story_one_pager_status,
        name="one_pager_status",
    ),
    path("<slug:slug>/slides/", document_views.story_slides, name="slides"),
    path("<slug:slug>/slides/status/", document_views.story_slides_status, name="slides_status"),
]
