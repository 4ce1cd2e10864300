"""Writes of the meetings app: availability, busy blocks and feeds, booking, rescheduling, cancelling
and marking meetings. Each one transactional and audited; invitations leave after the commit."""

import logging
from datetime import datetime, time, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django_q.tasks import async_task

from agents.meetings import selectors, tasks
from agents.meetings.ics_feeds import FeedError, busy_periods, fetch_feed, normalise_feed_url
from agents.meetings.invitations import CANCEL, REQUEST, invitation_messages
from agents.meetings.links import BOOKING_LINK_MAX_AGE, booking_link
from agents.meetings.models import MEETING_LENGTHS, Availability, BookedCell, BusyBlock, Meeting, WorkingHours
from agents.meetings.slots import grid_cells
from campaigns.models import Campaign, Contact
from salesops.audit import actor_label, audit_record, member_audit
from salesops.models import Membership, Role, Workspace
from salesops.time_zones import is_valid_zone, zone_or_utc

logger = logging.getLogger(__name__)

# Imported feed events this far back and ahead become busy blocks (bookings reach two weeks ahead;
# the rest covers a refresh that comes late).
FEED_PAST = timedelta(days=1)
FEED_AHEAD = timedelta(days=35)


class SlotTaken(Exception):
    """The chosen time is no longer open: someone else took it, or it was never offered."""


class BookingRefused(Exception):
    """The booking, rescheduling or cancelling cannot happen; the message says why, for the prospect."""


def _availability_snapshot(availability: Availability) -> dict:
    return {
        "time_zone": availability.time_zone,
        "meeting_minutes": availability.meeting_minutes,
        "hours": {
            str(row.weekday): [row.start.isoformat("minutes"), row.end.isoformat("minutes")]
            for row in availability.working_hours.all()
        },
        "ics_feed_url": bool(availability.ics_feed_url),
    }


# Availability -----------------------------------------------------------------------------------


@transaction.atomic
def availability_save(
    *,
    actor: Membership,
    time_zone: str,
    meeting_minutes: int,
    hours: dict[int, tuple[time, time]],
    ics_feed_url: str = "",
) -> Availability:
    """Set the actor's own time zone, meeting length, working hours and calendar feed."""
    if not is_valid_zone(time_zone):
        raise ValidationError(f"{time_zone!r} is not a time zone.")
    if meeting_minutes not in MEETING_LENGTHS:
        raise ValidationError(f"Meetings last one of {MEETING_LENGTHS} minutes.")
    for weekday, (start, end) in hours.items():
        if not 0 <= weekday <= 4 or start >= end:
            raise ValidationError("Working hours are per business day and must end after they start.")
    ics_feed_url = normalise_feed_url(ics_feed_url) if ics_feed_url.strip() else ""
    availability, created = Availability.objects.select_for_update().get_or_create(
        workspace_id=actor.workspace_id,
        user_id=actor.user_id,
        defaults={"time_zone": time_zone, "meeting_minutes": meeting_minutes},
    )
    before = None if created else _availability_snapshot(availability)
    feed_removed = bool(availability.ics_feed_url) and not ics_feed_url
    availability.time_zone = time_zone
    availability.meeting_minutes = meeting_minutes
    if availability.ics_feed_url != ics_feed_url:
        availability.ics_error = ""
        availability.ics_imported_at = None
    availability.ics_feed_url = ics_feed_url
    availability.save()
    availability.working_hours.all().delete()
    WorkingHours.objects.bulk_create(
        WorkingHours(workspace_id=actor.workspace_id, availability=availability, weekday=day, start=start, end=end)
        for day, (start, end) in sorted(hours.items())
    )
    if feed_removed:
        BusyBlock.objects.filter(
            workspace_id=actor.workspace_id, user_id=actor.user_id, source=BusyBlock.Source.ICS
        ).delete()
    availability = Availability.objects.prefetch_related("working_hours").get(pk=availability.pk)
    member_audit(
        workspace=actor.workspace,
        user=actor.user,
        verb="availability.updated",
        target=availability,
        before=before,
        after=_availability_snapshot(availability),
    )
    return availability


@transaction.atomic
def busy_block_add(*, actor: Membership, start: datetime, end: datetime, summary: str = "") -> BusyBlock:
    if start >= end:
        raise ValidationError("A busy time must end after it starts.")
    if end - start > timedelta(days=31):
        raise ValidationError("A busy time lasts at most 31 days; add longer absences in parts.")
    block = BusyBlock.objects.create(
        workspace_id=actor.workspace_id, user_id=actor.user_id, start=start, end=end, summary=summary.strip()[:200]
    )
    member_audit(
        workspace=actor.workspace,
        user=actor.user,
        verb="busy_block.added",
        target=block,
        after={"start": start, "end": end, "summary": block.summary},
    )
    return block


@transaction.atomic
def busy_block_remove(*, actor: Membership, block: BusyBlock) -> None:
    if block.workspace_id != actor.workspace_id or (
        block.user_id != actor.user_id and not actor.has_role(Role.MANAGER)
    ):
        raise PermissionDenied("Not a busy time you may remove.")
    member_audit(
        workspace=actor.workspace,
        user=actor.user,
        verb="busy_block.removed",
        target=block,
        before={"user": block.user_id, "start": block.start, "end": block.end, "summary": block.summary},
    )
    block.delete()


def ics_feed_import(
    *, availability: Availability, actor_user=None, now: datetime | None = None, fetch=fetch_feed
) -> int:
    """Replace the person's imported busy blocks with the feed's events; the number imported.

    The fetch happens outside any transaction (it may take seconds); a failure is kept on the
    availability for its owner to see and raised as `FeedError`.
    """
    now = now or timezone.now()
    if not availability.ics_feed_url:
        raise FeedError("Set a calendar feed address first.")
    try:
        data = fetch(availability.ics_feed_url)
        periods = busy_periods(
            data, time_zone=availability.time_zone, window_start=now - FEED_PAST, window_end=now + FEED_AHEAD
        )
    except FeedError as error:
        Availability.objects.filter(pk=availability.pk).update(ics_error=str(error)[:500])
        raise
    with transaction.atomic():
        BusyBlock.objects.filter(
            workspace_id=availability.workspace_id, user_id=availability.user_id, source=BusyBlock.Source.ICS
        ).delete()
        BusyBlock.objects.bulk_create(
            BusyBlock(
                workspace_id=availability.workspace_id,
                user_id=availability.user_id,
                start=period.start,
                end=period.end,
                summary=period.summary,
                source=BusyBlock.Source.ICS,
            )
            for period in periods
        )
        Availability.objects.filter(pk=availability.pk).update(ics_imported_at=now, ics_error="")
        audit_record(
            workspace=Workspace.objects.get(pk=availability.workspace_id),
            verb="availability.feed_imported",
            actor=actor_label(actor_user) if actor_user is not None else "system",
            actor_user=actor_user,
            target=availability,
            after={"busy_blocks": len(periods)},
        )
    return len(periods)


def ics_feeds_refresh_all(*, now: datetime | None = None) -> dict:
    """The scheduled refresh: every person's feed, each failure kept on its availability."""
    counts = {"imported": 0, "failed": 0}
    for availability in Availability.objects.exclude(ics_feed_url=""):
        try:
            ics_feed_import(availability=availability, now=now)
        except FeedError:
            counts["failed"] += 1
        else:
            counts["imported"] += 1
    return counts


# Booking ----------------------------------------------------------------------------------------


def _slot_is_open(*, rep: Membership, start: datetime, now: datetime, exclude_meeting: Meeting | None = None) -> bool:
    slots = selectors.open_slots_for(rep=rep, time_zone="UTC", now=now, exclude_meeting=exclude_meeting)
    return any(slot.start == start for slot in slots)


def _hold_cells(meeting: Meeting) -> None:
    """Claim the meeting's grid cells; the database refuses a cell another live meeting holds."""
    BookedCell.objects.bulk_create(
        BookedCell(workspace_id=meeting.workspace_id, rep_id=meeting.rep_id, meeting=meeting, starts_at=cell)
        for cell in grid_cells(meeting.start, meeting.end)
    )


def _send_invitations_on_commit(meeting: Meeting, method: str) -> None:
    meeting_id, sequence = meeting.pk, meeting.sequence
    transaction.on_commit(lambda: async_task(tasks.meeting_invitations_send_task, meeting_id, sequence, method))


def _meeting_facts(meeting: Meeting) -> dict:
    return {
        "rep": meeting.rep.email,
        "contact": meeting.contact.email,
        "campaign": meeting.campaign_id,
        "start": meeting.start,
        "end": meeting.end,
        "time_zone": meeting.time_zone,
        "status": meeting.status,
        "sequence": meeting.sequence,
    }


@transaction.atomic
def meeting_book(
    *,
    rep: Membership,
    contact: Contact,
    campaign: Campaign | None,
    start: datetime,
    time_zone: str,
    actor: str,
    actor_user=None,
    now: datetime | None = None,
) -> Meeting:
    """Book the rep for the prospect at `start` (an open slot), and send both the invitation."""
    now = now or timezone.now()
    if contact.workspace_id != rep.workspace_id or (campaign and campaign.workspace_id != rep.workspace_id):
        raise ValueError("The rep, the contact and the campaign must be of one workspace.")
    existing = selectors.upcoming_meeting_of(contact=contact, now=now)
    if existing is not None:
        raise BookingRefused("You already have a meeting booked; reschedule it instead of booking another.")
    if not _slot_is_open(rep=rep, start=start, now=now):
        raise SlotTaken("That time is no longer open.")
    rules = selectors.availability_rules(membership=rep)
    try:
        with transaction.atomic():
            meeting = Meeting.objects.create(
                workspace_id=rep.workspace_id,
                rep_id=rep.user_id,
                contact=contact,
                campaign=campaign,
                start=start,
                end=start + timedelta(minutes=rules.meeting_minutes),
                time_zone=zone_or_utc(time_zone).key,
            )
            _hold_cells(meeting)
    except IntegrityError:
        raise SlotTaken("That time was just booked by someone else.")
    if contact.status not in (Contact.Status.UNSUBSCRIBED, Contact.Status.BOUNCED, Contact.Status.DO_NOT_CONTACT):
        contact.status = Contact.Status.MEETING_BOOKED
        contact.save(update_fields=["status", "updated_at"])
    meeting.rep = rep.user
    audit_record(
        workspace=rep.workspace,
        verb="meeting.booked",
        actor=actor,
        actor_user=actor_user,
        target=meeting,
        after=_meeting_facts(meeting),
    )
    _send_invitations_on_commit(meeting, REQUEST)
    return meeting


def _locked(meeting: Meeting) -> Meeting:
    return Meeting.objects.select_for_update().select_related("rep", "contact__account", "workspace").get(pk=meeting.pk)


@transaction.atomic
def meeting_reschedule(
    *, meeting: Meeting, start: datetime, actor: str, actor_user=None, now: datetime | None = None
) -> Meeting:
    """Move a booked meeting to another open slot: same UID, SEQUENCE + 1, a new invitation to both."""
    now = now or timezone.now()
    meeting = _locked(meeting)
    if meeting.status != Meeting.Status.BOOKED:
        raise BookingRefused(f"This meeting is {meeting.get_status_display().lower()}; it cannot be moved.")
    if meeting.start <= now:
        raise BookingRefused("This meeting has already started; it cannot be moved.")
    if start == meeting.start:
        return meeting
    rep = selectors.meeting_rep(meeting=meeting)
    if rep is None:
        raise BookingRefused("This meeting can no longer be moved online. Please reply to our email.")
    if not _slot_is_open(rep=rep, start=start, now=now, exclude_meeting=meeting):
        raise SlotTaken("That time is no longer open.")
    before = _meeting_facts(meeting)
    length = meeting.end - meeting.start
    try:
        with transaction.atomic():
            meeting.cells.all().delete()
            meeting.start, meeting.end = start, start + length
            meeting.sequence += 1
            meeting.save(update_fields=["start", "end", "sequence", "updated_at"])
            _hold_cells(meeting)
    except IntegrityError:
        raise SlotTaken("That time was just booked by someone else.")
    audit_record(
        workspace=meeting.workspace,
        verb="meeting.rescheduled",
        actor=actor,
        actor_user=actor_user,
        target=meeting,
        before=before,
        after=_meeting_facts(meeting),
    )
    _send_invitations_on_commit(meeting, REQUEST)
    return meeting


@transaction.atomic
def meeting_cancel(*, meeting: Meeting, actor: str, actor_user=None, now: datetime | None = None) -> Meeting:
    """Cancel a booked meeting: its time frees up and both calendars get METHOD:CANCEL."""
    now = now or timezone.now()
    meeting = _locked(meeting)
    if meeting.status == Meeting.Status.CANCELLED:
        return meeting
    if meeting.status != Meeting.Status.BOOKED or meeting.end <= now:
        raise BookingRefused("This meeting has already taken place; it cannot be cancelled.")
    before = _meeting_facts(meeting)
    meeting.cells.all().delete()
    meeting.status = Meeting.Status.CANCELLED
    meeting.qualified = False
    meeting.cancelled_at = now
    meeting.sequence += 1
    meeting.save(update_fields=["status", "qualified", "cancelled_at", "sequence", "updated_at"])
    contact = meeting.contact
    if (
        contact.status == Contact.Status.MEETING_BOOKED
        and selectors.upcoming_meeting_of(contact=contact, now=now) is None
    ):
        contact.status = Contact.Status.REPLIED
        contact.save(update_fields=["status", "updated_at"])
    audit_record(
        workspace=meeting.workspace,
        verb="meeting.cancelled",
        actor=actor,
        actor_user=actor_user,
        target=meeting,
        before=before,
        after=_meeting_facts(meeting),
    )
    _send_invitations_on_commit(meeting, CANCEL)
    return meeting


@transaction.atomic
def meeting_mark(
    *,
    actor: Membership,
    meeting: Meeting,
    status: str | None = None,
    qualified: bool | None = None,
    now: datetime | None = None,
) -> Meeting:
    """A rep records how the meeting went: held or no-show, and whether it was qualified.

    Only a meeting that took place can be qualified (it counts toward the campaign's goal from then on):
    it must have started and be held, or be marked held in the same call."""
    now = now or timezone.now()
    if meeting.workspace_id != actor.workspace_id or (
        meeting.rep_id != actor.user_id and not actor.has_role(Role.MANAGER)
    ):
        raise PermissionDenied("Not a meeting you may mark.")
    meeting = _locked(meeting)
    if meeting.status == Meeting.Status.CANCELLED:
        raise ValidationError("This meeting was cancelled.")
    before = {"status": meeting.status, "qualified": meeting.qualified}
    if status is not None:
        if status not in (Meeting.Status.HELD, Meeting.Status.NO_SHOW):
            raise ValidationError("A meeting is marked held or no-show.")
        if meeting.start > now:
            raise ValidationError("This meeting has not started yet.")
        meeting.status = status
        if status == Meeting.Status.NO_SHOW:
            meeting.qualified = False
    if qualified is not None:
        if qualified:
            _check_may_be_qualified(meeting, now)
        meeting.qualified = qualified
    after = {"status": meeting.status, "qualified": meeting.qualified}
    if after == before:
        return meeting
    meeting.save(update_fields=["status", "qualified", "updated_at"])
    member_audit(
        workspace=actor.workspace,
        user=actor.user,
        verb="meeting.marked",
        target=meeting,
        before=before,
        after=after,
    )
    return meeting


def _check_may_be_qualified(meeting: Meeting, now: datetime) -> None:
    if meeting.start > now:
        raise ValidationError("This meeting has not taken place yet: it can be qualified once it is held.")
    if meeting.status == Meeting.Status.NO_SHOW:
        raise ValidationError("A no-show cannot be qualified.")
    if meeting.status != Meeting.Status.HELD:
        raise ValidationError("Mark the meeting held first: only a held meeting can be qualified.")


def meeting_invitations_send(*, meeting_id: int, sequence: int, method: str) -> int:
    """Email the invitation (or cancellation) to the prospect and the rep; the number sent.

    A newer change supersedes an older one not yet sent. A failure opens an exception handoff so
    that a person sees it; the meeting itself stands.
    """
    from agents.handoffs import handoff_open
    from agents.models import Handoff  # agents' core modules; imported here to keep this app's import light

    meeting = Meeting.objects.select_related("rep", "contact__account", "campaign", "workspace").get(pk=meeting_id)
    if meeting.sequence != sequence:
        return 0
    sent = 0
    try:
        for message in invitation_messages(meeting=meeting, method=method):
            message.send(fail_silently=False)
            sent += 1
    except Exception as error:
        logger.exception("Meeting %s: invitation %s/%s not sent", meeting.pk, method, sequence)
        handoff_open(
            run=None,
            workspace_id=meeting.workspace_id,
            kind=Handoff.Kind.EXCEPTION,
            reason=f"The calendar {'cancellation' if method == CANCEL else 'invitation'} for the meeting "
            f"with {meeting.contact.email} could not be sent ({sent} of 2 sent): {error}",
            campaign_id=meeting.campaign_id,
            contact_id=meeting.contact_id,
            proposal={"meeting": meeting.pk, "method": method, "sequence": sequence},
            dedupe_key=f"meeting-invitation:{meeting.uid}:{sequence}:{method}",
        )
        return sent
    audit_record(
        workspace=meeting.workspace,
        verb="meeting.invitation_sent",
        actor="system",
        target=meeting,
        after={"method": method, "sequence": sequence, "to": [meeting.contact.email, meeting.rep.email]},
    )
    return sent


# For the reply agent ----------------------------------------------------------------------------


def offer_meeting(
    *, contact: Contact, campaign: Campaign | None, rep: Membership | None = None, now: datetime | None = None
) -> dict:
    """Concrete slots and a booking link for an interested prospect, ready to put in a reply.

    The slots are in the prospect's zone (the contact's, else their account country's, else the
    workspace's); the rep is the account owner when a member, else the workspace's first rep.
    Plain JSON-ready data: the agent that writes the reply never touches the database.
    """
    now = now or timezone.now()
    rep = rep or selectors.pick_rep(contact=contact)
    zone, zone_source = selectors.prospect_time_zone(contact=contact)
    slots = selectors.propose_slots(rep=rep, prospect_time_zone=zone, now=now)
    url = booking_link(rep=rep, contact=contact, campaign=campaign)
    lines = [f"- {slot.label}" for slot in slots]
    text = (
        "Would one of these times work for you?\n" + "\n".join(lines) + "\n\n" if slots else ""
    ) + f"Or pick any open time here: {url}"
    return {
        "rep": {"membership_id": rep.pk, "name": rep.user.get_full_name() or rep.user.email, "email": rep.user.email},
        "time_zone": zone,
        "time_zone_source": zone_source,
        "slots": [slot.as_dict() for slot in slots],
        "booking_url": url,
        "booking_url_expires_at": (now + BOOKING_LINK_MAX_AGE).isoformat(),
        "text": text,
    }
