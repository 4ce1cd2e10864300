"""The unsubscribe link: signed, works without signing in, one-click POST (RFC 8058) without a CSRF
token, a confirmation page on GET, and it takes effect at once for every campaign of the workspace."""

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from agents.delivery.models import OutboundMessage, Suppression
from agents.delivery.tests.support import make_mailbox, make_queued
from agents.delivery.unsubscribe import unsubscribe_token
from campaigns.models import Contact
from campaigns.tests.factories import make_campaign
from salesops.models import AuditEvent

pytestmark = pytest.mark.django_db


def _link(message: OutboundMessage) -> str:
    token = unsubscribe_token(workspace_id=message.workspace_id, contact_id=message.contact_id, message_pk=message.pk)
    return reverse("agents:unsubscribe", args=[token])


def test_opening_the_link_asks_for_confirmation_and_changes_nothing(personas):
    message = make_queued(workspace=personas.workspace)
    response = Client().get(_link(message))
    assert response.status_code == 200
    assert f"Stop all emails from Acme Sales to {message.contact.email}?" in response.text
    assert Contact.objects.get(pk=message.contact_id).status == "in_sequence"
    assert not Suppression.objects.exists()


def test_the_one_click_post_unsubscribes_without_session_or_csrf_token_from_every_campaign(personas):
    first = make_queued(workspace=personas.workspace)
    other_campaign = make_campaign(workspace=personas.workspace, status="active")
    second = make_queued(workspace=personas.workspace, campaign=other_campaign, contact=first.contact)
    mailbox = make_mailbox(workspace=personas.workspace, campaigns=[other_campaign])
    OutboundMessage.objects.filter(pk=second.pk).update(
        status="scheduled", mailbox=mailbox, scheduled_for=timezone.now()
    )
    client = Client(enforce_csrf_checks=True)
    response = client.post(_link(first), {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200 and "You are unsubscribed" in response.text
    assert Contact.objects.get(pk=first.contact_id).status == Contact.Status.UNSUBSCRIBED
    suppression = Suppression.objects.get(workspace=personas.workspace, value=first.contact.email)
    assert suppression.reason == "unsubscribe"
    assert set(OutboundMessage.objects.values_list("status", "cancel_reason")) == {("cancelled", "unsubscribed")}
    event = AuditEvent.objects.get(workspace=personas.workspace, verb="contact.unsubscribed")
    assert event.actor == "recipient:one-click" and event.after["cancelled_messages"] == 2
    # A second click changes nothing and says so kindly.
    assert client.post(_link(first), {"List-Unsubscribe": "One-Click"}).status_code == 200
    assert AuditEvent.objects.filter(verb="contact.unsubscribed").count() == 1
    assert "already unsubscribed" in client.get(_link(first)).text


def test_a_forged_or_altered_link_does_nothing(personas):
    message = make_queued(workspace=personas.workspace)
    link = _link(message)
    altered = link.replace(link.rstrip("/").rsplit(":", 1)[1], "AAAAAAAAAAAAAAAAAAAAAAAAAAA")
    response = Client().post(altered, {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 404 and "does not work" in response.text
    assert Contact.objects.get(pk=message.contact_id).status == "in_sequence"


def test_a_link_cannot_reach_a_contact_of_another_workspace(personas):
    message = make_queued(workspace=personas.workspace)
    token = unsubscribe_token(
        workspace_id=personas.outsider.workspace_id, contact_id=message.contact_id, message_pk=None
    )
    response = Client().post(reverse("agents:unsubscribe", args=[token]))
    assert response.status_code == 404
    assert Contact.objects.get(pk=message.contact_id).status == "in_sequence"


def test_the_page_speaks_for_the_senders_company_and_shows_none_of_the_app(personas):
    message = make_queued(workspace=personas.workspace)
    page = Client().get(_link(message)).text
    assert "<title>Unsubscribe · Acme Sales</title>" in page
    assert "<h1>Unsubscribe from Acme Sales</h1>" in page
    assert "Acme Sales" in page.split("<footer", 1)[1]
    assert "salesops" not in page.lower()
    assert 'aria-label="Main"' not in page and 'rel="icon"' in page
