"""The Meetings page: reps see and mark their own meetings, managers and admins the workspace's;
qualified meetings count toward the campaign's goal."""

from datetime import timedelta

import pytest
from django.core import mail
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from agents.meetings import selectors
from agents.meetings.models import Meeting
from agents.meetings.tests.factories import make_meeting, make_prospect
from agents.outreach.planning import qualified_meetings_booked
from campaigns.tests.factories import make_campaign
from salesops.models import AuditEvent, Role
from salesops.tests.factories import make_membership, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def meetings(personas):
    """A past and an upcoming meeting of the rep, and one of another rep, in one campaign."""
    now = timezone.now().replace(second=0, microsecond=0)
    personas.campaign = make_campaign(workspace=personas.workspace)
    personas.other_rep = make_membership(
        workspace=personas.workspace, role=Role.REP, user=make_user(email="other@acme.test")
    )
    personas.past = make_meeting(
        membership=personas.rep,
        contact=make_prospect(workspace=personas.workspace, first_name="Paula", last_name="Past"),
        start=now - timedelta(days=1),
        campaign=personas.campaign,
    )
    personas.upcoming = make_meeting(
        membership=personas.rep,
        contact=make_prospect(workspace=personas.workspace, first_name="Uma", last_name="Upcoming"),
        start=now + timedelta(days=1),
        campaign=personas.campaign,
    )
    personas.others = make_meeting(
        membership=personas.other_rep,
        contact=make_prospect(workspace=personas.workspace, first_name="Otto", last_name="Other"),
        start=now + timedelta(days=2),
        campaign=personas.campaign,
    )
    return personas


def mark(client, meeting, **data):
    return client.post(reverse("meetings:meeting_mark", args=[meeting.pk]), data)


def test_a_rep_sees_only_their_own_meetings(meetings):
    client = meetings.client_for(meetings.rep)
    upcoming = client.get(reverse("meetings:meeting_list")).content.decode()
    assert "Uma Upcoming" in upcoming and "Otto Other" not in upcoming and "Paula Past" not in upcoming
    past = client.get(reverse("meetings:meeting_list") + "?when=past").content.decode()
    assert "Paula Past" in past and "Uma Upcoming" not in past


@pytest.mark.parametrize("persona", ["manager", "admin"])
def test_managers_and_admins_see_every_meeting_of_the_workspace(meetings, persona):
    page = meetings.client_for(getattr(meetings, persona)).get(reverse("meetings:meeting_list")).content.decode()
    assert "Uma Upcoming" in page and "Otto Other" in page and "other@acme.test" in page


def test_an_outsider_sees_none_of_the_workspaces_meetings(meetings):
    page = meetings.client_for(meetings.outsider).get(reverse("meetings:meeting_list")).content.decode()
    assert "Uma Upcoming" not in page and "Otto Other" not in page


def test_a_rep_marks_a_held_meeting_qualified_and_it_counts_toward_the_goal(meetings):
    client = meetings.client_for(meetings.rep)
    assert qualified_meetings_booked(meetings.campaign) == 0

    assert mark(client, meetings.past, status="held").status_code == 302
    assert mark(client, meetings.past, qualified="yes").status_code == 302

    meetings.past.refresh_from_db()
    assert (meetings.past.status, meetings.past.qualified) == ("held", True)
    assert qualified_meetings_booked(meetings.campaign) == 1
    events = AuditEvent.objects.filter(verb="meeting.marked", actor="rep@acme.test").order_by("sequence")
    assert [event.after for event in events] == [
        {"status": "held", "qualified": False},
        {"status": "held", "qualified": True},
    ]


def test_only_held_qualified_meetings_of_the_campaign_count(meetings):
    now = timezone.now()
    Meeting.objects.filter(pk=meetings.past.pk).update(status=Meeting.Status.HELD, qualified=True)
    make_meeting(membership=meetings.rep, start=now - timedelta(days=2), campaign=meetings.campaign, status="held")
    make_meeting(
        membership=meetings.rep,
        start=now - timedelta(days=3),
        campaign=make_campaign(workspace=meetings.workspace),
        status="held",
        qualified=True,
    )
    assert qualified_meetings_booked(meetings.campaign) == 1
    Meeting.objects.filter(pk=meetings.past.pk).update(status=Meeting.Status.NO_SHOW, qualified=False)
    assert qualified_meetings_booked(meetings.campaign) == 0


def test_a_meeting_still_ahead_cannot_be_marked_qualified_nor_counted(meetings):
    client = meetings.client_for(meetings.rep)
    response = client.post(
        reverse("meetings:meeting_mark", args=[meetings.upcoming.pk]),
        {"qualified": "yes"},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 400
    assert "has not taken place yet" in response.content.decode()
    meetings.upcoming.refresh_from_db()
    assert (meetings.upcoming.status, meetings.upcoming.qualified) == ("booked", False)
    assert qualified_meetings_booked(meetings.campaign) == 0
    assert not AuditEvent.objects.filter(verb="meeting.marked").exists()


def test_a_past_meeting_is_qualified_only_once_it_is_marked_held(meetings):
    client = meetings.client_for(meetings.rep)
    response = client.post(
        reverse("meetings:meeting_mark", args=[meetings.past.pk]), {"qualified": "yes"}, headers={"HX-Request": "true"}
    )
    assert response.status_code == 400
    assert "Mark the meeting held first" in response.content.decode()
    meetings.past.refresh_from_db()
    assert meetings.past.qualified is False
    # Held and qualified in one request is fine: the meeting is being marked held.
    assert mark(client, meetings.past, status="held", qualified="yes").status_code == 302
    meetings.past.refresh_from_db()
    assert (meetings.past.status, meetings.past.qualified) == ("held", True)
    assert qualified_meetings_booked(meetings.campaign) == 1


def test_the_page_offers_qualified_only_for_a_held_meeting(meetings):
    client = meetings.client_for(meetings.rep)
    upcoming = client.get(reverse("meetings:meeting_list")).content.decode()
    assert f'action="{reverse("meetings:meeting_mark", args=[meetings.upcoming.pk])}"' in upcoming
    assert 'name="qualified"' not in upcoming
    past = client.get(reverse("meetings:meeting_list") + "?when=past").content.decode()
    assert 'value="held"' in past and 'name="qualified"' not in past
    mark(client, meetings.past, status="held")
    past = client.get(reverse("meetings:meeting_list") + "?when=past").content.decode()
    assert 'name="qualified" value="yes"' in past


def test_the_database_refuses_a_qualified_meeting_that_was_not_held(meetings):
    for status in ["booked", "cancelled", "no_show"]:
        with pytest.raises(IntegrityError), transaction.atomic():
            Meeting.objects.filter(pk=meetings.past.pk).update(status=status, qualified=True)


def test_a_no_show_is_never_qualified(meetings):
    client = meetings.client_for(meetings.rep)
    mark(client, meetings.past, qualified="yes")
    mark(client, meetings.past, status="no_show")
    meetings.past.refresh_from_db()
    assert (meetings.past.status, meetings.past.qualified) == ("no_show", False)
    response = mark(client, meetings.past, qualified="yes")
    assert response.status_code == 302
    meetings.past.refresh_from_db()
    assert meetings.past.qualified is False
    assert qualified_meetings_booked(meetings.campaign) == 0


def test_a_meeting_that_has_not_started_cannot_be_marked_held(meetings):
    client = meetings.client_for(meetings.rep)
    response = client.post(
        reverse("meetings:meeting_mark", args=[meetings.upcoming.pk]),
        {"status": "held"},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 400
    assert "has not started yet" in response.content.decode()
    meetings.upcoming.refresh_from_db()
    assert meetings.upcoming.status == "booked"


def test_marking_with_htmx_answers_the_row_alone(meetings):
    client = meetings.client_for(meetings.rep)
    response = client.post(
        reverse("meetings:meeting_mark", args=[meetings.past.pk]), {"status": "held"}, headers={"HX-Request": "true"}
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert body.strip().startswith(f'<tr id="meeting-{meetings.past.pk}">') and "<html" not in body
    assert "Held" in body and 'value="no_show"' in body


def test_a_rep_cannot_mark_another_reps_meeting_but_a_manager_can(meetings):
    theirs = make_meeting(
        membership=meetings.other_rep, start=timezone.now() - timedelta(days=2), campaign=meetings.campaign
    )
    assert mark(meetings.client_for(meetings.rep), theirs, status="held", qualified="yes").status_code == 404
    assert mark(meetings.client_for(meetings.manager), theirs, status="held", qualified="yes").status_code == 302
    theirs.refresh_from_db()
    assert (theirs.status, theirs.qualified) == ("held", True)


def test_a_rep_cancels_an_upcoming_meeting_and_both_calendars_are_told(meetings, django_capture_on_commit_callbacks):
    client = meetings.client_for(meetings.rep)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("meetings:meeting_cancel", args=[meetings.upcoming.pk]))
    assert response.status_code == 302
    meetings.upcoming.refresh_from_db()
    assert meetings.upcoming.status == "cancelled"
    assert len(mail.outbox) == 2 and all(message.subject.startswith("Cancelled") for message in mail.outbox)
    assert AuditEvent.objects.filter(verb="meeting.cancelled", actor="rep@acme.test").exists()


def test_the_meetings_list_is_one_query(meetings, django_assert_num_queries):
    with django_assert_num_queries(1):  # meetings with rep, contact, account and campaign joined
        rows = list(selectors.meetings_list(membership=meetings.manager, when="upcoming", now=timezone.now()))
        names = [(row.rep.email, row.contact.account.name, row.campaign.name) for row in rows]
    assert len(names) == 2
