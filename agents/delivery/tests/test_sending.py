"""Sending through a real SMTP server on loopback: what arrives, threading, unsubscribe headers, the
text and HTML parts, and recovery when the server refuses or drops the connection."""

from datetime import timedelta

import pytest

from agents.delivery.models import EmailThread, MailboxDay, OutboundMessage, Suppression
from agents.delivery.scheduling import delivery_schedule
from agents.delivery.sending import delivery_recover_stuck, delivery_send_due
from agents.delivery.tests.support import make_mailbox, make_queued, next_monday, smtp_server_running
from agents.models import Handoff, TakeOver
from campaigns.models import Contact
from campaigns.tests.factories import make_campaign
from salesops.tests.factories import make_membership

pytestmark = pytest.mark.django_db

MONDAY_6 = next_monday(hour=6)


@pytest.fixture
def smtp_server():
    with smtp_server_running() as server:
        yield server


def _scheduled(personas, smtp, **fields):
    campaign = make_campaign(workspace=personas.workspace, status="active")
    mailbox = make_mailbox(workspace=personas.workspace, campaigns=[campaign], smtp=smtp)
    message = make_queued(workspace=personas.workspace, campaign=campaign, **fields)
    delivery_schedule(workspace=personas.workspace, now=MONDAY_6)
    message.refresh_from_db()
    assert message.status == OutboundMessage.Status.SCHEDULED, message.decision
    return message, mailbox


def _send_at_its_slot(message, **kwargs):
    message.refresh_from_db()
    return delivery_send_due(now=message.scheduled_for + timedelta(seconds=1), **kwargs)


def test_the_email_arrives_with_unsubscribe_headers_both_parts_and_the_thread_token(personas, smtp_server):
    message, mailbox = _scheduled(personas, smtp_server)
    report = _send_at_its_slot(message)
    assert (report.sent, report.claimed) == (1, 1)
    [received] = smtp_server.handler.received
    message.refresh_from_db()
    thread = EmailThread.objects.get(pk=message.thread_id)
    assert message.status == OutboundMessage.Status.SENT and message.sent_at is not None
    assert received["Message-ID"] == message.message_id  # fixed when queued, before the server saw it
    assert received["From"] == f"Sam Seller <{mailbox.from_address}>"
    assert received["To"].addresses[0].addr_spec == message.contact.email
    assert received["Reply-To"].addresses[0].addr_spec == f"reply+{thread.reply_token}@replies.sender.example"
    unsubscribe = received["List-Unsubscribe"]
    assert "<http://" in unsubscribe or "<https://" in unsubscribe
    assert f"<mailto:reply+unsubscribe-{thread.reply_token}@replies.sender.example?subject=unsubscribe>" in unsubscribe
    assert received["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert received["In-Reply-To"] is None  # a first email starts the thread
    text = received.get_body(preferencelist=("plain",)).get_content()
    html = received.get_body(preferencelist=("html",)).get_content()
    link = unsubscribe.split(">")[0].lstrip("<")
    assert "You raised a Series B." in text and "You raised a Series B." in html
    assert f"unsubscribe here: {link}" in text and f'href="{link}"' in html
    postal = message.campaign.offer.postal_address
    assert postal in text and postal in html
    assert message.text_as_sent == text.replace("\r\n", "\n")


def test_a_follow_up_threads_under_the_first_email_from_the_same_mailbox(personas, smtp_server):
    first, mailbox = _scheduled(personas, smtp_server)
    _send_at_its_slot(first)
    make_mailbox(workspace=personas.workspace, campaigns=[first.campaign], smtp=smtp_server)  # a second one
    follow_up = make_queued(
        workspace=personas.workspace, campaign=first.campaign, contact=first.contact, step=2, cite_signal=False
    )
    delivery_schedule(workspace=personas.workspace, now=MONDAY_6 + timedelta(days=3))
    follow_up.refresh_from_db()
    assert follow_up.mailbox_id == mailbox.pk and follow_up.thread_id == first.thread_id
    _send_at_its_slot(follow_up)
    initial, reply = smtp_server.handler.received
    assert reply["In-Reply-To"] == first.message_id == initial["Message-ID"]
    assert reply["References"] == first.message_id
    assert reply["Reply-To"] == initial["Reply-To"]
    assert reply["Subject"].startswith("Re: ")


def test_a_temporary_refusal_is_retried_later_and_arrives_once(personas, smtp_server):
    message, _ = _scheduled(personas, smtp_server)
    smtp_server.handler.rcpt_answers.append("450 4.2.1 Mailbox busy, try later")
    report = _send_at_its_slot(message)
    message.refresh_from_db()
    assert report.requeued == 1 and message.status == OutboundMessage.Status.QUEUED
    assert "Nothing was accepted" in message.decision and message.not_before is not None
    assert MailboxDay.objects.get(mailbox=message.mailbox_id).sent == 0  # the failed try does not count
    delivery_schedule(workspace=personas.workspace, now=message.not_before)
    report = _send_at_its_slot(message)
    message.refresh_from_db()
    assert report.sent == 1 and message.status == OutboundMessage.Status.SENT and message.attempts == 2
    assert smtp_server.handler.message_ids() == [message.message_id]


def test_a_connection_dropped_before_the_message_was_complete_is_retried(personas, smtp_server):
    message, _ = _scheduled(personas, smtp_server)
    smtp_server.handler.drop_at_mail = 1
    assert _send_at_its_slot(message).requeued == 1
    message.refresh_from_db()
    delivery_schedule(workspace=personas.workspace, now=message.not_before)
    assert _send_at_its_slot(message).sent == 1
    assert smtp_server.handler.message_ids() == [message.message_id]


def test_a_connection_lost_after_the_whole_message_left_is_never_retried_and_a_person_decides(personas, smtp_server):
    message, _ = _scheduled(personas, smtp_server)
    smtp_server.handler.drop_after_data = 1
    report = _send_at_its_slot(message)
    message.refresh_from_db()
    assert report.unknown == 1 and message.status == OutboundMessage.Status.UNKNOWN
    handoff = Handoff.objects.get(kind=Handoff.Kind.EXCEPTION, contact=message.contact)
    assert message.message_id in handoff.reason and "will not be sent again" in handoff.reason
    # Later runs of the sender and the scheduler leave it alone: the server holds at most one copy.
    delivery_schedule(workspace=personas.workspace, now=MONDAY_6 + timedelta(days=1))
    assert delivery_send_due(now=MONDAY_6 + timedelta(days=2)).claimed == 0
    assert smtp_server.handler.message_ids() == [message.message_id]


def test_a_refused_recipient_is_a_hard_bounce_that_suppresses_the_address(personas, smtp_server):
    message, _ = _scheduled(personas, smtp_server)
    later = make_queued(workspace=personas.workspace, campaign=message.campaign, contact=message.contact, step=2)
    smtp_server.handler.rcpt_answers.append("550 5.1.1 No such user")
    assert _send_at_its_slot(message).failed == 1
    message.refresh_from_db()
    later.refresh_from_db()
    assert message.status == OutboundMessage.Status.FAILED and message.bounced_at is not None
    assert Contact.objects.get(pk=message.contact_id).status == Contact.Status.BOUNCED
    assert Suppression.objects.filter(value=message.contact.email, reason="bounce").exists()
    assert later.status == OutboundMessage.Status.CANCELLED
    assert smtp_server.handler.received == []


def test_an_unreachable_server_puts_the_email_back_in_the_queue_and_gives_up_after_the_last_attempt(
    personas, smtp_server, settings
):
    settings.SALESOPS_DELIVERY_MAX_ATTEMPTS = 2
    message, mailbox = _scheduled(personas, smtp_server)
    mailbox.smtp_port = 1  # nothing listens there
    mailbox.save()
    assert _send_at_its_slot(message).requeued == 1
    message.refresh_from_db()
    delivery_schedule(workspace=personas.workspace, now=message.not_before)
    assert _send_at_its_slot(message).failed == 1
    message.refresh_from_db()
    assert message.status == OutboundMessage.Status.FAILED and "Could not connect" in message.error
    assert Handoff.objects.filter(kind=Handoff.Kind.EXCEPTION, dedupe_key=f"outbound-failed:{message.pk}").exists()


def test_an_email_left_sending_by_a_crashed_worker_becomes_unknown_and_is_not_resent(personas, smtp_server):
    message, _ = _scheduled(personas, smtp_server)
    OutboundMessage.objects.filter(pk=message.pk).update(
        status=OutboundMessage.Status.SENDING, sending_started_at=message.scheduled_for
    )
    assert delivery_recover_stuck(now=message.scheduled_for + timedelta(minutes=2)) == 0  # maybe still sending
    assert delivery_recover_stuck(now=message.scheduled_for + timedelta(minutes=15)) == 1
    message.refresh_from_db()
    assert message.status == OutboundMessage.Status.UNKNOWN
    assert Handoff.objects.filter(dedupe_key=f"outbound-unknown:{message.pk}").exists()
    assert delivery_send_due(now=message.scheduled_for + timedelta(minutes=16)).claimed == 0
    assert smtp_server.handler.received == []


@pytest.mark.parametrize("what", ["unsubscribed", "replied", "taken_over", "suppressed_domain", "stale_signal"])
def test_what_changed_since_queueing_cancels_the_email_at_send_time(personas, smtp_server, what):
    message, _ = _scheduled(personas, smtp_server)
    contact = message.contact
    if what in ("unsubscribed", "replied"):
        Contact.objects.filter(pk=contact.pk).update(status=what)
    elif what == "taken_over":
        TakeOver.objects.create(workspace=personas.workspace, contact=contact, user=personas.rep.user)
    elif what == "suppressed_domain":
        Suppression.objects.create(
            workspace=personas.workspace, kind="domain", value=contact.email.split("@")[1], reason="manual"
        )
    else:
        signal_id = int(message.claims[0]["sources"][0].split(":")[1])
        contact.account.signals.filter(pk=signal_id).update(occurred_at=message.scheduled_for - timedelta(days=200))
    report = _send_at_its_slot(message)
    message.refresh_from_db()
    assert report.cancelled == 1 and message.status == OutboundMessage.Status.CANCELLED
    assert "checked at send time" in message.decision or what == "stale_signal"
    assert smtp_server.handler.received == []
    if what == "stale_signal":
        assert Handoff.objects.filter(dedupe_key=f"outbound-stale:{message.pk}").exists()


def _persons_email(personas, smtp, writer: str):
    """An email a person wrote (no agent run), to a contact the rep takes over."""
    campaign = make_campaign(workspace=personas.workspace, status="active")
    make_mailbox(workspace=personas.workspace, campaigns=[campaign], smtp=smtp)
    author = make_membership(workspace=personas.workspace, role="rep") if writer == "another rep" else None
    author = author or getattr(personas, writer)
    return make_queued(workspace=personas.workspace, campaign=campaign, cite_signal=False, approved_by=author.user)


@pytest.mark.parametrize("writer,leaves", [("rep", True), ("manager", True), ("admin", True), ("another rep", False)])
def test_in_a_taken_over_conversation_the_emails_of_whoever_may_write_there_are_scheduled(
    personas, smtp_server, writer, leaves
):
    message = _persons_email(personas, smtp_server, writer)
    TakeOver.objects.create(workspace=personas.workspace, contact=message.contact, user=personas.rep.user)
    delivery_schedule(workspace=personas.workspace, now=MONDAY_6)
    message.refresh_from_db()
    assert message.status == ("scheduled" if leaves else "cancelled"), message.decision
    assert message.cancel_reason == ("" if leaves else "taken_over")


@pytest.mark.parametrize("writer,leaves", [("manager", True), ("another rep", False)])
def test_a_take_over_after_scheduling_lets_only_the_emails_of_whoever_may_write_there_leave(
    personas, smtp_server, writer, leaves
):
    message = _persons_email(personas, smtp_server, writer)
    delivery_schedule(workspace=personas.workspace, now=MONDAY_6)
    TakeOver.objects.create(workspace=personas.workspace, contact=message.contact, user=personas.rep.user)
    report = _send_at_its_slot(message)
    message.refresh_from_db()
    assert (report.sent, report.cancelled) == ((1, 0) if leaves else (0, 1))
    assert message.status == ("sent" if leaves else "cancelled")
    assert len(smtp_server.handler.received) == (1 if leaves else 0)


def test_the_cap_holds_at_send_time_even_for_rows_scheduled_past_it(personas, smtp_server):
    campaign = make_campaign(workspace=personas.workspace, status="active")
    mailbox = make_mailbox(workspace=personas.workspace, campaigns=[campaign], smtp=smtp_server, daily_cap=3)
    slot = MONDAY_6 + timedelta(hours=3)
    messages = [make_queued(workspace=personas.workspace, campaign=campaign) for _ in range(5)]
    delivery_schedule(workspace=personas.workspace, now=MONDAY_6)  # creates the threads
    OutboundMessage.objects.filter(pk__in=[m.pk for m in messages]).update(
        status="scheduled", mailbox=mailbox, scheduled_for=slot, send_day=slot.date()
    )
    report = delivery_send_due(now=slot + timedelta(seconds=5))
    assert report.sent == 3 and report.requeued == 2
    assert len(smtp_server.handler.received) == 3
    assert MailboxDay.objects.get(mailbox=mailbox, day=slot.date()).sent == 3
