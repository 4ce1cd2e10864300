"""Several workers at once (threads, each with its own PostgreSQL connection, real commits): no email is
sent twice and no cap is exceeded, for the senders and for the schedulers."""

import threading
from collections import Counter
from datetime import timedelta

import pytest
from django.db import connection

from agents.delivery.models import MailboxDay, OutboundMessage
from agents.delivery.scheduling import delivery_schedule
from agents.delivery.sending import delivery_send_due
from agents.delivery.tests.support import make_mailbox, make_queued, next_monday, smtp_server_running
from campaigns.tests.factories import make_campaign

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

MONDAY_6 = next_monday(hour=6)
WORKERS = 4


@pytest.fixture
def smtp_server():
    with smtp_server_running() as server:
        yield server


def _in_threads(function, count: int = WORKERS) -> list:
    """Run `function` in `count` threads released together; their results (exceptions re-raised)."""
    barrier = threading.Barrier(count)
    results: list = [None] * count

    def work(index: int) -> None:
        try:
            barrier.wait(timeout=30)
            results[index] = function()
        except BaseException as error:  # re-raised in the test's thread below
            results[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=work, args=(index,)) for index in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    for result in results:
        if isinstance(result, BaseException):
            raise result
    return results


def _all_due_at_once(personas, smtp, *, messages: int, mailboxes: int, daily_cap: int = 30):
    campaign = make_campaign(workspace=personas.workspace, status="active")
    boxes = [
        make_mailbox(workspace=personas.workspace, campaigns=[campaign], smtp=smtp, daily_cap=daily_cap)
        for _ in range(mailboxes)
    ]
    for _ in range(messages):
        make_queued(workspace=personas.workspace, campaign=campaign)
    delivery_schedule(workspace=personas.workspace, now=MONDAY_6)  # threads, mailboxes
    slot = MONDAY_6 + timedelta(hours=4)
    # Every row due at the same moment, in the same day: the hardest case for the claims and the cap.
    queued = OutboundMessage.objects.filter(campaign=campaign).order_by("pk")
    for index, message in enumerate(queued):
        OutboundMessage.objects.filter(pk=message.pk).update(
            status="scheduled",
            mailbox=boxes[index % mailboxes],
            scheduled_for=slot,
            send_day=slot.date(),
        )
    return boxes, slot


def test_it_sends_each_message_once_with_four_workers(personas, smtp_server):
    _, slot = _all_due_at_once(personas, smtp_server, messages=40, mailboxes=2)
    reports = _in_threads(lambda: delivery_send_due(now=slot + timedelta(seconds=1), batch_size=3))
    sent_by_worker = [set(report.sent_ids) for report in reports]
    assert sum(len(ids) for ids in sent_by_worker) == 40
    assert len(set().union(*sent_by_worker)) == 40  # no message sent by two workers
    assert sum(1 for ids in sent_by_worker if ids) >= 2, "the workers did not share the work"
    arrived = Counter(smtp_server.handler.message_ids())
    expected = set(OutboundMessage.objects.values_list("message_id", flat=True))
    assert set(arrived) == expected and set(arrived.values()) == {1}
    assert set(OutboundMessage.objects.values_list("status", flat=True)) == {"sent"}


def test_workers_together_never_exceed_a_mailbox_cap(personas, smtp_server):
    (mailbox,), slot = _all_due_at_once(personas, smtp_server, messages=12, mailboxes=1, daily_cap=5)
    reports = _in_threads(lambda: delivery_send_due(now=slot + timedelta(seconds=1), batch_size=2))
    assert sum(report.sent for report in reports) == 5
    assert len(smtp_server.handler.received) == 5
    assert MailboxDay.objects.get(mailbox=mailbox, day=slot.date()).sent == 5
    assert OutboundMessage.objects.filter(status="queued").count() == 7  # back in the queue for another day


def test_two_schedulers_at_once_hand_out_each_slot_once_and_keep_the_ramp(personas, settings):
    settings.SALESOPS_DELIVERY_HORIZON_DAYS = 2
    campaign = make_campaign(workspace=personas.workspace, status="active")
    mailbox = make_mailbox(workspace=personas.workspace, campaigns=[campaign], warmup_started_on=MONDAY_6.date())
    for _ in range(30):
        make_queued(workspace=personas.workspace, campaign=campaign)
    reports = _in_threads(lambda: delivery_schedule(workspace=personas.workspace, now=MONDAY_6, chunk_size=4), 2)
    scheduled = list(OutboundMessage.objects.filter(status="scheduled").order_by("scheduled_for"))
    assert sum(report.scheduled for report in reports) == len(scheduled) == 15  # 5 a day, Mon–Wed
    assert max(Counter(message.send_day for message in scheduled).values()) == 5
    gaps = [(b.scheduled_for - a.scheduled_for).total_seconds() for a, b in zip(scheduled, scheduled[1:], strict=False)]
    assert min(gaps) >= settings.SALESOPS_DELIVERY_MIN_SPACING_SECONDS
    assert sum(row.scheduled for row in MailboxDay.objects.filter(mailbox=mailbox)) == 15
