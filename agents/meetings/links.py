"""Signed links of the public booking pages: one to book (sent with proposed slots), one per meeting
(to see, reschedule or cancel it). No login: the signature is the permission, so it is checked
first, and a forged or expired link is refused with a page that says which."""

from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.urls import reverse

from agents.meetings.models import Meeting
from campaigns.models import Campaign, Contact
from salesops.models import Membership, Workspace

BOOKING_SALT = "salesops.meetings.booking"
MEETING_SALT = "salesops.meetings.meeting"
BOOKING_LINK_MAX_AGE = timedelta(days=14)
# A meeting's own link must outlive the meeting: booked up to two weeks ahead, rescheduled later.
MEETING_LINK_MAX_AGE = timedelta(days=120)


class LinkInvalid(Exception):
    """The link is forged, expired or points at something that is gone; the message says which."""

    def __init__(self, message: str, *, expired: bool = False):
        super().__init__(message)
        self.expired = expired


@dataclass(frozen=True)
class BookingRequest:
    """What a booking link stands for: who meets whom, for which campaign."""

    workspace: Workspace
    rep: Membership
    contact: Contact
    campaign: Campaign | None


def booking_token(*, rep: Membership, contact: Contact, campaign: Campaign | None = None) -> str:
    if contact.workspace_id != rep.workspace_id or (campaign and campaign.workspace_id != rep.workspace_id):
        raise ValueError("The rep, the contact and the campaign must be of one workspace.")
    payload = {"w": rep.workspace_id, "r": rep.pk, "c": contact.pk, "p": campaign.pk if campaign else None}
    return signing.dumps(payload, salt=BOOKING_SALT)


def booking_link(*, rep: Membership, contact: Contact, campaign: Campaign | None = None) -> str:
    """The absolute URL of the public page listing the rep's open slots for this prospect."""
    token = booking_token(rep=rep, contact=contact, campaign=campaign)
    return settings.SITE_URL + reverse("booking:slots", args=[token])


def _load(token: str, *, salt: str, max_age: timedelta, what: str) -> dict:
    try:
        payload = signing.loads(token, salt=salt, max_age=max_age)
    except signing.SignatureExpired:
        raise LinkInvalid(f"This {what} link has expired. Reply to our email and we will send a new one.", expired=True)
    except signing.BadSignature:
        raise LinkInvalid(f"This {what} link is not valid. Please use the link exactly as it came in the email.")
    if not isinstance(payload, dict):
        raise LinkInvalid(f"This {what} link is not valid.")
    return payload


def booking_from_token(token: str) -> BookingRequest:
    payload = _load(token, salt=BOOKING_SALT, max_age=BOOKING_LINK_MAX_AGE, what="booking")
    try:
        rep = Membership.objects.select_related("workspace", "user").get(pk=payload["r"], workspace_id=payload["w"])
        contact = Contact.objects.select_related("account", "workspace").get(pk=payload["c"], workspace_id=payload["w"])
        campaign = Campaign.objects.get(pk=payload["p"], workspace_id=payload["w"]) if payload.get("p") else None
    except (KeyError, TypeError, ValueError, Membership.DoesNotExist, Contact.DoesNotExist, Campaign.DoesNotExist):
        raise LinkInvalid("This booking link no longer works. Reply to our email and we will send a new one.")
    return BookingRequest(workspace=rep.workspace, rep=rep, contact=contact, campaign=campaign)


def meeting_token(meeting: Meeting) -> str:
    return signing.dumps({"m": meeting.pk, "u": meeting.uid}, salt=MEETING_SALT)


def meeting_link(meeting: Meeting, action: str = "meeting") -> str:
    """The absolute URL of the meeting's public page: "meeting", "reschedule", "cancel" or "ics"."""
    return settings.SITE_URL + reverse(f"booking:{action}", args=[meeting_token(meeting)])


def meeting_from_token(token: str) -> Meeting:
    payload = _load(token, salt=MEETING_SALT, max_age=MEETING_LINK_MAX_AGE, what="meeting")
    try:
        return Meeting.objects.select_related("workspace", "rep", "contact__account", "campaign").get(
            pk=payload["m"], uid=payload["u"]
        )
    except (KeyError, TypeError, ValueError, Meeting.DoesNotExist):
        raise LinkInvalid("This meeting no longer exists.")
