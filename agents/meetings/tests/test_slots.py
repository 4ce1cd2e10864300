"""Open slots: inside working hours, on business days, clear of busy times and meetings, far enough
ahead, shown in the prospect's time zone; and what the reply agent gets from `offer_meeting`."""

from datetime import UTC, datetime, time, timedelta
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import pytest
from django.urls import resolve

from agents.delivery.scheduling import delivery_schedule
from agents.delivery.tests.support import make_mailbox, make_queued, next_monday
from agents.meetings import links, selectors, services
from agents.meetings.models import Meeting
from agents.meetings.tests.factories import (
    MONDAY_0600_UTC,
    make_availability,
    make_busy_block,
    make_meeting,
    make_prospect,
)
from campaigns.tests.factories import make_campaign
from salesops.models import Role
from salesops.tests.factories import make_membership, make_user

pytestmark = pytest.mark.django_db
BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")


def berlin(day: int, hour: int, minute: int = 0) -> datetime:
    """A time in the week of Monday 2 March 2026, Berlin wall clock."""
    return datetime(2026, 3, day, hour, minute, tzinfo=BERLIN)


def starts(slots) -> set[datetime]:
    return {slot.start for slot in slots}


def test_slots_lie_inside_working_hours_on_business_days_of_the_reps_zone(personas):
    make_availability(membership=personas.rep, time_zone="Europe/Berlin")
    slots = selectors.open_slots_for(rep=personas.rep, time_zone="Europe/Berlin", now=MONDAY_0600_UTC)
    assert slots
    for slot in slots:
        local_start, local_end = slot.start.astimezone(BERLIN), slot.end.astimezone(BERLIN)
        assert local_start.weekday() < 5
        assert time(9, 0) <= local_start.time() and local_end.time() <= time(17, 0)
        assert slot.end - slot.start == timedelta(minutes=30)
        assert slot.start.minute % 15 == 0 and slot.start.second == 0
    # Tuesday: 09:00 to 16:30, every half hour.
    tuesday = [slot for slot in slots if slot.start.astimezone(BERLIN).date() == berlin(3, 0).date()]
    assert [slot.start.astimezone(BERLIN).strftime("%H:%M") for slot in tuesday][:3] == ["09:00", "09:30", "10:00"]
    assert len(tuesday) == 16
    assert not [slot for slot in slots if slot.start.astimezone(BERLIN).weekday() >= 5]


def test_slots_start_at_least_the_notice_period_ahead_and_end_within_two_weeks(personas):
    make_availability(membership=personas.rep)
    slots = selectors.open_slots_for(rep=personas.rep, time_zone="UTC", now=MONDAY_0600_UTC)
    # 06:00 UTC is 07:00 in Berlin; four hours' notice makes 11:00 the first open time.
    assert slots[0].start == berlin(2, 11)
    assert all(slot.start >= MONDAY_0600_UTC + selectors.MIN_NOTICE for slot in slots)
    assert max(slot.end for slot in slots) <= MONDAY_0600_UTC + selectors.BOOKING_HORIZON


def test_busy_blocks_and_live_meetings_take_their_times_out(personas):
    make_availability(membership=personas.rep)
    make_busy_block(membership=personas.rep, start=berlin(3, 10), end=berlin(3, 11, 15), summary="Dentist")
    make_meeting(membership=personas.rep, start=berlin(3, 14))
    make_meeting(membership=personas.rep, start=berlin(3, 15), status=Meeting.Status.CANCELLED)
    open_starts = starts(selectors.open_slots_for(rep=personas.rep, time_zone="UTC", now=MONDAY_0600_UTC))
    assert berlin(3, 9, 30) in open_starts
    assert berlin(3, 10) not in open_starts and berlin(3, 10, 30) not in open_starts
    assert berlin(3, 11) not in open_starts  # 11:00-11:30 overlaps the block until 11:15
    assert berlin(3, 11, 30) in open_starts
    assert berlin(3, 14) not in open_starts
    assert berlin(3, 15) in open_starts  # a cancelled meeting frees its time


def test_a_persons_meeting_in_another_workspace_also_takes_the_time(personas):
    make_availability(membership=personas.rep)
    elsewhere = make_membership(role=Role.REP, user=personas.rep.user)
    make_meeting(membership=elsewhere, start=berlin(3, 9))
    open_starts = starts(selectors.open_slots_for(rep=personas.rep, time_zone="UTC", now=MONDAY_0600_UTC))
    assert berlin(3, 9) not in open_starts


def test_meeting_length_and_days_off_come_from_the_reps_settings(personas):
    make_availability(
        membership=personas.rep,
        meeting_minutes=45,
        hours={0: (time(13, 0), time(15, 0)), 2: (time(9, 0), time(10, 30))},
    )
    slots = selectors.open_slots_for(rep=personas.rep, time_zone="Europe/Berlin", now=MONDAY_0600_UTC)
    first_week = [slot.local_start.strftime("%a %H:%M") for slot in slots if slot.start < berlin(7, 0)]
    assert first_week == ["Mon 13:00", "Mon 13:45", "Wed 09:00", "Wed 09:45"]
    assert all(slot.end - slot.start == timedelta(minutes=45) for slot in slots)


def test_a_rep_without_settings_meets_nine_to_five_on_weekdays_in_the_workspace_zone(personas):
    personas.workspace.default_time_zone = "Asia/Kolkata"
    personas.workspace.save()
    slots = selectors.open_slots_for(rep=personas.rep, time_zone="Asia/Kolkata", now=MONDAY_0600_UTC)
    kolkata = ZoneInfo("Asia/Kolkata")
    assert {slot.start.astimezone(kolkata).time() for slot in slots} >= {time(9, 0), time(16, 30)}
    assert all(time(9, 0) <= slot.start.astimezone(kolkata).time() < time(17, 0) for slot in slots)


def test_working_hours_follow_the_clock_across_a_daylight_saving_change(personas):
    make_availability(membership=personas.rep, time_zone="Europe/Berlin")
    friday_before_change = datetime(2026, 3, 27, 6, 0, tzinfo=UTC)
    slots = selectors.open_slots_for(rep=personas.rep, time_zone="UTC", now=friday_before_change)
    monday_after = [slot for slot in slots if slot.start.date() == datetime(2026, 3, 30).date()]
    # Summer time: 09:00 in Berlin is 07:00 UTC (it was 08:00 UTC the week before).
    assert monday_after[0].start == datetime(2026, 3, 30, 7, 0, tzinfo=UTC)
    friday = [slot for slot in slots if slot.start.date() == datetime(2026, 3, 27).date()]
    assert friday[0].start == datetime(2026, 3, 27, 10, 0, tzinfo=UTC)  # 11:00 CET, four hours after 07:00


def test_proposals_are_two_or_three_slots_on_different_days_shown_in_the_prospects_zone(personas):
    make_availability(membership=personas.rep, time_zone="Europe/Berlin")
    proposals = selectors.propose_slots(rep=personas.rep, prospect_time_zone="America/New_York", now=MONDAY_0600_UTC)
    assert len(proposals) == 3
    assert len({slot.local_start.date() for slot in proposals}) == 3
    for slot in proposals:
        assert slot.time_zone == "America/New_York"
        assert slot.local_start.tzinfo == NEW_YORK
        # Inside the prospect's working day, though the rep's day starts at 03:00 New York time.
        assert time(8, 0) <= slot.local_start.time() and slot.local_end.time() <= time(18, 0)
        assert "(America/New_York)" in slot.label
    open_starts = starts(selectors.open_slots_for(rep=personas.rep, time_zone="UTC", now=MONDAY_0600_UTC))
    assert starts(proposals) <= open_starts


def test_proposals_fall_back_to_any_open_time_when_the_zones_barely_overlap(personas):
    make_availability(membership=personas.rep, time_zone="Europe/Berlin")
    proposals = selectors.propose_slots(rep=personas.rep, prospect_time_zone="Pacific/Auckland", now=MONDAY_0600_UTC)
    assert len(proposals) == 3
    open_starts = starts(selectors.open_slots_for(rep=personas.rep, time_zone="UTC", now=MONDAY_0600_UTC))
    assert starts(proposals) <= open_starts


@pytest.mark.parametrize(
    "contact_zone,country,expected,source",
    [
        ("Europe/Paris", "US", "Europe/Paris", "contact"),
        ("", "US", "America/New_York", "account_country"),
        ("", "fr", "Europe/Paris", "account_country"),
        ("Not/AZone", "JP", "Asia/Tokyo", "account_country"),
        ("", "", "Europe/Lisbon", "workspace"),
    ],
)
def test_the_prospects_zone_is_the_contacts_else_the_countrys_else_the_workspaces(
    personas, contact_zone, country, expected, source
):
    personas.workspace.default_time_zone = "Europe/Lisbon"
    personas.workspace.save()
    contact = make_prospect(workspace=personas.workspace, time_zone=contact_zone, country=country)
    assert selectors.prospect_time_zone(contact=contact) == (expected, source)


@pytest.mark.parametrize("country,zone", [("RU", "Europe/Moscow"), ("KZ", "Asia/Almaty")])
def test_a_contact_without_a_zone_is_emailed_and_offered_slots_in_their_accounts_country_zone(personas, country, zone):
    personas.workspace.default_time_zone = "Europe/Lisbon"
    personas.workspace.save()
    campaign = make_campaign(workspace=personas.workspace, status="active")
    make_mailbox(workspace=personas.workspace, campaigns=[campaign])
    contact = make_prospect(workspace=personas.workspace, country=country)
    message = make_queued(workspace=personas.workspace, campaign=campaign, contact=contact)
    delivery_schedule(workspace=personas.workspace, now=next_monday(hour=6))
    message.refresh_from_db()
    local = message.scheduled_for.astimezone(ZoneInfo(zone))
    assert local.weekday() < 5 and 9 <= local.hour < 17, local
    assert f"{zone} (account's country)" in message.decision

    make_availability(membership=personas.rep, time_zone="Europe/Berlin")
    offer = services.offer_meeting(contact=contact, campaign=campaign, now=MONDAY_0600_UTC)
    assert offer["time_zone"] == zone and offer["time_zone_source"] == "account_country"
    assert offer["slots"] and all(slot["time_zone"] == zone for slot in offer["slots"])


def test_the_account_owner_meets_the_prospect_when_a_member_else_the_first_rep(personas):
    contact = make_prospect(workspace=personas.workspace)
    assert selectors.pick_rep(contact=contact) == personas.rep
    contact.account.owner = personas.manager.user
    contact.account.save()
    assert selectors.pick_rep(contact=contact) == personas.manager
    contact.account.owner = make_user(email="left@acme.test")
    contact.account.save()
    assert selectors.pick_rep(contact=contact) == personas.rep


def test_offer_meeting_gives_the_reply_agent_slots_text_and_a_working_booking_link(personas):
    make_availability(membership=personas.rep, time_zone="Europe/Berlin")
    campaign = make_campaign(workspace=personas.workspace)
    contact = make_prospect(workspace=personas.workspace, country="US")
    offer = services.offer_meeting(contact=contact, campaign=campaign, now=MONDAY_0600_UTC)
    assert offer["rep"]["email"] == "rep@acme.test"
    assert offer["time_zone"] == "America/New_York" and offer["time_zone_source"] == "account_country"
    assert 2 <= len(offer["slots"]) <= 3
    for slot in offer["slots"]:
        assert slot["label"] in offer["text"]
        assert datetime.fromisoformat(slot["start"]).tzinfo is not None
    assert offer["booking_url"] in offer["text"]
    token = resolve(urlsplit(offer["booking_url"]).path).kwargs["token"]
    booking = links.booking_from_token(token)
    assert (booking.rep, booking.contact, booking.campaign) == (personas.rep, contact, campaign)
