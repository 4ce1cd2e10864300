"""Reads of the meetings app: availability, open slots, meetings lists, the campaign goal count."""

from datetime import datetime, time, timedelta

from django.db.models import QuerySet

from agents.meetings.models import LIVE_STATUSES, Availability, BusyBlock, Meeting
from agents.meetings.slots import Rules, Slot, open_slots, pick_proposals
from campaigns.models import Contact
from salesops.models import Membership, Role
from salesops.time_zones import recipient_zone, zone_or_utc

DEFAULT_MEETING_MINUTES = 30
DEFAULT_HOURS = {weekday: (time(9, 0), time(17, 0)) for weekday in range(5)}
# Slots are offered from this far ahead (the rep needs time to prepare) up to the horizon.
MIN_NOTICE = timedelta(hours=4)
BOOKING_HORIZON = timedelta(days=14)


def availability_get(*, membership: Membership) -> Availability | None:
    return (
        Availability.objects.filter(workspace_id=membership.workspace_id, user_id=membership.user_id)
        .prefetch_related("working_hours")
        .first()
    )


def rules_from(*, availability: Availability | None, membership: Membership) -> Rules:
    """A person's rules; someone who never set them meets 9 to 5 on weekdays in the workspace's zone."""
    if availability is None:
        return Rules(
            time_zone=zone_or_utc(membership.workspace.default_time_zone).key,
            meeting_minutes=DEFAULT_MEETING_MINUTES,
            hours=dict(DEFAULT_HOURS),
        )
    return Rules(
        time_zone=zone_or_utc(availability.time_zone).key,
        meeting_minutes=availability.meeting_minutes,
        hours={row.weekday: (row.start, row.end) for row in availability.working_hours.all()},
    )


def availability_rules(*, membership: Membership) -> Rules:
    return rules_from(availability=availability_get(membership=membership), membership=membership)


def taken_times(
    *, membership: Membership, start: datetime, end: datetime, exclude_meeting: Meeting | None = None
) -> list[tuple[datetime, datetime]]:
    """When the person cannot meet between `start` and `end`: busy blocks and live meetings.

    Both are the person's in every workspace they belong to: one person has one calendar. Only the
    times are read, never what they are.
    """
    busy = BusyBlock.objects.filter(user_id=membership.user_id, start__lt=end, end__gt=start)
    meetings = Meeting.objects.filter(rep_id=membership.user_id, status__in=LIVE_STATUSES, start__lt=end, end__gt=start)
    if exclude_meeting is not None:
        meetings = meetings.exclude(pk=exclude_meeting.pk)
    return [*busy.values_list("start", "end"), *meetings.values_list("start", "end")]


def open_slots_for(
    *, rep: Membership, time_zone: str, now: datetime, exclude_meeting: Meeting | None = None
) -> list[Slot]:
    """Every slot the rep can still be booked for, from the notice period to the horizon."""
    window_start, window_end = now + MIN_NOTICE, now + BOOKING_HORIZON
    return open_slots(
        rules=availability_rules(membership=rep),
        window_start=window_start,
        window_end=window_end,
        taken=taken_times(membership=rep, start=window_start, end=window_end, exclude_meeting=exclude_meeting),
        time_zone=zone_or_utc(time_zone).key,
    )


def propose_slots(*, rep: Membership, prospect_time_zone: str, now: datetime, count: int = 3) -> list[Slot]:
    """Two or three concrete open slots of the rep, on different days, shown in the prospect's zone."""
    return pick_proposals(open_slots_for(rep=rep, time_zone=prospect_time_zone, now=now), count=count)


def prospect_time_zone(*, contact: Contact) -> tuple[str, str]:
    """The prospect's zone and where it came from: the contact, the account's country, the workspace."""
    zone, source = recipient_zone(
        contact_time_zone=contact.time_zone,
        account_country=contact.account.country,
        workspace_time_zone=contact.workspace.default_time_zone,
    )
    return zone.key, source


def pick_rep(*, contact: Contact) -> Membership:
    """Who meets the prospect: the account's owner when a member, else the workspace's first rep."""
    members = Membership.objects.select_related("user", "workspace").filter(workspace_id=contact.workspace_id)
    owner_id = contact.account.owner_id
    if owner_id is not None:
        owner = members.filter(user_id=owner_id).first()
        if owner is not None:
            return owner
    rep = members.filter(role=Role.REP).order_by("created_at", "pk").first()
    # A workspace without reps: its managers and admins take the meetings.
    rep = rep or members.order_by("created_at", "pk").first()
    if rep is None:
        raise Membership.DoesNotExist(f"Workspace {contact.workspace_id} has no members to meet prospects.")
    return rep


def busy_blocks_upcoming(*, membership: Membership, now: datetime) -> QuerySet[BusyBlock]:
    return BusyBlock.objects.filter(
        workspace_id=membership.workspace_id, user_id=membership.user_id, end__gte=now
    ).order_by("start")


def meetings_visible_to(*, membership: Membership) -> QuerySet[Meeting]:
    """A rep sees their own meetings; managers and admins see the workspace's."""
    meetings = Meeting.objects.filter(workspace_id=membership.workspace_id)
    if not membership.has_role(Role.MANAGER):
        meetings = meetings.filter(rep_id=membership.user_id)
    return meetings


def meetings_list(*, membership: Membership, when: str, now: datetime) -> QuerySet[Meeting]:
    """Upcoming meetings soonest first, or past ones latest first, with who and what they are for."""
    meetings = meetings_visible_to(membership=membership).select_related("rep", "contact__account", "campaign")
    if when == "past":
        return meetings.filter(end__lt=now).order_by("-start", "-pk")
    return meetings.filter(end__gte=now).order_by("start", "pk")


def meeting_for_member(*, membership: Membership, meeting_id: int) -> Meeting:
    """One meeting the member may see; `Meeting.DoesNotExist` otherwise (the view answers 404)."""
    return (
        meetings_visible_to(membership=membership)
        .select_related("rep", "contact__account", "campaign", "workspace")
        .get(pk=meeting_id)
    )


def busy_block_for_member(*, membership: Membership, block_id: int) -> BusyBlock:
    """A busy block the member may remove: their own, or, for managers, any of the workspace."""
    blocks = BusyBlock.objects.filter(workspace_id=membership.workspace_id)
    if not membership.has_role(Role.MANAGER):
        blocks = blocks.filter(user_id=membership.user_id)
    return blocks.get(pk=block_id)


def meeting_rep(*, meeting: Meeting) -> Membership | None:
    """The rep's membership in the meeting's workspace; None once they have left it."""
    return (
        Membership.objects.select_related("workspace", "user")
        .filter(workspace_id=meeting.workspace_id, user_id=meeting.rep_id)
        .first()
    )


def upcoming_meeting_of(*, contact: Contact, now: datetime) -> Meeting | None:
    """The prospect's next booked meeting that has not ended, if any."""
    return (
        Meeting.objects.filter(contact=contact, status=Meeting.Status.BOOKED, end__gt=now)
        .select_related("rep")
        .order_by("start")
        .first()
    )
