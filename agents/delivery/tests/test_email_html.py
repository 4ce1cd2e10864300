"""The HTML part of an email is built from the body as text: whatever the body holds is escaped, so
markup that slipped into a draft is shown as characters and never runs in a mail client."""

import pytest

from agents.delivery.compose import compose
from agents.delivery.models import EmailThread
from agents.delivery.tests.support import make_mailbox, make_queued


@pytest.mark.django_db
def test_the_html_part_of_an_email_escapes_its_body(personas):
    message = make_queued(
        workspace=personas.workspace,
        body_text='Hi Anna,\n\n<script>alert(1)</script> <img src=x onerror="alert(2)"> &amp;\n\nSam',
    )
    mailbox = make_mailbox(workspace=personas.workspace, campaigns=[message.campaign])
    thread = EmailThread.objects.create(
        workspace=personas.workspace,
        campaign=message.campaign,
        contact=message.contact,
        mailbox=mailbox,
        reply_token="t0ken-sanitise",
    )
    composed = compose(
        message=message,
        mailbox=mailbox,
        thread=thread,
        contact=message.contact,
        postal_address="1 Main St",
        earlier_message_ids=[],
    )
    assert "<script>" not in composed.html and "<img" not in composed.html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in composed.html
    assert "&amp;amp;" in composed.html
