"""The inbound tests' fixtures: a relay posting raw mail, and a contact who got our first email."""

import hashlib

import pytest
from django.urls import reverse

from agents.delivery.models import EmailThread, OutboundMessage
from agents.tests.factories import make_lead

SECRET = "inb_test-secret-for-the-inbound-endpoint"


@pytest.fixture
def inbound(personas, django_capture_on_commit_callbacks):
    """Post a raw message as a mail relay would, and run what it enqueues."""
    personas.workspace.inbound_secret_hash = hashlib.sha256(SECRET.encode()).hexdigest()
    personas.workspace.save()

    def post(raw: bytes, secret: str = SECRET):
        with django_capture_on_commit_callbacks(execute=True):
            return personas.client_for(None).post(
                reverse("conversations:inbound_mime"),
                raw,
                content_type="message/rfc822",
                headers={"Authorization": f"Bearer {secret}"},
            )

    return post


@pytest.fixture
def sent_thread(personas):
    """A contact who got our first email, in a thread with a reply token."""
    from agents.delivery.models import Mailbox

    lead = make_lead(workspace=personas.workspace)
    contact = lead.contact
    contact.email = "jane.doe@acme-robotics.example"
    contact.first_name = "Jane"
    contact.save()
    mailbox = Mailbox.objects.create(
        workspace=personas.workspace, from_name="Sam Keller", from_address="sam@demo-sales.example"
    )
    thread = EmailThread.objects.create(
        workspace=personas.workspace, campaign=lead.campaign, contact=contact, mailbox=mailbox, reply_token="t8f3k2"
    )
    sent = OutboundMessage.objects.create(
        workspace=personas.workspace,
        campaign=lead.campaign,
        contact=contact,
        thread=thread,
        mailbox=mailbox,
        subject="After the funding news",
        body_text="Hi Jane",
        idempotency_key="first",
        message_id="<out-1001@demo-sales.example>",
        status=OutboundMessage.Status.SENT,
    )
    follow_up = OutboundMessage.objects.create(
        workspace=personas.workspace,
        campaign=lead.campaign,
        contact=contact,
        thread=thread,
        subject="Re: After the funding news",
        body_text="Following up",
        idempotency_key="second",
        step_position=2,
    )
    return thread, sent, follow_up
