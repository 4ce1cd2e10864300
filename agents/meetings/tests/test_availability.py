"""My availability: time zone, meeting length, working hours, busy times, and a calendar feed read
from a URL (served here by a local HTTP server: no test touches the internet)."""

import threading
from datetime import UTC, datetime, time, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone

from agents.meetings import selectors
from agents.meetings.ics_feeds import FeedError, busy_periods, fetch_feed, normalise_feed_url
from agents.meetings.models import Availability, BusyBlock
from agents.meetings.tests.factories import make_availability, make_busy_block
from salesops.models import AuditEvent

pytestmark = pytest.mark.django_db
BERLIN = ZoneInfo("Europe/Berlin")


def hours_form(**overrides) -> dict:
    data = {"time_zone": "America/Chicago", "meeting_minutes": "45", "ics_feed_url": ""}
    for day in range(5):
        data[f"start_{day}"], data[f"end_{day}"] = "10:00", "16:00"
    data["start_4"] = data["end_4"] = ""  # no meetings on Fridays
    data.update(overrides)
    return data


def test_a_rep_sets_zone_length_and_working_hours(personas):
    client = personas.client_for(personas.rep)
    page = client.get(reverse("meetings:availability"))
    assert page.status_code == 200 and "My availability" in page.content.decode()

    response = client.post(reverse("meetings:availability"), hours_form())

    assert response.status_code == 302
    rules = selectors.availability_rules(membership=personas.rep)
    assert rules.time_zone == "America/Chicago" and rules.meeting_minutes == 45
    assert rules.hours == {day: (time(10, 0), time(16, 0)) for day in range(4)}
    event = AuditEvent.objects.get(verb="availability.updated")
    assert event.before is None and event.after["hours"]["0"] == ["10:00", "16:00"]
    slots = selectors.open_slots_for(rep=personas.rep, time_zone="America/Chicago", now=timezone.now())
    assert slots and all(slot.local_start.weekday() < 4 for slot in slots)
    assert all(time(10, 0) <= slot.local_start.time() < time(16, 0) for slot in slots)


def test_the_page_shows_what_was_saved(personas):
    client = personas.client_for(personas.rep)
    client.post(reverse("meetings:availability"), hours_form())
    page = client.get(reverse("meetings:availability")).content.decode()
    assert '<option value="America/Chicago" selected>' in page
    assert 'name="start_0" value="10:00"' in page and 'name="start_4"' in page


@pytest.mark.parametrize(
    "overrides,message",
    [
        ({"end_1": "09:00"}, "Tuesday must end after it starts."),
        ({"end_2": ""}, "Give Wednesday a start and an end"),
        ({"time_zone": "Mars/Olympus"}, "Select a valid choice"),
        ({"meeting_minutes": "7"}, "Select a valid choice"),
        ({"ics_feed_url": "file:///etc/passwd"}, "must be an http, https or webcal address"),
    ],
)
def test_invalid_settings_are_refused_with_the_reason(personas, overrides, message):
    response = personas.client_for(personas.rep).post(reverse("meetings:availability"), hours_form(**overrides))
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Availability.objects.exists()


def test_a_busy_time_is_typed_in_the_reps_zone(personas):
    make_availability(membership=personas.rep, time_zone="Europe/Berlin")
    client = personas.client_for(personas.rep)
    response = client.post(
        reverse("meetings:busy_block_add"),
        {"start": "2030-01-08T10:00", "end": "2030-01-08T12:30", "summary": "Board meeting"},
    )
    assert response.status_code == 302
    block = BusyBlock.objects.get()
    assert block.start == datetime(2030, 1, 8, 9, 0, tzinfo=UTC)  # 10:00 in Berlin (winter)
    assert block.end == datetime(2030, 1, 8, 11, 30, tzinfo=UTC)
    assert (block.user, block.source, block.summary) == (personas.rep.user, "manual", "Board meeting")
    assert AuditEvent.objects.filter(verb="busy_block.added").exists()


def test_a_busy_time_that_ends_before_it_starts_is_refused(personas):
    response = personas.client_for(personas.rep).post(
        reverse("meetings:busy_block_add"), {"start": "2030-01-08T10:00", "end": "2030-01-08T09:00"}
    )
    assert response.status_code == 400 and "must end after it starts" in response.content.decode()
    assert not BusyBlock.objects.exists()


def test_a_rep_removes_their_busy_time_but_not_another_reps(personas):
    start = timezone.now() + timedelta(days=1)
    own = make_busy_block(membership=personas.rep, start=start, end=start + timedelta(hours=1))
    managers = make_busy_block(membership=personas.manager, start=start, end=start + timedelta(hours=1))
    client = personas.client_for(personas.rep)
    assert client.post(reverse("meetings:busy_block_delete", args=[managers.pk])).status_code == 404
    assert client.post(reverse("meetings:busy_block_delete", args=[own.pk])).status_code == 302
    assert list(BusyBlock.objects.all()) == [managers]
    assert AuditEvent.objects.filter(verb="busy_block.removed", actor="rep@acme.test").exists()


# Calendar feeds ---------------------------------------------------------------------------------


def ics(*events: str) -> bytes:
    body = "\r\n".join(["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//test//EN", *events, "END:VCALENDAR", ""])
    return body.encode()


def vevent(uid: str, *lines: str) -> str:
    return "\r\n".join(["BEGIN:VEVENT", f"UID:{uid}", "DTSTAMP:20260101T000000Z", *lines, "END:VEVENT"])


class FeedServer:
    """A local HTTP server answering every GET with the given status and body."""

    def __init__(self, body: bytes, status: int = 200):
        feed = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                feed.requests += 1
                self.send_response(feed.status)
                self.send_header("Content-Type", "text/calendar")
                self.send_header("Content-Length", str(len(feed.body)))
                self.end_headers()
                self.wfile.write(feed.body)

            def log_message(self, *args):
                pass

        self.body, self.status, self.requests = body, status, 0
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/calendar.ics"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()


WINDOW = (datetime(2026, 3, 1, tzinfo=UTC), datetime(2026, 4, 5, tzinfo=UTC))


def test_feed_events_become_busy_periods_with_recurrences_expanded():
    data = ics(
        vevent(
            "one",
            "DTSTART;TZID=Europe/Berlin:20260303T100000",
            "DTEND;TZID=Europe/Berlin:20260303T110000",
            "SUMMARY:Dentist",
        ),
        vevent("free", "DTSTART:20260303T120000Z", "DTEND:20260303T130000Z", "TRANSP:TRANSPARENT"),
        vevent("gone", "DTSTART:20260303T140000Z", "DTEND:20260303T150000Z", "STATUS:CANCELLED"),
        vevent("allday", "DTSTART;VALUE=DATE:20260306", "DTEND;VALUE=DATE:20260307", "SUMMARY:Off"),
        vevent("floating", "DTSTART:20260304T090000", "DURATION:PT30M"),
        vevent(
            "weekly",
            "DTSTART;TZID=Europe/Berlin:20260302T090000",
            "DTEND;TZID=Europe/Berlin:20260302T093000",
            "RRULE:FREQ=WEEKLY;BYDAY=MO;UNTIL=20260331",
            "EXDATE;TZID=Europe/Berlin:20260309T090000",
            "SUMMARY:Standup",
        ),
        vevent(
            "weekly",
            "RECURRENCE-ID;TZID=Europe/Berlin:20260316T090000",
            "DTSTART;TZID=Europe/Berlin:20260316T150000",
            "DTEND;TZID=Europe/Berlin:20260316T153000",
            "SUMMARY:Standup (moved)",
        ),
    )
    periods = busy_periods(data, time_zone="Europe/Berlin", window_start=WINDOW[0], window_end=WINDOW[1])
    found = [(period.start.astimezone(BERLIN).strftime("%a %d %H:%M"), period.end - period.start) for period in periods]
    assert found == [
        ("Mon 02 09:00", timedelta(minutes=30)),  # standup
        ("Tue 03 10:00", timedelta(hours=1)),  # dentist; the transparent and cancelled events are free
        ("Wed 04 09:00", timedelta(minutes=30)),  # floating time read in the person's zone
        ("Fri 06 00:00", timedelta(days=1)),  # an all-day event is a busy day
        # Mon 09: an exception date; Mon 16: moved to the afternoon
        ("Mon 16 15:00", timedelta(minutes=30)),
        ("Mon 23 09:00", timedelta(minutes=30)),
        ("Mon 30 09:00", timedelta(minutes=30)),  # summer time: still 09:00 on the wall clock
    ]


def test_a_feed_that_is_not_icalendar_is_refused():
    with pytest.raises(FeedError, match="not a valid iCalendar"):
        busy_periods(b"<html>login</html>", time_zone="UTC", window_start=WINDOW[0], window_end=WINDOW[1])


def test_feed_addresses_are_http_https_or_webcal_only():
    assert normalise_feed_url(" webcal://calendar.example.com/x.ics ") == "https://calendar.example.com/x.ics"
    for url in ("file:///etc/passwd", "ftp://example.com/x.ics", "gopher://x", "https://"):
        with pytest.raises(FeedError):
            normalise_feed_url(url)


def test_a_feed_inside_our_network_is_refused_unless_allowed(settings):
    settings.SALESOPS_ICS_ALLOW_PRIVATE_HOSTS = False
    with FeedServer(ics()) as feed:
        with pytest.raises(FeedError, match="public internet"):
            fetch_feed(feed.url)
        assert feed.requests == 0
        settings.SALESOPS_ICS_ALLOW_PRIVATE_HOSTS = True
        assert fetch_feed(feed.url).startswith(b"BEGIN:VCALENDAR")


def test_a_rep_imports_their_calendar_feed_into_busy_times(personas, settings):
    settings.SALESOPS_ICS_ALLOW_PRIVATE_HOSTS = True
    tomorrow = (timezone.now() + timedelta(days=1)).astimezone(BERLIN).date()
    data = ics(
        vevent(
            "a",
            f"DTSTART;TZID=Europe/Berlin:{tomorrow:%Y%m%d}T100000",
            f"DTEND;TZID=Europe/Berlin:{tomorrow:%Y%m%d}T120000",
            "SUMMARY:Offsite",
        ),
        vevent("b", "DTSTART:20200101T100000Z", "DTEND:20200101T110000Z", "SUMMARY:Long ago"),
    )
    client = personas.client_for(personas.rep)
    with FeedServer(data) as feed:
        client.post(reverse("meetings:availability"), hours_form(time_zone="Europe/Berlin", ics_feed_url=feed.url))
        make_busy_block(
            membership=personas.rep,
            start=timezone.now() + timedelta(days=3),
            end=timezone.now() + timedelta(days=3, hours=1),
        )
        response = client.post(reverse("meetings:ics_import"))
        # Importing again replaces the feed's blocks instead of adding to them.
        client.post(reverse("meetings:ics_import"))

    assert response.status_code == 302 and feed.requests == 2
    imported = BusyBlock.objects.get(source="ics")
    assert imported.summary == "Offsite" and imported.start.astimezone(BERLIN).hour == 10
    assert BusyBlock.objects.filter(source="manual").count() == 1
    availability = Availability.objects.get()
    assert availability.ics_imported_at is not None and availability.ics_error == ""
    assert AuditEvent.objects.filter(verb="availability.feed_imported").count() == 2
    page = client.get(reverse("meetings:availability")).content.decode()
    assert "Offsite" in page and "Imported 1 busy times" in page


def test_a_feed_that_fails_keeps_the_reason_for_its_owner(personas, settings):
    settings.SALESOPS_ICS_ALLOW_PRIVATE_HOSTS = True
    client = personas.client_for(personas.rep)
    with FeedServer(b"not found", status=404) as feed:
        client.post(reverse("meetings:availability"), hours_form(ics_feed_url=feed.url))
        response = client.post(reverse("meetings:ics_import"), follow=True)
    assert "The calendar feed answered HTTP 404." in response.content.decode()
    assert Availability.objects.get().ics_error == "The calendar feed answered HTTP 404."
    assert not BusyBlock.objects.exists()
