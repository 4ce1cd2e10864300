"""The home dashboard draws each goal's burn-up, emails and replies a day and the inbox's age, and
every number is recounted here from the raw rows."""

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from agents.conversations.models import InboundMessage
from agents.delivery.models import OutboundMessage
from agents.delivery.tests.support import make_mailbox
from agents.insights import charts
from agents.insights.tests.support import demo_story
from agents.meetings.models import Meeting
from agents.meetings.tests.factories import make_meeting
from agents.models import Handoff
from campaigns.tests.factories import make_campaign, make_contact

pytestmark = pytest.mark.django_db


class Rows:
    """A workspace with two goals, a month and more of sending and replies, and an inbox of every age."""

    def __init__(self, personas, *, scale: int = 1, suffix: str = ""):
        self.personas = personas
        workspace = personas.workspace
        self.now = timezone.now()
        today = timezone.localdate(self.now)
        self.first = make_campaign(
            workspace=workspace,
            name="Series B founders" + suffix,
            goal_target=6,
            goal_start=today - timedelta(days=20),
            goal_end=today + timedelta(days=10),
        )
        self.second = make_campaign(
            workspace=workspace,
            name="Logistics" + suffix,
            goal_target=3,
            goal_start=today - timedelta(days=60),
            goal_end=today + timedelta(days=30),
        )
        self.no_goal = make_campaign(workspace=workspace, name="No goal yet" + suffix, goal_target=0)
        mailbox = make_mailbox(workspace=workspace, campaigns=[self.first, self.second])
        number = 0
        # Meetings held on different days (each booked a week before); a cancelled one, a held one not
        # qualified and one still ahead do not count.
        for campaign, ages, status, qualified in [
            (self.first, [25, 15, 15, 3, 0], "held", True),
            (self.first, [5], "cancelled", False),
            (self.first, [4], "held", False),
            (self.first, [-2], "booked", False),
            (self.second, [45, 10], "held", True),
        ]:
            for age in ages * scale:
                number += 1
                meeting = make_meeting(
                    membership=personas.rep,
                    contact=make_contact(workspace=workspace),
                    campaign=campaign,
                    # Each rep's meetings may not overlap: hours of their own per meeting and per call.
                    start=self.now - timedelta(days=age, hours=2 * number + (1 if suffix else 0)),
                    status=status,
                    qualified=qualified,
                )
                Meeting.objects.filter(pk=meeting.pk).update(created_at=meeting.start - timedelta(days=7))
        # Emails: sent over 40 days (the first ten fall outside the chart), some never sent.
        contact = make_contact(workspace=workspace)
        for index in range(45 * scale):
            OutboundMessage.objects.create(
                workspace=workspace,
                campaign=self.first if index % 2 else self.second,
                contact=contact,
                mailbox=mailbox,
                subject="Hello",
                body_text="Hi",
                idempotency_key=f"chart{suffix}-{index}",
                status="sent" if index % 5 else "failed",
                sent_at=self.now - timedelta(days=index % 40, hours=index % 3),
            )
        for index in range(12 * scale):
            InboundMessage.objects.create(
                workspace=workspace,
                channel="simulator",
                raw=b"x",
                size_bytes=1,
                dedupe_key=f"chart-reply{suffix}-{index}",
                contact=contact if index % 4 else None,  # unmatched mail is not a reply
                received_at=self.now - timedelta(days=index * 3),
            )
        # The inbox: open items of every age, snoozed ones (one woken up), resolved ones.
        for hours in [1, 30, 50, 80, 100, 200, 300, 400] * scale:
            self._handoff(hours=hours)
        self._handoff(hours=90, status="snoozed", snoozed_until=self.now - timedelta(hours=1))
        self._handoff(hours=90, status="snoozed", snoozed_until=self.now + timedelta(days=1))
        self._handoff(hours=5, status="resolved", decision="approved")
        # Another workspace's rows never count.
        other = make_campaign(workspace=personas.outsider.workspace)
        Handoff.objects.create(workspace=other.workspace, campaign=other, kind="exception", reason="x")

    def _handoff(self, *, hours, **fields):
        handoff = Handoff.objects.create(
            workspace=self.personas.workspace, campaign=self.first, kind="draft_review", reason="review", **fields
        )
        Handoff.objects.filter(pk=handoff.pk).update(created_at=self.now - timedelta(hours=hours))


@pytest.fixture
def rows(personas):
    return Rows(personas)


def _overview(personas, membership=None):
    return personas.client_for(membership or personas.rep).get(reverse("insights:overview"))


def test_each_goal_burns_up_to_its_qualified_meetings(personas, rows):
    response = _overview(personas)
    overview = response.context["overview"]
    assert [s.campaign.name for s in overview.burnups] == ["Logistics", "Series B founders"]
    for summary in overview.burnups:
        meetings = [m for m in Meeting.objects.filter(campaign=summary.campaign) if m.qualified and m.status == "held"]
        for day, cumulative in summary.goal.points:
            # A meeting counts from the day it was held, not the day it was booked.
            assert cumulative == len([m for m in meetings if timezone.localdate(m.start) <= day])
        assert summary.goal.points[-1] == (timezone.localdate(), summary.goal.qualified)
    first = next(s for s in overview.burnups if s.campaign == rows.first)
    assert first.goal.qualified == 5
    assert first.goal.points[0][1] == 1  # held before the period started: counted from the start
    assert f'aria-labelledby="chart-burnup-{rows.first.pk}-t chart-burnup-{rows.first.pk}-d"' in response.text
    assert "Series B founders: qualified meetings against the target" in response.text
    assert f'id="burnup-{rows.no_goal.pk}"' not in response.text


def test_emails_sent_and_replies_a_day_match_the_rows(personas, rows):
    activity = _overview(personas).context["overview"].activity
    today = timezone.localdate()
    assert activity.days == [today - timedelta(days=offset) for offset in range(29, -1, -1)]
    sent_days = [
        timezone.localdate(m.sent_at)
        for m in OutboundMessage.objects.filter(workspace=personas.workspace, status="sent")
    ]
    reply_days = [
        timezone.localdate(r.received_at)
        for r in InboundMessage.objects.filter(workspace=personas.workspace)
        if r.contact_id is not None
    ]
    assert activity.sent == [sent_days.count(day) for day in activity.days]
    assert activity.replies == [reply_days.count(day) for day in activity.days]
    assert sum(activity.sent) > 0 and sum(activity.replies) > 0
    assert sum(activity.sent) < len(sent_days)  # the older ones are outside the window
    busiest = max(activity.days, key=lambda day: (sent_days.count(day) + reply_days.count(day), day))
    assert activity.busiest_day == busiest


def test_the_activity_totals_sit_beside_the_chart(personas, rows):
    response = _overview(personas)
    activity = response.context["overview"].activity
    totals = response.text.split('id="activity-totals"')[1].split("</table>")[0]
    assert re.findall(r"<td>(\d+)</td>", totals) == [str(activity.total_sent), str(activity.total_replies)]
    days = response.text.split('id="activity"')[1].split("</table>")[0]
    assert days.count("<tr>") == 31  # a header and thirty days


def test_the_inbox_age_counts_what_waits_by_how_long(personas, rows):
    response = _overview(personas)
    now = timezone.now()
    waiting = [
        h
        for h in Handoff.objects.filter(workspace=personas.workspace)
        if h.status == "open" or (h.status == "snoozed" and h.snoozed_until <= now)
    ]
    ages = [(now - h.created_at).total_seconds() / 86400 for h in waiting]
    bounds = [(0, 1), (1, 3), (3, 7), (7, 14), (14, 10_000)]
    expected = [len([age for age in ages if low <= age < high]) for low, high in bounds]
    assert [count for _, count in response.context["overview"].inbox_age] == expected == [1, 2, 3, 2, 1]
    table = response.text.split('id="inbox-age"')[1].split("</table>")[0]
    assert re.findall(r"<td>(\d+)</td>", table) == [str(count) for count in expected]


def test_the_charts_are_accessible_svg_without_inline_styles(personas, rows):
    response = _overview(personas)
    svgs = re.findall(r"<svg.*?</svg>", response.text, flags=re.S)
    assert len(svgs) == 4  # two burn-ups, activity, inbox age
    ids = []
    for svg in svgs:
        assert 'role="img"' in svg and "<title id=" in svg and "<desc id=" in svg
        ids += re.findall(r' id="([^"]+)"', svg)
    assert len(ids) == len(set(ids)), "every chart's title and description have their own ids"
    assert "style=" not in response.text.split("<main")[1]
    assert "<script" not in "".join(svgs)


def test_the_activity_chart_describes_its_totals():
    today = timezone.localdate()
    days = [today - timedelta(days=2), today - timedelta(days=1), today]
    svg = charts.daily_series(
        title="Emails", days=days, series=[("sent", "actual", [3, 0, 4]), ("replies", "target", [0, 1, 0])]
    )
    assert "sent: 7 in all, at most 4 a day; replies: 1 in all, at most 1 a day" in svg
    assert svg.count('<circle class="marker-actual"') == 3 and svg.count('class="marker-square"') == 3
    assert "sent: 4</text>" in svg and "replies: 0</text>" in svg


def test_the_overview_runs_a_constant_number_of_queries(personas):
    Rows(personas)
    client = personas.client_for(personas.rep)
    client.get(reverse("insights:overview"))
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("insights:overview"))
    Rows(personas, scale=3, suffix=" again")
    with CaptureQueriesContext(connection) as many:
        client.get(reverse("insights:overview"))
    # session, user, membership + workspace; campaigns, the goals' facts (qualified meetings, leads
    # contacted, mailbox links, mailboxes, steps), emails sent, cost, burn-ups, emails a day, replies a day,
    # inbox age; the other memberships for the workspace switch.
    assert len(few) == len(many) == 16, [query["sql"] for query in many]


def test_the_demo_story_draws_its_emails_and_replies(django_capture_on_commit_callbacks):
    story = demo_story(django_capture_on_commit_callbacks)
    from django.test import Client

    client = Client()
    client.force_login(story.rep.user)
    overview = client.get(reverse("insights:overview")).context["overview"]
    sent = OutboundMessage.objects.filter(workspace=story.workspace, status="sent")
    assert sum(overview.activity.sent) == sent.count() == 6
    assert sum(overview.activity.replies) == InboundMessage.objects.filter(workspace=story.workspace).count() == 3
    waiting = Handoff.objects.filter(workspace=story.workspace, status="open").count()
    assert sum(count for _, count in overview.inbox_age) == waiting > 0
