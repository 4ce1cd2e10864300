"""The dashboards tell the true story of the demo run: every number is recounted here from raw rows."""

import statistics

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from agents.conversations.models import InboundMessage
from agents.delivery.models import OutboundMessage
from agents.insights import selectors
from agents.insights.models import DraftEdit
from agents.insights.services import draft_similarity
from agents.insights.tests.support import demo_story
from agents.labels import finding_label
from agents.meetings.models import Meeting
from agents.models import AgentRun, AgentStep, Handoff
from agents.outreach.pipeline import lead_pipeline_run
from agents.tests.factories import make_lead

pytestmark = pytest.mark.django_db


@pytest.fixture
def story(django_capture_on_commit_callbacks):
    return demo_story(django_capture_on_commit_callbacks)


def _client(membership):
    from django.test import Client

    client = Client()
    client.force_login(membership.user)
    return client


def test_the_funnel_matches_the_raw_rows(story):
    campaign = story.campaign
    runs = [run for run in AgentRun.objects.filter(campaign=campaign) if run.inbound_message_id is None]
    sent = [m for m in OutboundMessage.objects.filter(campaign=campaign) if m.status == "sent"]
    replies = [r for r in InboundMessage.objects.all() if r.thread and r.thread.campaign_id == campaign.pk]
    meetings = list(Meeting.objects.filter(campaign=campaign))
    expected = {
        "leads": len({run.contact_id for run in runs}),
        "qualified_leads": len(
            {run.contact_id for run in runs if (run.qualification or {}).get("verdict") == "qualified"}
        ),
        "contacted": len({m.contact_id for m in sent}),
        "replied": len({r.contact_id for r in replies}),
        "positive": len({r.contact_id for r in replies if r.category == "interested"}),
        "booked": len([m for m in meetings if m.status != "cancelled"]),
        "held": len([m for m in meetings if m.status == "held"]),
        "qualified_meetings": len([m for m in meetings if m.qualified]),
    }
    dashboard = selectors.campaign_dashboard(campaign=campaign)
    assert {stage.key: stage.count for stage in dashboard.funnel} == expected
    assert expected == {
        "leads": 20,  # the first tick's 19 and the demo rep's blocked-edit lead
        "qualified_leads": expected["qualified_leads"],
        "contacted": 6,
        "replied": 3,
        "positive": 2,
        "booked": 2,
        "held": 1,
        "qualified_meetings": 1,
    }
    contacted = next(stage for stage in dashboard.funnel if stage.key == "contacted")
    assert contacted.conversion == pytest.approx(6 / expected["qualified_leads"])


def test_autonomy_quality_and_cost_match_the_raw_rows(story):
    campaign = story.campaign
    dashboard = selectors.campaign_dashboard(campaign=campaign)
    sent = list(OutboundMessage.objects.filter(campaign=campaign, status="sent"))
    assert dashboard.autonomy["sent"] == len(sent) == 6
    assert dashboard.autonomy["sent_alone"] == len([m for m in sent if m.sent_without_person])
    decided = list(
        Handoff.objects.filter(campaign=campaign, kind__in=["draft_review", "escalation"], status="resolved")
    )
    assert (dashboard.autonomy["approved"], dashboard.autonomy["edited"], dashboard.autonomy["rejected"]) == (1, 1, 1)
    assert dashboard.autonomy["decided"] == len(decided)
    median = statistics.median((h.decided_at - h.created_at).total_seconds() for h in decided)
    assert dashboard.autonomy["median_inbox_seconds"] == pytest.approx(median, abs=0.01)

    assert dashboard.quality["reject_reasons"] == [("Tone", 1)]
    findings: dict[str, int] = {}
    for step in AgentStep.objects.filter(run__campaign=campaign, agent="verify"):
        for finding in (step.output or {}).get("findings", []):
            label = finding_label(finding["kind"])  # shown under its label, not the verifier's code
            findings[label] = findings.get(label, 0) + 1
    assert dict(dashboard.quality["findings"]) == findings

    steps = list(AgentStep.objects.filter(run__campaign=campaign))
    total = sum(s.cost_usd for s in steps)
    tokens = sum(s.input_tokens + s.output_tokens + s.cache_read_tokens + s.cache_write_tokens for s in steps)
    assert dashboard.cost["cost"] == total
    assert dashboard.cost["tokens"] == tokens
    assert sum(row["steps"] for row in dashboard.cost["rows"]) == len(steps)
    assert {(row["agent"], row["model"]) for row in dashboard.cost["rows"]} == {(s.agent, s.model) for s in steps}
    assert dashboard.cost["per_sent"]["count"] == 6

    mailbox_row = next(row for row in dashboard.deliverability if row["sent"])
    assert (mailbox_row["sent"], mailbox_row["bounced"]) == (6, 1)
    assert mailbox_row["bounce_rate"] == pytest.approx(1 / 6)


def test_the_edit_trend_measures_how_much_people_changed_the_drafts(story):
    from agents.insights.services import draft_edits_refresh

    assert draft_edits_refresh(campaign=story.campaign) == 2  # the approved and the edited draft
    assert draft_edits_refresh(campaign=story.campaign) == 0  # measured once
    edited = Handoff.objects.get(campaign=story.campaign, decision="edited")
    measure = DraftEdit.objects.get(handoff=edited)
    assert measure.edited
    assert measure.similarity == pytest.approx(draft_similarity(edited.proposal["draft"]["body"], edited.final_body))
    assert 0.9 < measure.similarity < 1
    week = selectors.campaign_dashboard(campaign=story.campaign).quality["weeks"][-1]
    assert (week["decided"], week["edited"], week["edit_rate"]) == (2, 1, 0.5)


def test_the_campaign_page_shows_the_story_with_charts_and_their_tables(story):
    response = _client(story.manager).get(reverse("insights:campaign_dashboard", args=[story.campaign.pk]))
    assert response.status_code == 200
    page = response.text
    assert '<svg class="chart"' in page and "<script" not in page.split("<main", 1)[1]
    assert "Qualified meetings against the target" in page  # the burn-up, with its description
    assert '<tr data-stage="positive"><th scope="row">Positive replies</th><td>2</td>' in page
    assert "Tone" in page and "Edited, then approved" in page
    assert 'style="' not in page.split("<main", 1)[1]


def test_the_overview_lists_every_campaign_with_its_verdict(story):
    response = _client(story.rep).get(reverse("insights:overview"))
    assert response.status_code == 200
    [summary] = [s for s in response.context["summaries"] if s.campaign == story.campaign]
    assert summary.goal.qualified == 1 and summary.sent == 6
    assert summary.cost == sum(s.cost_usd for s in AgentStep.objects.filter(run__campaign=story.campaign))
    assert "as <strong>rep</strong>" in response.text


def test_the_old_dashboard_url_shows_the_overview(story):
    response = _client(story.rep).get(reverse("dashboard"))
    assert response.status_code == 200
    assert "Campaigns and their goals" in response.text


def test_the_campaign_dashboard_runs_the_same_queries_with_more_data(story, django_capture_on_commit_callbacks):
    client = _client(story.manager)
    url = reverse("insights:campaign_dashboard", args=[story.campaign.pk])
    client.get(url)  # fill the rollup
    with CaptureQueriesContext(connection) as before:
        client.get(url)
    for _ in range(3):
        lead_pipeline_run(run_id=make_lead(workspace=story.workspace, campaign=story.campaign).run.pk)
    client.get(url)
    with CaptureQueriesContext(connection) as after:
        client.get(url)
    assert len(before) == len(after)
    # Session and membership (3), the campaign, then 21 reads: leads, messages, replies, meetings, the
    # goal's facts (5: qualified meetings, leads contacted, mailbox links, mailboxes, steps), the burn-up,
    # decisions, median time, findings, reject reasons, weekly edits, deliverability (3), cost, the send
    # blockers (2: the campaign's mailboxes, today's counters); and the rollup's check for unmeasured drafts.
    assert len(after) <= 26


def test_the_audit_and_dashboard_pages_of_another_workspace_are_404(story, personas):
    client = personas.client_for(personas.outsider)
    assert client.get(reverse("insights:campaign_dashboard", args=[story.campaign.pk])).status_code == 404
