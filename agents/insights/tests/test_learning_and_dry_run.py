"""People teach the writer (their edits and rejections become examples), and managers try policy
changes on the last 30 days of drafts before saving them."""

from collections import Counter

import pytest
from django.urls import reverse
from django.utils import timezone

from agents.insights.selectors import writer_examples
from agents.insights.tests.support import demo_story
from agents.models import AgentStep, Handoff
from agents.pipeline import lead_pipeline_run
from agents.tests.factories import make_lead
from campaigns.models import Campaign

pytestmark = pytest.mark.django_db


def _decided(campaign, *, decision, body, final_body="", reason="", minutes_ago=0, step_position=1):
    lead = make_lead(workspace=campaign.workspace, campaign=campaign)
    lead.run.step_position = step_position
    lead.run.save(update_fields=["step_position"])
    return Handoff.objects.create(
        workspace=campaign.workspace,
        run=lead.run,
        campaign=campaign,
        contact=lead.contact,
        kind="draft_review",
        reason="review",
        proposal={"draft": {"subject": "Hi", "body": body}},
        status="resolved",
        decision=decision,
        reject_reason=reason,
        final_body=final_body,
        decided_at=timezone.now() - timezone.timedelta(minutes=minutes_ago),
    )


def test_approved_edits_and_reject_reasons_reach_the_writer_of_later_drafts(personas):
    first = make_lead(workspace=personas.workspace)
    campaign = first.campaign
    _decided(campaign, decision="edited", body="Dear sir, buy now.", final_body="Hi Mia, a short question.")
    _decided(campaign, decision="rejected", body="URGENT offer!!!", reason="tone")
    lead_pipeline_run(run_id=first.run.pk)
    write = AgentStep.objects.filter(run=first.run, agent="write").first()
    examples = write.input["examples"]
    assert len(examples) == 2
    assert "Hi Mia, a short question." in examples[1] or "Hi Mia, a short question." in examples[0]
    assert any("Tone" in example and "URGENT offer!!!" in example for example in examples)


def test_examples_are_bounded_and_the_same_step_and_most_recent_come_first(personas):
    campaign = make_lead(workspace=personas.workspace).campaign
    for number in range(8):
        _decided(campaign, decision="edited", body=f"Draft {number}", final_body=f"Better {number}",
                 minutes_ago=100 - number)  # fmt: skip
    _decided(campaign, decision="edited", body="Step two draft", final_body="Step two better", step_position=2,
             minutes_ago=500)  # fmt: skip
    _decided(campaign, decision="approved", body="Fine as is", minutes_ago=0)  # approvals as is teach nothing
    examples = writer_examples(campaign_id=campaign.pk, step_position=2)
    assert len(examples) == 5
    assert "Step two better" in examples[0]
    assert "Better 7" in examples[1] and "Better 6" in examples[2]
    other = make_lead(workspace=personas.workspace).campaign
    assert writer_examples(campaign_id=other.pk, step_position=1) == []


@pytest.fixture
def story(django_capture_on_commit_callbacks):
    return demo_story(django_capture_on_commit_callbacks)


def _recorded_routing(campaign):
    latest = {}
    for step in AgentStep.objects.filter(run__campaign=campaign, agent="route").order_by("created_at", "pk"):
        if step.input.get("verification"):
            latest[step.run_id] = step.decision
    return Counter(latest.values())


def test_a_dry_run_shows_the_routing_before_and_after_and_saves_nothing(story):
    from django.test import Client

    campaign, policy = story.campaign, story.campaign.policy
    recorded = _recorded_routing(campaign)
    assert recorded["send"] > 0
    client = Client()
    client.force_login(story.manager.user)
    url = reverse("insights:policy_dry_run", args=[campaign.pk])
    form = client.get(url)
    assert form.context["form"].initial["autonomy"] == campaign.autonomy
    response = client.post(
        url,
        {
            "autonomy": "review_all",
            "confidence_threshold": "0.80",
            "escalation_rules": "\n".join(policy.escalation_rules),
            "forbidden_phrases": "\n".join(policy.forbidden_phrases),
        },
        headers={"HX-Request": "true"},
    )
    result = response.context["result"]
    assert result.drafts == sum(recorded.values())
    assert result.before["send"] == recorded["send"]
    assert result.after["send"] == 0
    assert result.after["review"] == result.before["review"] + recorded["send"]
    assert result.changed_total == recorded["send"] == len(result.changes)
    assert '<tr data-decision="send"><th scope="row">send</th><td>' in response.text
    assert "<html" not in response.text  # the htmx preview is a fragment
    campaign.refresh_from_db()
    policy.refresh_from_db()
    assert campaign.autonomy == Campaign.Autonomy.REVIEW_LOW_CONFIDENCE


def test_a_new_forbidden_phrase_turns_the_drafts_using_it_into_exceptions(story):
    from agents.insights.dryrun import Proposal, policy_dry_run

    campaign, policy = story.campaign, story.campaign.policy
    sent_step = next(
        step
        for step in AgentStep.objects.filter(run__campaign=campaign, agent="route", decision="send").select_related(
            "run"
        )
    )
    word = sent_step.run.draft["body"].split("\n\n")[1].split()[2]  # a word of the draft's first paragraph
    proposal = Proposal(
        autonomy=campaign.autonomy,
        confidence_threshold=campaign.confidence_threshold,
        escalation_rules=policy.escalation_rules,
        forbidden_phrases=[*policy.forbidden_phrases, word],
    )
    result = policy_dry_run(campaign=campaign, proposal=proposal)
    assert result.after["exception"] > result.before["exception"]
    assert any(change.run_id == sent_step.run_id and change.after == "exception" for change in result.changes)
    policy.refresh_from_db()
    assert word not in policy.forbidden_phrases
