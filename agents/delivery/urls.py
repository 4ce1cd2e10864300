"""Delivery URLs, included by agents/urls.py at the root: settings pages for admins and the public
unsubscribe link."""

from django.urls import path

from agents.delivery import views

app_name = "agents"

urlpatterns = [
    path("settings/mailboxes/", views.mailbox_list, name="mailbox_list"),
    path("settings/mailboxes/new/", views.mailbox_create, name="mailbox_create"),
    path("settings/mailboxes/<int:mailbox_id>/", views.mailbox_edit, name="mailbox_edit"),
    path("settings/mailboxes/<int:mailbox_id>/test/", views.mailbox_send_test, name="mailbox_send_test"),
    path("settings/suppression/", views.suppression_list, name="suppression_list"),
    path("settings/suppression/add/", views.suppression_add, name="suppression_add"),
    path("settings/suppression/import/", views.suppression_import, name="suppression_import"),
    path(
        "settings/suppression/<int:suppression_id>/remove/",
        views.suppression_remove,
        name="suppression_remove",
    ),
    path("settings/outbox/", views.outbox_list, name="outbox_list"),
    path("settings/outbox/<int:message_id>/", views.outbox_detail, name="outbox_detail"),
    path("settings/outbox/<int:message_id>/send-now/", views.outbox_send_now, name="outbox_send_now"),
    path("settings/sandbox/", views.sandbox_list, name="sandbox_list"),
    path("settings/sandbox/<int:mail_id>/", views.sandbox_detail, name="sandbox_detail"),
    path(
        "settings/sandbox/<int:mail_id>/attachments/<int:index>/",
        views.sandbox_attachment,
        name="sandbox_attachment",
    ),
    path("u/<str:token>/", views.unsubscribe, name="unsubscribe"),
]
