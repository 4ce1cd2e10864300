"""The iCalendar invitation of a meeting (RFC 5545 / iTIP) and the emails that carry it.

One UID per meeting; every change of time or status raises SEQUENCE, so calendars update the event
they already hold. The prospect and the rep each get their own email with the same calendar object.
"""

import logging
from datetime import UTC, datetime, timedelta
from email.message import MIMEPart
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.urls import reverse
from icalendar import Calendar, Event, vCalAddress

from agents.meetings.links import meeting_link
from agents.meetings.models import Availability, Meeting
from salesops.time_zones import zone_or_utc

logger = logging.getLogger(__name__)

REQUEST = "REQUEST"
CANCEL = "CANCEL"
PRODID = "-//salesops//meetings//EN"


def meeting_summary(meeting: Meeting) -> str:
    rep_name = meeting.rep.get_full_name() or meeting.rep.email
    return f"{meeting.contact.name} / {rep_name} ({meeting.contact.account.name})"


def _address(email: str, name: str, **params: str) -> vCalAddress:
    address = vCalAddress(f"mailto:{email}")
    if name:
        address.params["CN"] = name
    address.params.update(params)
    return address


def meeting_calendar(*, meeting: Meeting, method: str, now: datetime | None = None) -> bytes:
    """The calendar object: METHOD, one VEVENT with organiser, attendees, UID, SEQUENCE and the
    start and end in the prospect's zone (TZID with its VTIMEZONE; plain UTC for UTC)."""
    zone = ZoneInfo(meeting.time_zone)
    rep_name = meeting.rep.get_full_name() or meeting.rep.email
    cancelled = method == CANCEL
    description = (
        f"{meeting.contact.name} and {rep_name}.\n\n"
        f"Reschedule: {meeting_link(meeting, 'reschedule')}\n"
        f"Cancel: {meeting_link(meeting, 'cancel')}\n"
    )
    event = Event.new(
        uid=meeting.uid,
        sequence=meeting.sequence,
        stamp=(now or datetime.now(UTC)).astimezone(UTC),
        start=meeting.start.astimezone(zone),
        end=meeting.end.astimezone(zone),
        summary=meeting_summary(meeting),
        description=description,
        organizer=_address(meeting.rep.email, rep_name),
        attendees=[
            _address(
                meeting.contact.email,
                meeting.contact.name,
                ROLE="REQ-PARTICIPANT",
                PARTSTAT="NEEDS-ACTION",
                RSVP="TRUE",
            ),
            _address(meeting.rep.email, rep_name, ROLE="CHAIR", PARTSTAT="ACCEPTED"),
        ],
        status="CANCELLED" if cancelled else "CONFIRMED",
        transparency="OPAQUE",
    )
    calendar = Calendar.new(method=method, prodid=PRODID, subcomponents=[event])
    calendar.add("CALSCALE", "GREGORIAN")
    # Only the rules around the meeting, not fifty years of them.
    calendar.add_missing_timezones(
        first_date=meeting.start.date() - timedelta(days=366), last_date=meeting.end.date() + timedelta(days=366)
    )
    return calendar.to_ical()


def _calendar_part(calendar: bytes, method: str) -> MIMEPart:
    part = MIMEPart()
    part.set_content(
        calendar.decode(),
        subtype="calendar",
        charset="utf-8",
        params={"method": method},
        disposition="attachment",
        filename="invite.ics" if method == REQUEST else "cancel.ics",
    )
    return part


def _rep_zone(meeting: Meeting) -> str:
    zone = (
        Availability.objects.filter(workspace_id=meeting.workspace_id, user_id=meeting.rep_id)
        .values_list("time_zone", flat=True)
        .first()
    )
    return zone_or_utc(zone or meeting.workspace.default_time_zone).key


def invitation_messages(*, meeting: Meeting, method: str) -> list[EmailMessage]:
    """Two emails, one to the prospect and one to the rep, each with the calendar object."""
    calendar = meeting_calendar(meeting=meeting, method=method)
    rep_zone = _rep_zone(meeting)
    rep_name = meeting.rep.get_full_name() or meeting.rep.email
    context = {
        "meeting": meeting,
        "rep_name": rep_name,
        "cancelled": method == CANCEL,
        "updated": meeting.sequence > 0 and method == REQUEST,
        "prospect_start": meeting.start.astimezone(ZoneInfo(meeting.time_zone)),
        "prospect_end": meeting.end.astimezone(ZoneInfo(meeting.time_zone)),
        "rep_zone": rep_zone,
        "rep_start": meeting.start.astimezone(ZoneInfo(rep_zone)),
        "manage_url": meeting_link(meeting, "meeting"),
        "reschedule_url": meeting_link(meeting, "reschedule"),
        "cancel_url": meeting_link(meeting, "cancel"),
        "meetings_url": settings.SITE_URL + reverse("meetings:meeting_list"),
    }
    if method == CANCEL:
        subject = f"Cancelled: {meeting_summary(meeting)}"
    elif meeting.sequence > 0:
        subject = f"Updated invitation: {meeting_summary(meeting)}"
    else:
        subject = f"Invitation: {meeting_summary(meeting)}"
    start_label = f"{context['prospect_start']:%a %d %b %Y %H:%M} ({meeting.time_zone})"
    messages = []
    for recipient, template in (
        (meeting.contact.email, "meetings/email/invitation_prospect.txt"),
        (meeting.rep.email, "meetings/email/invitation_rep.txt"),
    ):
        message = EmailMessage(
            subject=f"{subject} · {start_label}",
            body=render_to_string(template, context),
            to=[recipient],
            reply_to=[meeting.rep.email],
            headers={"Auto-Submitted": "auto-generated"},
        )
        message.attach(_calendar_part(calendar, method))
        message.sandbox_workspace_id = meeting.workspace_id  # where development's sandbox keeps it
        messages.append(message)
    return messages
