"""The deliverability agent: window and time zone, business days, caps and ramp, spacing, spreading,
per-domain limits, and the one-line record of each decision."""

import re
from collections import Counter
from datetime import date, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import IntegrityError, transaction

from agents.delivery.models import Mailbox, MailboxDay, OutboundMessage, Suppression
from agents.delivery.scheduling import delivery_schedule
from agents.delivery.tests.support import make_mailbox, make_queued, next_monday
from agents.models import Handoff
from campaigns.models import Contact
from campaigns.tests.factories import make_account, make_campaign, make_contact

pytestmark = pytest.mark.django_db

MONDAY_6 = next_monday(hour=6)


def _campaign(personas, **fields):
    return make_campaign(workspace=personas.workspace, **{"status": "active", **fields})


def _schedule(personas, **kwargs):
    return delivery_schedule(workspace=personas.workspace, now=kwargs.pop("now", MONDAY_6), **kwargs)


def _scheduled_messages(campaign):
    return list(OutboundMessage.objects.filter(campaign=campaign, status="scheduled").order_by("scheduled_for"))


@pytest.mark.parametrize(
    "contact_zone,country,expected_zone,source",
    [
        ("America/Los_Angeles", "DE", "America/Los_Angeles", "contact's time zone"),
        ("", "JP", "Asia/Tokyo", "account's country"),
        ("", "RU", "Europe/Moscow", "account's country"),
        ("", "KZ", "Asia/Almaty", "account's country"),
        ("Not/AZone", "", "Europe/Lisbon", "workspace default"),
    ],
)
def test_it_schedules_inside_the_window_in_the_recipients_time_zone(
    personas, contact_zone, country, expected_zone, source
):
    personas.workspace.default_time_zone = "Europe/Lisbon"
    personas.workspace.save()
    campaign = _campaign(personas)
    make_mailbox(workspace=personas.workspace, campaigns=[campaign])
    account = make_account(workspace=personas.workspace, country=country)
    contact = make_contact(workspace=personas.workspace, account=account, time_zone=contact_zone)
    message = make_queued(workspace=personas.workspace, campaign=campaign, contact=contact)
    _schedule(personas)
    message.refresh_from_db()
    local = message.scheduled_for.astimezone(ZoneInfo(expected_zone))
    assert local.weekday() < 5 and 9 <= local.hour < 17, local
    assert message.scheduled_for > MONDAY_6
    assert expected_zone in message.decision and source in message.decision


def test_it_only_uses_the_campaigns_send_days(personas):
    campaign = _campaign(personas, send_days=[3])  # Thursdays only
    make_mailbox(workspace=personas.workspace, campaigns=[campaign])
    message = make_queued(workspace=personas.workspace, campaign=campaign)
    _schedule(personas)
    message.refresh_from_db()
    assert message.scheduled_for.astimezone(ZoneInfo("Europe/Berlin")).weekday() == 3
    assert message.decision.startswith("Thu ")


def test_the_warm_up_ramp_adds_five_a_week_up_to_the_cap_and_never_past_fifty():
    mailbox = Mailbox(daily_cap=30, warmup_started_on=date(2026, 1, 5))
    assert [mailbox.allowed_on(date(2026, 1, 5) + timedelta(weeks=week)) for week in range(7)] == [
        5,
        10,
        15,
        20,
        25,
        30,
        30,
    ]
    assert Mailbox(daily_cap=30, warmup_started_on=None).allowed_on(date(2026, 1, 5)) == 30
    assert Mailbox(daily_cap=80, warmup_started_on=None).allowed_on(date(2026, 1, 5)) == 50


def test_the_database_refuses_a_cap_above_fifty(personas):
    with pytest.raises(IntegrityError), transaction.atomic():
        make_mailbox(workspace=personas.workspace, daily_cap=51)


def test_a_new_mailbox_sends_five_a_day_spaced_apart_and_the_rest_waits_for_later_days(personas, settings):
    settings.SALESOPS_DELIVERY_HORIZON_DAYS = 2  # Monday, Tuesday, Wednesday
    campaign = _campaign(personas)
    mailbox = make_mailbox(workspace=personas.workspace, campaigns=[campaign], warmup_started_on=MONDAY_6.date())
    for _ in range(20):
        make_queued(workspace=personas.workspace, campaign=campaign)
    report = _schedule(personas)
    assert (report.scheduled, report.waiting) == (15, 5)
    scheduled = _scheduled_messages(campaign)
    per_day = Counter(message.send_day for message in scheduled)
    assert max(per_day.values()) == 5 and all(count <= 5 for count in per_day.values())
    for day, count in per_day.items():
        assert MailboxDay.objects.get(mailbox=mailbox, day=day).scheduled == count
    gaps = [(b.scheduled_for - a.scheduled_for).total_seconds() for a, b in zip(scheduled, scheduled[1:], strict=False)]
    assert min(gaps) >= settings.SALESOPS_DELIVERY_MIN_SPACING_SECONDS
    assert re.search(r"mailbox 1 of 1 \(sam\d+@sender\.example\), [1-5] of 5 used that day", scheduled[0].decision)
    waiting = OutboundMessage.objects.filter(campaign=campaign, status="queued")
    for message in waiting:
        assert message.decision == "Waiting: its mailboxes are full for the next 2 days."


def test_it_spreads_a_campaigns_emails_over_its_mailboxes(personas):
    campaign = _campaign(personas)
    mailboxes = [make_mailbox(workspace=personas.workspace, campaigns=[campaign]) for _ in range(3)]
    for _ in range(30):
        make_queued(workspace=personas.workspace, campaign=campaign)
    _schedule(personas)
    per_mailbox = Counter(message.mailbox_id for message in _scheduled_messages(campaign))
    assert sorted(per_mailbox) == sorted(mailbox.pk for mailbox in mailboxes)
    assert max(per_mailbox.values()) - min(per_mailbox.values()) <= 1


def test_one_recipient_domain_gets_at_most_its_daily_limit(personas, settings):
    settings.SALESOPS_DELIVERY_DOMAIN_DAILY_LIMIT = 2
    campaign = _campaign(personas)
    make_mailbox(workspace=personas.workspace, campaigns=[campaign])
    account = make_account(workspace=personas.workspace, domain="bigcorp.example", country="DE")
    for _ in range(5):
        make_queued(
            workspace=personas.workspace,
            campaign=campaign,
            contact=make_contact(workspace=personas.workspace, account=account),
        )
    _schedule(personas)
    per_day = Counter(message.send_day for message in _scheduled_messages(campaign))
    assert sorted(per_day.values()) == [1, 2, 2]


def test_a_campaign_without_a_mailbox_waits_and_asks_an_admin_once(personas):
    campaign = _campaign(personas)
    make_queued(workspace=personas.workspace, campaign=campaign)
    make_queued(workspace=personas.workspace, campaign=campaign)
    _schedule(personas)
    _schedule(personas)
    assert set(OutboundMessage.objects.values_list("status", flat=True)) == {"queued"}
    assert OutboundMessage.objects.first().decision.startswith("Waiting: the campaign has no active mailbox")
    assert Handoff.objects.filter(kind=Handoff.Kind.EXCEPTION, campaign=campaign).count() == 1


def test_a_paused_campaign_or_a_stopped_mailbox_holds_its_emails(personas):
    campaign = _campaign(personas, status="paused")
    mailbox = make_mailbox(workspace=personas.workspace, campaigns=[campaign])
    message = make_queued(workspace=personas.workspace, campaign=campaign)
    _schedule(personas)
    message.refresh_from_db()
    assert message.status == "queued" and message.decision == "Waiting: the campaign is paused."
    campaign.status = "active"
    campaign.save()
    Mailbox.objects.filter(pk=mailbox.pk).update(status="stopped")
    _schedule(personas)
    message.refresh_from_db()
    assert message.status == "queued" and "no active mailbox" in message.decision


@pytest.mark.parametrize("what", ["suppressed", "unsubscribed", "do_not_contact"])
def test_suppressed_or_unsubscribed_contacts_are_cancelled_instead_of_scheduled(personas, what):
    campaign = _campaign(personas)
    make_mailbox(workspace=personas.workspace, campaigns=[campaign])
    message = make_queued(workspace=personas.workspace, campaign=campaign)
    if what == "suppressed":
        Suppression.objects.create(
            workspace=personas.workspace, kind="email", value=message.contact.email, reason="manual"
        )
    else:
        Contact.objects.filter(pk=message.contact_id).update(status=what)
    report = _schedule(personas)
    message.refresh_from_db()
    assert report.cancelled == 1 and message.status == "cancelled" and message.cancel_reason == what


def test_scheduling_twice_changes_nothing(personas):
    campaign = _campaign(personas)
    make_mailbox(workspace=personas.workspace, campaigns=[campaign])
    message = make_queued(workspace=personas.workspace, campaign=campaign)
    _schedule(personas)
    message.refresh_from_db()
    again = _schedule(personas, now=MONDAY_6 + timedelta(minutes=5))
    assert again.examined == 0
    assert OutboundMessage.objects.get(pk=message.pk).scheduled_for == message.scheduled_for


def test_an_answer_in_a_live_conversation_leaves_within_minutes_ahead_of_cold_mail(personas):
    campaign = _campaign(personas)
    make_mailbox(workspace=personas.workspace, campaigns=[campaign])
    cold = [make_queued(workspace=personas.workspace, campaign=campaign) for _ in range(20)]
    answer = make_queued(workspace=personas.workspace, campaign=campaign, step=0, subject="Re: Idea for you")
    ten_berlin = MONDAY_6 + timedelta(hours=3)  # 10:00 in Berlin (the accounts are in Germany)
    _schedule(personas, now=ten_berlin)
    answer.refresh_from_db()
    assert answer.status == "scheduled"
    assert answer.scheduled_for - ten_berlin <= timedelta(minutes=10)
    later = sorted(message.scheduled_for for message in OutboundMessage.objects.filter(pk__in=[m.pk for m in cold]))
    assert later[-1] - ten_berlin > timedelta(hours=2)  # cold mail is still spread over the day


def test_an_answer_outside_business_hours_leaves_when_the_window_opens(personas):
    campaign = _campaign(personas)
    make_mailbox(workspace=personas.workspace, campaigns=[campaign])
    answer = make_queued(workspace=personas.workspace, campaign=campaign, step=0)
    _schedule(personas)  # 06:00 UTC, 07:00 in Berlin: before the window
    answer.refresh_from_db()
    local = answer.scheduled_for.astimezone(ZoneInfo("Europe/Berlin"))
    assert (local.date(), local.hour) == (MONDAY_6.date(), 9) and local.minute < 10


def test_an_answer_still_respects_the_mailboxs_daily_cap(personas, settings):
    settings.SALESOPS_DELIVERY_HORIZON_DAYS = 2
    campaign = _campaign(personas)
    make_mailbox(workspace=personas.workspace, campaigns=[campaign], warmup_started_on=MONDAY_6.date())  # 5 a day
    for _ in range(5):
        make_queued(workspace=personas.workspace, campaign=campaign)
    ten_berlin = MONDAY_6 + timedelta(hours=3)
    _schedule(personas, now=ten_berlin)
    answer = make_queued(workspace=personas.workspace, campaign=campaign, step=0)
    _schedule(personas, now=ten_berlin + timedelta(minutes=1))
    answer.refresh_from_db()
    assert answer.status == "scheduled" and answer.send_day == MONDAY_6.date() + timedelta(days=1)
