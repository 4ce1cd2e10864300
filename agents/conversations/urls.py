from django.urls import path

from agents.conversations import views

app_name = "conversations"

urlpatterns = [
    path("mime/", views.inbound_mime, name="inbound_mime"),
    path("messages/", views.inbound_list, name="inbound_list"),
    path("secret/", views.inbound_secret_rotate, name="inbound_secret_rotate"),
]
