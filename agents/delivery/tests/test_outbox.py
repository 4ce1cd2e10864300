"""The outbox's way back: what is still waiting for a contact is cancelled, with the reason, and nothing else."""

import pytest
from django.utils import timezone

from agents.delivery.models import OutboundMessage
from agents.delivery.outbox import cancel_pending_messages
from agents.delivery.tests.support import make_mailbox, make_queued
from campaigns.tests.factories import make_campaign

pytestmark = pytest.mark.django_db


def test_it_cancels_queued_and_scheduled_email_of_every_campaign_and_records_why(personas):
    queued = make_queued(workspace=personas.workspace, cite_signal=False)
    other_campaign = make_campaign(workspace=personas.workspace, status="active")
    mailbox = make_mailbox(workspace=personas.workspace, campaigns=[other_campaign])
    scheduled = make_queued(
        workspace=personas.workspace,
        campaign=other_campaign,
        contact=queued.contact,
        status="scheduled",
        mailbox=mailbox,
        scheduled_for=timezone.now(),
        cite_signal=False,
    )
    cancelled = cancel_pending_messages(
        workspace_id=personas.workspace.pk,
        contact_ids=[queued.contact_id],
        reason="taken_over",
        text="Cancelled: a person took over this conversation.",
    )
    assert cancelled == 2
    for message in (queued, scheduled):
        message.refresh_from_db()
        assert (message.status, message.cancel_reason) == ("cancelled", "taken_over")
        assert message.decision == "Cancelled: a person took over this conversation."


def test_it_leaves_email_already_leaving_or_gone_and_other_contacts_alone(personas):
    mine = make_queued(workspace=personas.workspace, cite_signal=False)
    mailbox = make_mailbox(workspace=personas.workspace, campaigns=[mine.campaign])
    sending = make_queued(
        workspace=personas.workspace,
        campaign=mine.campaign,
        contact=mine.contact,
        step=2,
        status="sending",
        mailbox=mailbox,
        cite_signal=False,
    )
    sent = make_queued(
        workspace=personas.workspace, campaign=mine.campaign, contact=mine.contact, step=3, status="sent"
    )
    someone_else = make_queued(workspace=personas.workspace, campaign=mine.campaign, cite_signal=False)
    cancel_pending_messages(
        workspace_id=personas.workspace.pk, contact_ids=[mine.contact_id], reason="replied", text="Cancelled."
    )
    statuses = dict(OutboundMessage.objects.values_list("pk", "status"))
    assert statuses == {mine.pk: "cancelled", sending.pk: "sending", sent.pk: "sent", someone_else.pk: "queued"}


def test_it_does_not_reach_into_another_workspace(personas):
    message = make_queued(workspace=personas.workspace, cite_signal=False)
    cancelled = cancel_pending_messages(
        workspace_id=personas.outsider.workspace_id, contact_ids=[message.contact_id], reason="replied", text="x"
    )
    message.refresh_from_db()
    assert (cancelled, message.status) == (0, "queued")
