"""The prospect's booking and reschedule pages: a grid with a column per day of the prospect's zone,
each time a real button of one form, and the page speaks for the company that wrote to them."""

import re
from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from agents.meetings import links, selectors
from agents.meetings.models import Meeting
from agents.meetings.slots import Slot, slots_by_day
from agents.meetings.tests.factories import make_availability, make_meeting, make_prospect
from campaigns.tests.factories import make_campaign

pytestmark = pytest.mark.django_db


class GridReader(HTMLParser):
    """The columns of the booking grid as (date, heading, [(slot key, accessible name, text)])."""

    def __init__(self):
        super().__init__()
        self.columns, self.in_grid, self.in_heading, self.button = [], False, False, None
        self.grid_forms = 0

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and "slot-grid" in (attrs.get("class") or ""):
            self.in_grid, self.grid_forms = True, self.grid_forms + 1
            assert attrs.get("method") == "post"
        elif self.in_grid and tag == "section":
            self.columns.append([attrs["data-day"], "", []])
        elif self.in_grid and tag == "h2":
            self.in_heading = True
        elif self.in_grid and tag == "button":
            assert attrs.get("type") == "submit" and attrs.get("name") == "slot"
            self.button = [attrs["value"], attrs["aria-label"], ""]

    def handle_endtag(self, tag):
        if tag == "form":
            self.in_grid = False
        elif tag == "h2":
            self.in_heading = False
        elif tag == "button" and self.button:
            self.columns[-1][2].append(tuple(self.button))
            self.button = None

    def handle_data(self, data):
        if self.in_heading:
            self.columns[-1][1] += data.strip()
        elif self.button:
            self.button[2] += data.strip()


def grid_of(response) -> GridReader:
    reader = GridReader()
    reader.feed(response.content.decode())
    return reader


@pytest.fixture
def west_coast_rep(personas):
    """A rep in Los Angeles, 9 to 5: their afternoon is the evening in UTC and the next morning in Tokyo."""
    personas.rep.user.first_name, personas.rep.user.last_name = "Rita", "Rep"
    personas.rep.user.save()
    make_availability(membership=personas.rep, time_zone="America/Los_Angeles")
    personas.campaign = make_campaign(workspace=personas.workspace)
    personas.contact = make_prospect(
        workspace=personas.workspace, time_zone="Asia/Tokyo", first_name="Aiko", email="aiko@buyer.example"
    )
    personas.url = urlsplit(
        links.booking_link(rep=personas.rep, contact=personas.contact, campaign=personas.campaign)
    ).path
    return personas


def test_slots_are_grouped_by_the_local_day_of_the_zone_they_are_shown_in():
    evening_utc = datetime(2026, 12, 8, 23, 30, tzinfo=UTC)  # a Tuesday in UTC
    slots = [
        Slot(start=start, end=start + timedelta(minutes=30), time_zone="Asia/Tokyo")
        for start in (evening_utc - timedelta(hours=10), evening_utc)
    ]
    days = slots_by_day(slots)
    assert [(day.label, [slot.start_label for slot in day.slots]) for day in days] == [
        ("Tue 8 Dec", ["22:30"]),
        ("Wed 9 Dec", ["08:30"]),
    ]
    (utc_day,) = slots_by_day([slot.in_zone("UTC") for slot in slots])
    assert utc_day.label == "Tue 8 Dec"


def test_the_booking_grid_has_a_column_per_day_in_the_prospects_zone(west_coast_rep):
    response = Client().get(west_coast_rep.url)
    assert response.status_code == 200
    grid = grid_of(response)
    assert grid.grid_forms == 1  # one form, one CSRF token, every time a submit button of it
    assert len(grid.columns) >= 5
    tokyo = ZoneInfo("Asia/Tokyo")
    moved_to_the_next_day = 0
    for iso_day, heading, buttons in grid.columns:
        assert buttons
        assert re.fullmatch(r"(Mon|Tue|Wed|Thu|Fri|Sat|Sun) \d{1,2} [A-Z][a-z]{2}", heading)
        for key, name, text in buttons:
            local = datetime.strptime(key, "%Y-%m-%dT%H:%MZ").replace(tzinfo=UTC).astimezone(tokyo)
            assert local.date().isoformat() == iso_day
            assert text == f"{local:%H:%M}"
            assert name.startswith(f"{heading}, {local:%H:%M}–") and name.endswith("(Asia/Tokyo)")
            moved_to_the_next_day += key[:10] != iso_day
    # Los Angeles' afternoon (UTC evening) is on the next day's column in Tokyo.
    assert moved_to_the_next_day
    keys = [key for _, _, buttons in grid.columns for key, _, _ in buttons]
    assert keys == sorted(keys)
    page = response.content.decode()
    assert 'name="tz"' in page and '<option value="Asia/Tokyo" selected>' in page


def test_a_23_30_utc_slot_sits_in_the_next_days_column_for_tokyo(west_coast_rep):
    slots = selectors.open_slots_for(rep=west_coast_rep.rep, time_zone="UTC", now=timezone.now())
    late = next(slot for slot in slots if slot.start.hour == 23 and slot.start.minute == 30)
    grid = grid_of(Client().get(west_coast_rep.url, {"tz": "Asia/Tokyo"}))
    (column,) = [column for column in grid.columns if late.key in [key for key, _, _ in column[2]]]
    assert column[0] == (late.start.date() + timedelta(days=1)).isoformat()
    # The same slot in UTC sits on its own day.
    utc_grid = grid_of(Client().get(west_coast_rep.url, {"tz": "UTC", "all": "1"}))
    (utc_column,) = [column for column in utc_grid.columns if late.key in [key for key, _, _ in column[2]]]
    assert utc_column[0] == late.start.date().isoformat()


def test_changing_the_zone_in_the_query_string_redraws_the_grid_in_that_zone(west_coast_rep):
    response = Client().get(west_coast_rep.url, {"tz": "Europe/London", "all": "1"})
    page = response.content.decode()
    assert "Times are shown in Europe/London" in page
    assert '<option value="Europe/London" selected>' in page
    grid = grid_of(response)
    london = ZoneInfo("Europe/London")
    for iso_day, _, buttons in grid.columns:
        for key, name, _ in buttons:
            local = datetime.strptime(key, "%Y-%m-%dT%H:%MZ").replace(tzinfo=UTC).astimezone(london)
            assert local.date().isoformat() == iso_day and name.endswith("(Europe/London)")


def test_pressing_a_time_of_the_grid_books_it(west_coast_rep, django_capture_on_commit_callbacks):
    client = Client()
    grid = grid_of(client.get(west_coast_rep.url))
    key, _, _ = grid.columns[1][2][0]
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(west_coast_rep.url, {"slot": key, "tz": "Asia/Tokyo"})
    assert response.status_code == 302 and response["Location"].endswith("?done=booked")
    meeting = Meeting.objects.get(contact=west_coast_rep.contact)
    assert meeting.start.strftime("%Y-%m-%dT%H:%MZ") == key and meeting.time_zone == "Asia/Tokyo"


def test_rescheduling_shows_the_same_grid_and_moves_the_meeting(west_coast_rep, django_capture_on_commit_callbacks):
    meeting = make_meeting(
        membership=west_coast_rep.rep,
        contact=west_coast_rep.contact,
        start=selectors.open_slots_for(rep=west_coast_rep.rep, time_zone="UTC", now=timezone.now())[3].start,
        time_zone="Asia/Tokyo",
    )
    url = reverse("booking:reschedule", args=[links.meeting_token(meeting)])
    client = Client()
    response = client.get(url)
    assert "Move your meeting with Rita Rep of Acme Sales" in response.content.decode()
    grid = grid_of(response)
    assert grid.grid_forms == 1 and len(grid.columns) >= 5
    key, name, _ = grid.columns[2][2][0]
    assert name.endswith("(Asia/Tokyo)")
    with django_capture_on_commit_callbacks(execute=True):
        moved = client.post(url, {"slot": key, "tz": "Asia/Tokyo"})
    assert moved.status_code == 302 and moved["Location"].endswith("?done=rescheduled")
    meeting.refresh_from_db()
    assert meeting.start.strftime("%Y-%m-%dT%H:%MZ") == key


def _title_and_footer(page: str) -> tuple[str, str]:
    title = re.search(r"<title>(.*?)</title>", page, re.S).group(1)
    footer = re.search(r"<footer[^>]*>(.*?)</footer>", page, re.S).group(1)
    return title, footer


def test_the_booking_pages_speak_for_the_senders_company_and_show_none_of_the_app(
    west_coast_rep, django_capture_on_commit_callbacks
):
    client = Client()
    booking_page = client.get(west_coast_rep.url).content.decode()
    key = grid_of(client.get(west_coast_rep.url)).columns[0][2][0][0]
    with django_capture_on_commit_callbacks(execute=True):
        client.post(west_coast_rep.url, {"slot": key, "tz": "Asia/Tokyo"})
    token = links.meeting_token(Meeting.objects.get())
    pages = [
        booking_page,
        client.get(reverse("booking:meeting", args=[token])).content.decode(),
        client.get(reverse("booking:reschedule", args=[token])).content.decode(),
        client.get(reverse("booking:cancel", args=[token])).content.decode(),
    ]
    for page in pages:
        title, footer = _title_and_footer(page)
        assert "Acme Sales" in title and "Acme Sales" in footer
        assert "Acme Sales" in re.search(r"<h1>(.*?)</h1>", page, re.S).group(1)
        assert "salesops" not in page.lower()
        assert 'aria-label="Main"' not in page and reverse("account_logout") not in page
        assert 'rel="icon"' in page
