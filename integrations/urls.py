from django.urls import path

from integrations import views

app_name = "integrations"

urlpatterns = [
    path("chat/", views.chat, name="chat"),
    path("chat/<int:endpoint_id>/toggle/", views.chat_toggle, name="chat_toggle"),
]
