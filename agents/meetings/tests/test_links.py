"""Signed links: a forged, tampered or expired link is refused with a page that says so, never a 500."""

import time
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from django.core import signing
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from agents.meetings import links
from agents.meetings.models import Meeting
from agents.meetings.tests.factories import make_availability, make_meeting, make_prospect

pytestmark = pytest.mark.django_db


@pytest.fixture
def prospect(personas):
    make_availability(membership=personas.rep)
    return make_prospect(workspace=personas.workspace, first_name="Mia")


def _token(url: str) -> str:
    return urlsplit(url).path.rstrip("/").split("/")[-1]


def test_a_valid_link_opens_the_booking_page(personas, prospect):
    token = links.booking_token(rep=personas.rep, contact=prospect)
    response = Client().get(reverse("booking:slots", args=[token]))
    assert response.status_code == 200 and "Hello Mia" in response.content.decode()


@pytest.mark.parametrize(
    "name", ["booking:slots", "booking:meeting", "booking:reschedule", "booking:cancel", "booking:ics"]
)
def test_a_forged_link_is_refused_with_a_clear_page(personas, prospect, name):
    response = Client().get(reverse(name, args=["eyJ3IjoxfQ:1tZ9Yk:forged-signature"]))
    assert response.status_code == 400
    page = response.content.decode()
    assert "This link can't be used" in page and "is not valid" in page


def test_a_tampered_link_is_refused_and_books_nothing(personas, prospect):
    token = links.booking_token(rep=personas.rep, contact=prospect)
    payload, _, signature = token.partition(":")
    other = make_prospect(workspace=personas.workspace)
    forged_payload = signing.dumps({"w": personas.workspace.pk, "r": personas.rep.pk, "c": other.pk, "p": None})
    tampered = forged_payload.partition(":")[0] + ":" + signature
    client = Client()
    assert client.get(reverse("booking:slots", args=[tampered])).status_code == 400
    response = client.post(reverse("booking:slots", args=[tampered]), {"slot": "2030-01-07T09:00Z"})
    assert response.status_code == 400
    assert not Meeting.objects.exists()


def test_a_link_signed_for_another_purpose_is_refused(personas, prospect):
    meeting = make_meeting(membership=personas.rep, contact=prospect, start=timezone.now() + timedelta(days=2))
    meeting_token = links.meeting_token(meeting)
    assert Client().get(reverse("booking:slots", args=[meeting_token])).status_code == 400
    booking_token = links.booking_token(rep=personas.rep, contact=prospect)
    assert Client().get(reverse("booking:cancel", args=[booking_token])).status_code == 400


def test_an_expired_booking_link_is_refused_as_expired(personas, prospect, monkeypatch):
    issued = time.time() - links.BOOKING_LINK_MAX_AGE.total_seconds() - 60
    with monkeypatch.context() as patch:
        patch.setattr(signing.time, "time", lambda: issued)
        url = links.booking_link(rep=personas.rep, contact=prospect)
    client = Client()
    response = client.get(urlsplit(url).path)
    assert response.status_code == 410
    assert "has expired" in response.content.decode()
    assert client.post(urlsplit(url).path, {"slot": "2030-01-07T09:00Z"}).status_code == 410
    assert not Meeting.objects.exists()


def test_a_fresh_link_still_works_thirteen_days_later(personas, prospect, monkeypatch):
    issued = time.time() - timedelta(days=13).total_seconds()
    with monkeypatch.context() as patch:
        patch.setattr(signing.time, "time", lambda: issued)
        url = links.booking_link(rep=personas.rep, contact=prospect)
    assert Client().get(urlsplit(url).path).status_code == 200


def test_a_link_whose_rep_left_the_workspace_no_longer_works(personas, prospect):
    url = links.booking_link(rep=personas.rep, contact=prospect)
    personas.rep.delete()
    response = Client().get(urlsplit(url).path)
    assert response.status_code == 400 and "no longer works" in response.content.decode()


def test_a_meeting_link_of_a_deleted_meeting_says_so(personas, prospect):
    meeting = make_meeting(membership=personas.rep, contact=prospect, start=timezone.now() + timedelta(days=2))
    url = links.meeting_link(meeting)
    meeting.delete()
    response = Client().get(urlsplit(url).path)
    assert response.status_code == 400 and "no longer exists" in response.content.decode()


def test_links_cannot_join_rows_of_two_workspaces(personas):
    stranger = make_prospect(workspace=personas.outsider.workspace)
    with pytest.raises(ValueError):
        links.booking_token(rep=personas.rep, contact=stranger)
