from django.urls import path

from approvals import views

app_name = "review"

urlpatterns = [
    path("<str:token>/", views.review_page, name="page"),
    path("<str:token>/save/", views.review_submit, name="submit"),
    path("<str:token>/code/", views.review_code_send, name="code_send"),
    path("<str:token>/verify/", views.review_code_verify, name="code_verify"),
    path("<str:token>/comment/", views.review_comment, name="comment"),
    path("<str:token>/quote/", views.review_quote, name="quote"),
    path("<str:token>/flag/", views.review_flag, name="flag"),
    path("<str:token>/rights/", views.review_rights, name="rights"),
    path("<str:token>/decide/", views.review_decide, name="decide"),
]
