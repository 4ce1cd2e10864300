"""A prospect's interested reply, followed to a booked meeting: the agents answer with times and a booking
link, a rep approves the answer in the inbox, the email leaves, and the prospect books from the link in
the email exactly as received. Nobody copies a link."""

import hashlib
import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from agents.delivery.models import EmailThread, OutboundMessage
from agents.delivery.scheduling import delivery_schedule
from agents.delivery.sending import delivery_send_due
from agents.delivery.tests.support import make_mailbox
from agents.meetings.models import Meeting
from agents.meetings.tests.factories import make_availability
from agents.models import Handoff
from agents.tests.factories import make_lead
from salesops.tests.browser import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
REPLY = Path(__file__).parent / "corpus" / "01-interested-gmail.eml"
SECRET = "inb_browser-test-secret"


def test_an_interested_reply_ends_in_a_meeting_booked_from_the_answers_link(
    live_server, page, personas, settings, django_capture_on_commit_callbacks
):
    settings.SITE_URL = live_server.url  # the links in outgoing email point at this server
    make_availability(membership=personas.rep, time_zone="Europe/Berlin")
    lead = make_lead(workspace=personas.workspace, autonomy="review_all", status="active")
    contact = lead.contact
    contact.email, contact.time_zone = "jane.doe@acme-robotics.example", "Europe/Berlin"
    contact.save()
    mailbox = make_mailbox(workspace=personas.workspace, campaigns=[lead.campaign])
    thread = EmailThread.objects.create(
        workspace=personas.workspace, campaign=lead.campaign, contact=contact, mailbox=mailbox, reply_token="t8f3k2"
    )
    OutboundMessage.objects.create(
        workspace=personas.workspace, campaign=lead.campaign, contact=contact, thread=thread, mailbox=mailbox,
        subject="After the funding news", body_text="Hi Jane", idempotency_key="first",
        message_id="<out-1001@demo-sales.example>", status=OutboundMessage.Status.SENT,
    )  # fmt: skip
    personas.workspace.inbound_secret_hash = hashlib.sha256(SECRET.encode()).hexdigest()
    personas.workspace.save()

    # The prospect answers our first email: the relay posts it, the agents draft an answer with times.
    with django_capture_on_commit_callbacks(execute=True):
        response = personas.client_for(None).post(
            reverse("conversations:inbound_mime"), REPLY.read_bytes(), content_type="message/rfc822",
            headers={"Authorization": f"Bearer {SECRET}"},
        )  # fmt: skip
    assert response.status_code == 202
    handoff = Handoff.objects.get(kind=Handoff.Kind.DRAFT_REVIEW, contact=contact)

    # The rep approves the answer in the inbox.
    sign_in(page, live_server.url, personas.rep.user.email)
    page.goto(f"{live_server.url}/inbox/{handoff.pk}/")
    expect(page.locator("#item-detail")).to_contain_text("Or pick any open time here")
    page.get_by_role("button", name="Approve").click()
    expect(page.locator("#item-detail")).not_to_have_attribute("data-item-id", str(handoff.pk))
    answer = OutboundMessage.objects.get(contact=contact, step_position=0)
    assert answer.approved_by == personas.rep.user

    # Delivery: the answer takes the window's first moment and leaves.
    delivery_schedule(workspace=personas.workspace, now=timezone.now())
    answer.refresh_from_db()
    assert answer.status == "scheduled", answer.decision
    delivery_send_due(now=answer.scheduled_for + timedelta(seconds=1))
    answer.refresh_from_db()
    assert answer.status == "sent" and answer.subject == "Re: After the funding news"
    [sent] = [message for message in mail.outbox if any(contact.email in to for to in message.to)]

    # The prospect opens the link in the email as received and books a time.
    assert "Would one of these times work for you?" in sent.body
    link = re.search(r"https?://\S+/book/\S+", sent.body).group(0)
    assert link.startswith(live_server.url)
    page.goto(link)
    page.locator("section.slot-day").first.get_by_role("button").first.click()
    page.wait_for_url("**/book/meeting/**")
    assert "You're booked" in page.locator("main").inner_text()
    meeting = Meeting.objects.get(contact=contact)
    assert (meeting.status, meeting.campaign, meeting.rep) == ("booked", lead.campaign, personas.rep.user)
