"""Booking from the public page: one meeting, two invitations that calendars understand, no double
booking, and working reschedule and cancel links."""

import re
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.core import mail
from django.db import IntegrityError, transaction
from django.test import Client
from django.urls import resolve, reverse
from django.utils import timezone
from icalendar import Calendar

from agents.meetings import links, selectors, services
from agents.meetings.invitations import meeting_calendar
from agents.meetings.models import BookedCell, Meeting
from agents.meetings.tests.factories import make_availability, make_meeting, make_prospect
from campaigns.models import Contact
from campaigns.tests.factories import make_campaign
from salesops.models import AuditEvent

pytestmark = pytest.mark.django_db


@pytest.fixture
def booking(personas):
    """A rep in Berlin, a prospect in New York, a campaign, and the link the prospect got."""
    personas.rep.user.first_name, personas.rep.user.last_name = "Rita", "Rep"
    personas.rep.user.save()
    make_availability(membership=personas.rep, time_zone="Europe/Berlin")
    personas.campaign = make_campaign(workspace=personas.workspace)
    personas.contact = make_prospect(
        workspace=personas.workspace, time_zone="America/New_York", first_name="Mia", email="mia@buyer.example"
    )
    personas.url = urlsplit(
        links.booking_link(rep=personas.rep, contact=personas.contact, campaign=personas.campaign)
    ).path
    return personas


def open_starts(rep, *, exclude_meeting=None):
    return [
        slot.key
        for slot in selectors.open_slots_for(
            rep=rep, time_zone="UTC", now=timezone.now(), exclude_meeting=exclude_meeting
        )
    ]


def calendar_of(message) -> tuple[Calendar, str]:
    (part,) = message.attachments
    assert part.get_content_type() == "text/calendar"
    return Calendar.from_ical(part.get_content()), part.get_param("method")


def book(client, url, slot_key, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return client.post(url, {"slot": slot_key, "tz": "America/New_York"})


def test_the_booking_page_lists_open_times_in_the_prospects_zone_without_a_login(booking):
    response = Client().get(booking.url)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Book a meeting with Rita Rep" in page
    assert "Times are shown in America/New_York" in page
    slots = selectors.open_slots_for(rep=booking.rep, time_zone="America/New_York", now=timezone.now())
    waking = [slot for slot in slots if slot.local_start.hour >= 7]
    night = [slot for slot in slots if slot.local_start.hour < 7]
    assert waking and night  # the rep's 09:00 in Berlin is 03:00 in New York
    assert f'value="{waking[0].key}"' in page and waking[0].time_label in page
    assert f'value="{night[0].key}"' not in page
    assert response["X-Robots-Tag"] == "noindex"


def test_times_in_the_prospects_night_are_listed_on_request(booking):
    response = Client().get(booking.url, {"tz": "America/New_York", "all": "1"})
    night = [
        slot
        for slot in selectors.open_slots_for(rep=booking.rep, time_zone="America/New_York", now=timezone.now())
        if slot.local_start.hour < 7
    ]
    assert f'value="{night[0].key}"' in response.content.decode()
    in_berlin = Client().get(booking.url, {"tz": "Europe/Berlin"}).content.decode()
    assert "Times are shown in Europe/Berlin" in in_berlin and "more outside those hours" not in in_berlin


def test_booking_creates_one_meeting_and_sends_two_invitations_calendars_understand(
    booking, django_capture_on_commit_callbacks
):
    slot_key = open_starts(booking.rep)[3]
    response = book(Client(), booking.url, slot_key, django_capture_on_commit_callbacks)

    meeting = Meeting.objects.get()
    assert response.status_code == 302
    location = urlsplit(response["Location"])
    assert location.query == "done=booked"
    assert links.meeting_from_token(resolve(location.path).kwargs["token"]) == meeting
    assert meeting.rep == booking.rep.user and meeting.contact == booking.contact
    assert meeting.campaign == booking.campaign and meeting.workspace == booking.workspace
    assert meeting.start.strftime("%Y-%m-%dT%H:%MZ") == slot_key
    assert meeting.end - meeting.start == timedelta(minutes=30)
    assert (meeting.status, meeting.time_zone, meeting.sequence) == ("booked", "America/New_York", 0)
    assert meeting.cells.count() == 2
    booking.contact.refresh_from_db()
    assert booking.contact.status == Contact.Status.MEETING_BOOKED

    assert sorted(message.to[0] for message in mail.outbox) == ["mia@buyer.example", "rep@acme.test"]
    for message in mail.outbox:
        calendar, method = calendar_of(message)
        assert method == "REQUEST" and calendar["METHOD"] == "REQUEST"
        (event,) = calendar.events
        assert str(event["UID"]) == meeting.uid
        assert str(event["ORGANIZER"]) == "mailto:rep@acme.test"
        assert event["ORGANIZER"].params["CN"] == "Rita Rep"
        attendees = [str(attendee) for attendee in event["ATTENDEE"]]
        assert "mailto:mia@buyer.example" in attendees
        assert event["DTSTART"].params["TZID"] == "America/New_York"
        assert str(event.DTSTART.tzinfo) == "America/New_York"
        assert meeting.start == event.DTSTART and meeting.end == event.DTEND
        assert int(event["SEQUENCE"]) == 0
        assert [str(zone["TZID"]) for zone in calendar.timezones] == ["America/New_York"]
        assert 'method="REQUEST"' in message.message().as_string()
    prospect_mail = next(message for message in mail.outbox if message.to == ["mia@buyer.example"])
    # The token carries a timestamp, so the links are read out of the email rather than rebuilt here.
    for action in ("reschedule", "cancel"):
        (url,) = re.findall(rf"{re.escape(settings.SITE_URL)}(/book/meeting/[^/\s]+/{action}/)", prospect_mail.body)
        assert links.meeting_from_token(resolve(url).kwargs["token"]) == meeting

    event = AuditEvent.objects.get(verb="meeting.booked")
    assert event.actor == "prospect:mia@buyer.example" and event.target_id == str(meeting.pk)
    assert AuditEvent.objects.filter(verb="meeting.invitation_sent").count() == 1


def test_the_confirmation_page_shows_the_meeting_with_its_links(booking, django_capture_on_commit_callbacks):
    client = Client()
    response = book(client, booking.url, open_starts(booking.rep)[1], django_capture_on_commit_callbacks)
    page = client.get(response["Location"]).content.decode()
    meeting = Meeting.objects.get()
    token = links.meeting_token(meeting)
    assert "You're booked" in page
    for action in ("reschedule", "cancel"):
        (href,) = re.findall(rf'href="(/book/meeting/[^"/]+/{action}/)"', page)
        assert links.meeting_from_token(resolve(href).kwargs["token"]) == meeting
    ics = client.get(reverse("booking:ics", args=[token]))
    assert ics["Content-Type"].startswith("text/calendar")
    assert str(Calendar.from_ical(ics.content).events[0]["UID"]) == meeting.uid


def test_a_time_taken_meanwhile_is_refused_and_the_prospect_picks_again(booking, django_capture_on_commit_callbacks):
    slot_key = open_starts(booking.rep)[1]
    other = make_prospect(workspace=booking.workspace)
    other_url = urlsplit(links.booking_link(rep=booking.rep, contact=other)).path
    book(Client(), other_url, slot_key, django_capture_on_commit_callbacks)

    response = book(Client(), booking.url, slot_key, django_capture_on_commit_callbacks)
    assert response.status_code == 409
    assert "that time was just taken" in response.content.decode()
    assert Meeting.objects.count() == 1 and Meeting.objects.get().contact == other


def test_a_time_that_was_never_offered_is_refused(booking, django_capture_on_commit_callbacks):
    beyond_the_horizon = (timezone.now() + timedelta(days=30)).strftime("%Y-%m-%dT%H:00Z")
    response = book(Client(), booking.url, beyond_the_horizon, django_capture_on_commit_callbacks)
    assert response.status_code == 409
    garbage = book(Client(), booking.url, "next tuesday", django_capture_on_commit_callbacks)
    assert garbage.status_code == 400
    assert not Meeting.objects.exists()


def test_a_prospect_with_a_meeting_is_shown_it_instead_of_booking_another(booking, django_capture_on_commit_callbacks):
    client = Client()
    book(client, booking.url, open_starts(booking.rep)[1], django_capture_on_commit_callbacks)
    response = client.get(booking.url)
    assert response.status_code == 302 and response["Location"].endswith("?done=already")
    with pytest.raises(services.BookingRefused):
        services.meeting_book(
            rep=booking.rep,
            contact=booking.contact,
            campaign=None,
            start=selectors.open_slots_for(rep=booking.rep, time_zone="UTC", now=timezone.now())[5].start,
            time_zone="UTC",
            actor="test",
        )
    assert Meeting.objects.count() == 1


def test_the_database_refuses_two_live_meetings_of_one_rep_at_one_time(booking):
    start = timezone.now().replace(second=0, microsecond=0, minute=0) + timedelta(days=1)
    make_meeting(membership=booking.rep, start=start)
    with pytest.raises(IntegrityError), transaction.atomic():
        Meeting.objects.create(
            workspace=booking.workspace,
            rep=booking.rep.user,
            contact=booking.contact,
            start=start,
            end=start + timedelta(minutes=30),
            time_zone="UTC",
        )
    # Overlapping but starting elsewhere on the grid: the cells collide.
    with pytest.raises(IntegrityError), transaction.atomic():
        make_meeting(membership=booking.rep, contact=booking.contact, start=start + timedelta(minutes=15))
    # A cancelled meeting does not hold its time.
    make_meeting(membership=booking.rep, contact=booking.contact, start=start, status=Meeting.Status.CANCELLED)
    assert Meeting.objects.filter(start=start).count() == 2


def test_rescheduling_moves_the_meeting_and_sends_sequence_one_with_the_same_uid(
    booking, django_capture_on_commit_callbacks
):
    client = Client()
    first_key = open_starts(booking.rep)[1]
    book(client, booking.url, first_key, django_capture_on_commit_callbacks)
    meeting = Meeting.objects.get()
    mail.outbox.clear()
    url = reverse("booking:reschedule", args=[links.meeting_token(meeting)])
    page = client.get(url)
    assert page.status_code == 200 and "Move your meeting with Rita Rep" in page.content.decode()
    new_key = open_starts(booking.rep, exclude_meeting=meeting)[10]

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"slot": new_key, "tz": "America/New_York"})

    assert response.status_code == 302 and response["Location"].endswith("?done=rescheduled")
    meeting.refresh_from_db()
    assert meeting.start.strftime("%Y-%m-%dT%H:%MZ") == new_key
    assert meeting.sequence == 1 and meeting.status == "booked"
    assert sorted(cell.starts_at for cell in meeting.cells.all()) == [
        meeting.start,
        meeting.start + timedelta(minutes=15),
    ]
    assert first_key in open_starts(booking.rep)  # the old time is free again
    assert len(mail.outbox) == 2
    for message in mail.outbox:
        calendar, method = calendar_of(message)
        (event,) = calendar.events
        assert method == "REQUEST" and str(event["UID"]) == meeting.uid and int(event["SEQUENCE"]) == 1
        assert meeting.start == event.DTSTART
        assert message.subject.startswith("Updated invitation")
    audit = AuditEvent.objects.get(verb="meeting.rescheduled")
    assert audit.before["sequence"] == 0 and audit.after["sequence"] == 1


def test_cancelling_frees_the_time_and_sends_method_cancel(booking, django_capture_on_commit_callbacks):
    client = Client()
    slot_key = open_starts(booking.rep)[1]
    book(client, booking.url, slot_key, django_capture_on_commit_callbacks)
    meeting = Meeting.objects.get()
    mail.outbox.clear()
    url = reverse("booking:cancel", args=[links.meeting_token(meeting)])
    assert "Cancel your meeting with Acme Sales?" in client.get(url).content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url)

    assert response.status_code == 302 and response["Location"].endswith("?done=cancelled")
    meeting.refresh_from_db()
    assert meeting.status == "cancelled" and meeting.sequence == 1 and meeting.cancelled_at is not None
    assert not BookedCell.objects.exists()
    assert slot_key in open_starts(booking.rep)
    booking.contact.refresh_from_db()
    assert booking.contact.status == Contact.Status.REPLIED
    assert len(mail.outbox) == 2
    for message in mail.outbox:
        calendar, method = calendar_of(message)
        (event,) = calendar.events
        assert method == "CANCEL" and calendar["METHOD"] == "CANCEL"
        assert str(event["STATUS"]) == "CANCELLED" and int(event["SEQUENCE"]) == 1
        assert str(event["UID"]) == meeting.uid
    assert AuditEvent.objects.filter(verb="meeting.cancelled", actor="prospect:mia@buyer.example").exists()
    # A cancelled meeting can be neither moved nor cancelled again; its page says what happened.
    assert client.get(reverse("booking:reschedule", args=[links.meeting_token(meeting)])).status_code == 302
    page = client.get(reverse("booking:meeting", args=[links.meeting_token(meeting)])).content.decode()
    assert "Cancelled" in page and "Pick another time" not in page


def test_an_invitation_that_cannot_be_sent_becomes_an_exception_for_a_person(
    booking, django_capture_on_commit_callbacks, monkeypatch
):
    from agents.models import Handoff

    def refuse(self, fail_silently=False):
        raise ConnectionRefusedError("smtp down")

    monkeypatch.setattr("django.core.mail.EmailMessage.send", refuse)
    book(Client(), booking.url, open_starts(booking.rep)[1], django_capture_on_commit_callbacks)
    meeting = Meeting.objects.get()
    handoff = Handoff.objects.get(kind=Handoff.Kind.EXCEPTION)
    assert "smtp down" in handoff.reason and handoff.contact_id == booking.contact.pk
    assert handoff.proposal == {"meeting": meeting.pk, "method": "REQUEST", "sequence": 0}


def test_a_utc_meeting_is_written_in_utc(booking):
    meeting = make_meeting(
        membership=booking.rep, contact=booking.contact, start=timezone.now() + timedelta(days=2), time_zone="UTC"
    )
    calendar = Calendar.from_ical(meeting_calendar(meeting=meeting, method="REQUEST"))
    assert b"DTSTART:" in calendar.events[0].to_ical() and calendar.events[0].DTSTART.utcoffset() == timedelta(0)
