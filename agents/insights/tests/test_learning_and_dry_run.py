"""Managers try policy changes on the last 30 days of drafts before saving them."""

from collections import Counter

import pytest
from django.urls import reverse

from agents.insights.tests.support import demo_story
from agents.models import AgentStep
from campaigns.models import Campaign

pytestmark = pytest.mark.django_db


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
