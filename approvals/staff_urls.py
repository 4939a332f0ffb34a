"""Staff pages beside the approval request's admin page, mounted under
``/admin/approvals/approvalrequest/`` before the admin's own URLs."""

from django.urls import path

from approvals import staff_views

app_name = "approvals_staff"

urlpatterns = [
    path("outside/<str:case_study_id>/", staff_views.outside, name="outside"),
    path("outside-file/<str:record_id>/", staff_views.outside_file, name="outside_file"),
    path("<str:request_id>/certificate/", staff_views.certificate, name="certificate"),
    path("<str:request_id>/suggestions/", staff_views.suggestions, name="suggestions"),
]
