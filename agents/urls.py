"""Delivery URLs, included by salesops/urls.py at the root: settings pages for admins and the public
unsubscribe link."""

from django.urls import path

from agents import views_delivery

app_name = "agents"

urlpatterns = [
    path("settings/mailboxes/", views_delivery.mailbox_list, name="mailbox_list"),
    path("settings/mailboxes/new/", views_delivery.mailbox_create, name="mailbox_create"),
    path("settings/mailboxes/<int:mailbox_id>/", views_delivery.mailbox_edit, name="mailbox_edit"),
    path("settings/mailboxes/<int:mailbox_id>/test/", views_delivery.mailbox_send_test, name="mailbox_send_test"),
    path("settings/suppression/", views_delivery.suppression_list, name="suppression_list"),
    path("settings/suppression/add/", views_delivery.suppression_add, name="suppression_add"),
    path("settings/suppression/import/", views_delivery.suppression_import, name="suppression_import"),
    path(
        "settings/suppression/<int:suppression_id>/remove/",
        views_delivery.suppression_remove,
        name="suppression_remove",
    ),
    path("settings/outbox/", views_delivery.outbox_list, name="outbox_list"),
    path("settings/outbox/<int:message_id>/", views_delivery.outbox_detail, name="outbox_detail"),
    path("settings/outbox/<int:message_id>/send-now/", views_delivery.outbox_send_now, name="outbox_send_now"),
    path("settings/sandbox/", views_delivery.sandbox_list, name="sandbox_list"),
    path("settings/sandbox/<int:mail_id>/", views_delivery.sandbox_detail, name="sandbox_detail"),
    path(
        "settings/sandbox/<int:mail_id>/attachments/<int:index>/",
        views_delivery.sandbox_attachment,
        name="sandbox_attachment",
    ),
    path("u/<str:token>/", views_delivery.unsubscribe, name="unsubscribe"),
]
