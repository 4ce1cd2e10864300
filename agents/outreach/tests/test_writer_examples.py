"""People teach the writer: their edits and rejections become examples for later drafts."""

import pytest
from django.utils import timezone

from agents.models import AgentStep, Handoff
from agents.outreach.pipeline import lead_pipeline_run
from agents.outreach.writer_examples import writer_examples
from agents.tests.factories import make_lead

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
