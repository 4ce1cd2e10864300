"""The admins' audit timeline: agent steps and people's actions, filtered, paged, opened and exported."""

import csv
import io
import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from agents.insights.tests.support import demo_story
from agents.insights.timeline import Filters, csv_safe, timeline_page
from agents.models import AgentStep, Handoff
from salesops.audit import audit_record
from salesops.models import AuditEvent

pytestmark = pytest.mark.django_db


@pytest.fixture
def story(django_capture_on_commit_callbacks):
    return demo_story(django_capture_on_commit_callbacks)


def _client(membership):
    from django.test import Client

    client = Client()
    client.force_login(membership.user)
    return client


def _all_pages(workspace, filters, limit):
    seen, cursor = [], None
    while True:
        page, cursor = timeline_page(workspace=workspace, filters=filters, cursor=cursor, limit=limit)
        seen += [(entry.source, entry.pk) for entry in page]
        if cursor is None:
            return seen


def test_keyset_pages_merge_steps_and_actions_without_gaps_or_repeats(story):
    everything = _all_pages(story.workspace, Filters(), limit=7)
    steps = AgentStep.objects.filter(workspace=story.workspace).count()
    events = AuditEvent.objects.filter(workspace=story.workspace).count()
    assert len(everything) == len(set(everything)) == steps + events
    assert everything == _all_pages(story.workspace, Filters(), limit=1000)


def test_filters_by_agent_campaign_contact_actor_and_verb(story):
    ws = story.workspace
    writes = _all_pages(ws, Filters(agent="write"), limit=50)
    assert {source for source, _ in writes} == {0}
    assert len(writes) == AgentStep.objects.filter(workspace=ws, agent="write").count()

    edited = Handoff.objects.get(campaign=story.campaign, decision="edited")
    about_contact = _all_pages(ws, Filters(contact_id=edited.contact_id), limit=50)
    event_ids = {pk for source, pk in about_contact if source == 1}
    assert AuditEvent.objects.get(verb="handoff.edited").pk in event_ids
    assert AuditEvent.objects.filter(pk__in=event_ids).exclude(target_id__in=[str(edited.pk), str(edited.contact_id)])
    step_ids = {pk for source, pk in about_contact if source == 0}
    assert step_ids == set(AgentStep.objects.filter(run__contact_id=edited.contact_id).values_list("pk", flat=True))

    by_person = _all_pages(ws, Filters(actor="manager@demo.test"), limit=50)
    assert by_person and {source for source, _ in by_person} == {1}
    rejected = _all_pages(ws, Filters(verb="handoff.rejected"), limit=50)
    assert len(rejected) == 1

    in_campaign = _all_pages(ws, Filters(campaign_id=story.campaign.pk), limit=50)
    assert (
        len([1 for source, _ in in_campaign if source == 0])
        == AgentStep.objects.filter(run__campaign=story.campaign).count()
    )


def test_the_page_filters_and_opens_a_step_and_an_edited_draft_as_a_diff(story):
    client = _client(story.admin)
    page = client.get(reverse("insights:timeline"), {"agent": "route"})
    assert page.status_code == 200
    assert "step.route" in page.text and "handoff.rejected" not in page.text
    assert 'action="/audit/verify/"' in page.text  # verify the chain from the page

    step = AgentStep.objects.filter(workspace=story.workspace, agent="write").first()
    detail = client.get(reverse("insights:step_detail", args=[step.pk]), headers={"HX-Request": "true"})
    assert step.model_label in detail.text and step.prompt_label in detail.text and "Input" in detail.text
    assert "Offline rules" in detail.text
    assert "<html" not in detail.text

    event = AuditEvent.objects.get(workspace=story.workspace, verb="handoff.edited")
    diff = client.get(reverse("insights:event_detail", args=[event.pk])).text
    assert "<del>- " in diff and "<ins>+ Hello " in diff


def test_verifying_from_the_timeline_comes_back_to_it(story):
    response = _client(story.admin).post(reverse("audit_verify"), {"next": reverse("insights:timeline")}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("insights:timeline")
    assert "The audit chain is intact" in response.text


def test_a_contacts_page_shows_its_whole_history(story):
    edited = Handoff.objects.get(campaign=story.campaign, decision="edited")
    page = _client(story.admin).get(reverse("insights:contact_history", args=[edited.contact_id]))
    assert "handoff.edited" in page.text and "step.write" in page.text and "outbound.queued" in page.text


def test_the_timeline_runs_the_same_queries_whatever_the_size(story):
    client = _client(story.admin)
    url = reverse("insights:timeline")
    with CaptureQueriesContext(connection) as small:
        client.get(url, {"campaign": story.campaign.pk})
    for _ in range(60):
        audit_record(workspace=story.workspace, verb="campaign.noted", actor="system", target=story.campaign)
    with CaptureQueriesContext(connection) as large:
        client.get(url, {"campaign": story.campaign.pk})
    assert len(small) == len(large) <= 8  # session, membership (2-3), campaign choices, steps, events


def test_csv_export_escapes_formulas_and_jsonl_streams_every_entry(story):
    audit_record(workspace=story.workspace, verb="note.added", actor='=HYPERLINK("http://evil")', after={"x": "+1"})
    client = _client(story.admin)
    response = client.get(reverse("insights:timeline_export_csv"), {"verb": "note"})
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0][:5] == ["time", "source", "id", "actor", "verb"]
    assert rows[1][3] == '\'=HYPERLINK("http://evil")'
    assert csv_safe("-2+3") == "'-2+3" and csv_safe("@SUM(A1)") == "'@SUM(A1)" and csv_safe("plain") == "plain"

    lines = b"".join(client.get(reverse("insights:timeline_export_jsonl")).streaming_content).decode().splitlines()
    total = AgentStep.objects.filter(workspace=story.workspace).count()
    total += AuditEvent.objects.filter(workspace=story.workspace).count()
    assert len(lines) == total
    first_step = next(json.loads(line) for line in lines if json.loads(line)["source"] == "agent_step")
    assert "input" in first_step["detail"] and first_step["model"]
