"""Running delivery: the automatic stop on bounces and complaints, the scheduled tick, the planner's
capacity from real mailboxes, the demo's sandbox mailboxes, and the benchmark command."""

from datetime import date, timedelta

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from agents.delivery.health import delivery_record_bounce, delivery_record_complaint
from agents.delivery.models import Mailbox, OutboundMessage
from agents.delivery.selectors import campaign_send_blockers
from agents.delivery.tests.support import make_mailbox, make_queued
from agents.models import Handoff
from agents.outreach.planning import campaign_plan_day
from agents.tasks import delivery_tick_task
from campaigns.models import Campaign
from campaigns.services import campaign_missing_pieces
from campaigns.tests.factories import make_campaign

pytestmark = pytest.mark.django_db


def _sent(personas, campaign, mailbox, count: int) -> list[OutboundMessage]:
    messages = []
    for _ in range(count):
        message = make_queued(workspace=personas.workspace, campaign=campaign, cite_signal=False)
        OutboundMessage.objects.filter(pk=message.pk).update(status="sent", sent_at=timezone.now(), mailbox=mailbox)
        message.refresh_from_db()
        messages.append(message)
    return messages


def test_a_bounce_rate_over_three_percent_stops_the_mailbox_and_the_campaign_with_an_exception(personas):
    campaign = make_campaign(workspace=personas.workspace, status="active")
    mailbox = make_mailbox(workspace=personas.workspace, campaigns=[campaign])
    messages = _sent(personas, campaign, mailbox, 40)
    delivery_record_bounce(message=messages[0], detail="550 no such user")  # 1 in 40 = 2.5%: fine
    mailbox.refresh_from_db()
    assert mailbox.status == Mailbox.Status.ACTIVE
    delivery_record_bounce(message=messages[1], detail="550 no such user")  # 2 in 40 = 5%
    mailbox.refresh_from_db()
    campaign.refresh_from_db()
    assert mailbox.status == Mailbox.Status.STOPPED and "2 hard bounces in 40 emails (5.0%)" in mailbox.stopped_reason
    assert campaign.status == Campaign.Status.PAUSED
    reasons = list(Handoff.objects.filter(kind=Handoff.Kind.EXCEPTION).values_list("reason", flat=True))
    assert any("was stopped automatically" in reason for reason in reasons)
    assert any("was paused automatically" in reason for reason in reasons)


def test_one_complaint_in_a_few_hundred_emails_is_enough_to_stop(personas, settings):
    campaign = make_campaign(workspace=personas.workspace, status="active")
    mailbox = make_mailbox(workspace=personas.workspace, campaigns=[campaign])
    messages = _sent(personas, campaign, mailbox, 25)
    delivery_record_complaint(message=messages[0])
    mailbox.refresh_from_db()
    assert mailbox.status == Mailbox.Status.STOPPED and "spam complaints" in mailbox.stopped_reason
    assert messages[0].contact.__class__.objects.get(pk=messages[0].contact_id).status == "unsubscribed"


def test_the_tick_schedules_the_queue_and_sends_what_is_due(personas):
    campaign = make_campaign(workspace=personas.workspace, status="active")
    mailbox = make_mailbox(workspace=personas.workspace, campaigns=[campaign])  # the app's mailer (locmem here)
    waiting = make_queued(workspace=personas.workspace, campaign=campaign)
    due = make_queued(workspace=personas.workspace, campaign=campaign)
    delivery_tick_task()  # schedules both (threads, slots)
    now = timezone.now()
    OutboundMessage.objects.filter(pk=due.pk).update(
        scheduled_for=now - timedelta(seconds=5), send_day=timezone.localdate(now)
    )
    result = delivery_tick_task()
    assert result["due"] == 1 and result["send_tasks"] == 1
    assert [message.extra_headers["Message-ID"] for message in mail.outbox] == [due.message_id]
    assert OutboundMessage.objects.get(pk=due.pk).status == "sent"
    assert OutboundMessage.objects.get(pk=waiting.pk).status == "scheduled"
    assert mailbox.days.get(day=timezone.localdate(now)).sent == 1


def test_the_plan_counts_on_what_the_campaigns_mailboxes_can_send(personas):
    monday = date(2026, 11, 23)
    campaign = make_campaign(
        workspace=personas.workspace,
        status="active",
        goal_target=9,
        goal_start=monday,
        goal_end=monday + timedelta(days=18),
        daily_new_lead_limit=30,
    )
    make_mailbox(workspace=personas.workspace, campaigns=[campaign], warmup_started_on=monday)  # 5 a day
    make_mailbox(workspace=personas.workspace, campaigns=[campaign])  # warm: 30 a day
    plan = campaign_plan_day(campaign=campaign, today=monday)
    # 35 emails a day over a 3-step sequence: 11 new leads a day, short of the 20 the goal needs.
    assert plan.capacity_per_day == 11 and plan.planned_new_leads == 11 and plan.verdict == "off_track"
    assert "needs 20 new leads a day, but its mailboxes carry 11." in plan.reason


def test_the_demo_gives_its_campaign_two_warm_sandbox_mailboxes(personas, settings):
    settings.DEBUG = True
    call_command("demo")
    demo = Campaign.objects.get(workspace__slug="demo", name="Q4 mid-market demos")
    mailboxes = list(demo.mailboxes.all())
    assert len(mailboxes) == 2
    assert all(m.transport == "default" and m.warmup_started_on is None for m in mailboxes)
    # Ready as activation requires, and nothing keeps its emails from leaving.
    assert campaign_missing_pieces(demo) == []
    assert campaign_send_blockers(campaign=demo) == []


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_the_benchmark_command_proves_its_rules_on_a_small_run(capsys):
    call_command("bench_delivery", messages=400, mailboxes=5, campaigns=2, send=60, workers=2)
    out = capsys.readouterr().out
    assert "scheduled: 400 in" in out and "sent: 60 in" in out
    assert "verified: no cap, window, spacing, domain limit or exactly-once rule was broken" in out
    assert not OutboundMessage.objects.exists()  # it cleans up after itself
