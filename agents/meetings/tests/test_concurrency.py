"""No double booking with two prospects clicking at the same moment: the database decides."""

import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from agents.meetings import selectors, services
from agents.meetings.models import BookedCell, Meeting
from agents.meetings.tests.factories import make_availability, make_prospect

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.parametrize("offset_minutes", [0, 15], ids=["same-start", "overlapping"])
def test_two_prospects_booking_one_time_at_once_get_one_meeting(personas, monkeypatch, offset_minutes):
    make_availability(membership=personas.rep, time_zone="UTC")
    now = timezone.now()
    start = selectors.open_slots_for(rep=personas.rep, time_zone="UTC", now=now)[2].start
    prospects = [make_prospect(workspace=personas.workspace) for _ in range(2)]
    # Both requests pass the open-slot check, as two requests reading at the same moment would:
    # only the database's constraints stand between them.
    monkeypatch.setattr(services, "_slot_is_open", lambda **kwargs: True)
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def book(contact, when):
        try:
            barrier.wait(timeout=10)
            services.meeting_book(
                rep=personas.rep, contact=contact, campaign=None, start=when, time_zone="UTC", actor="test", now=now
            )
            outcomes.append("booked")
        except services.SlotTaken:
            outcomes.append("taken")
        finally:
            connection.close()

    starts = [start, start + timedelta(minutes=offset_minutes)]
    threads = [threading.Thread(target=book, args=pair) for pair in zip(prospects, starts, strict=True)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sorted(outcomes) == ["booked", "taken"]
    meeting = Meeting.objects.get(rep=personas.rep.user)
    assert meeting.start in starts
    assert BookedCell.objects.filter(rep=personas.rep.user).count() == 2
