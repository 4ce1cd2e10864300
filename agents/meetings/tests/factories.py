"""Factories for the meetings app: availability with working hours, busy blocks, meetings."""

from datetime import UTC, datetime, time, timedelta

from agents.meetings.models import Availability, BookedCell, BusyBlock, Meeting, WorkingHours
from agents.meetings.slots import grid_cells
from campaigns.tests.factories import make_account, make_contact

# A Monday, early: the week's business days lie ahead. Tests of slots pass it as `now`.
MONDAY_0600_UTC = datetime(2026, 3, 2, 6, 0, tzinfo=UTC)


def make_availability(
    *, membership, time_zone: str = "Europe/Berlin", meeting_minutes: int = 30, hours=None, **fields
) -> Availability:
    availability = Availability.objects.create(
        workspace=membership.workspace,
        user=membership.user,
        time_zone=time_zone,
        meeting_minutes=meeting_minutes,
        **fields,
    )
    hours = {day: (time(9, 0), time(17, 0)) for day in range(5)} if hours is None else hours
    for weekday, (start, end) in hours.items():
        WorkingHours.objects.create(
            workspace=membership.workspace, availability=availability, weekday=weekday, start=start, end=end
        )
    return availability


def make_busy_block(*, membership, start: datetime, end: datetime, **fields) -> BusyBlock:
    return BusyBlock.objects.create(
        workspace=membership.workspace, user=membership.user, start=start, end=end, **fields
    )


def make_prospect(*, workspace, time_zone: str = "", country: str = "", **fields):
    account = make_account(workspace=workspace, country=country)
    return make_contact(workspace=workspace, account=account, time_zone=time_zone, **fields)


def make_meeting(*, membership, contact=None, start: datetime, minutes: int = 30, campaign=None, **fields) -> Meeting:
    """A meeting written directly, holding its cells as the booking service would."""
    contact = contact or make_prospect(workspace=membership.workspace)
    meeting = Meeting.objects.create(
        workspace=membership.workspace,
        rep=membership.user,
        contact=contact,
        campaign=campaign,
        start=start,
        end=start + timedelta(minutes=minutes),
        time_zone=fields.pop("time_zone", "Europe/Berlin"),
        **fields,
    )
    if meeting.status != Meeting.Status.CANCELLED:
        BookedCell.objects.bulk_create(
            BookedCell(workspace=meeting.workspace, rep=meeting.rep, meeting=meeting, starts_at=cell)
            for cell in grid_cells(meeting.start, meeting.end)
        )
    return meeting
