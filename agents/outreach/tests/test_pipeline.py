"""One lead through research → qualify → write → verify → route, offline."""

from datetime import timedelta

import pytest
from django.utils import timezone

from agents.delivery.models import OutboundMessage
from agents.llm import offline
from agents.models import AgentRun, AgentStep, Handoff, TakeOver
from agents.outreach.pipeline import lead_pipeline_run
from agents.team.writer import WriteOutput
from agents.tests.factories import make_answer_run, make_lead
from campaigns.tests.factories import make_icp_version, make_signal

pytestmark = pytest.mark.django_db


def _autonomous(personas, **fields):
    return make_lead(workspace=personas.workspace, autonomy="autonomous", confidence_threshold=0.5, **fields)


def test_a_good_lead_goes_to_the_outbox_with_every_step_recorded(personas):
    lead = _autonomous(personas)
    run = lead_pipeline_run(run_id=lead.run.pk)
    assert (run.status, run.outcome) == (AgentRun.Status.DONE, AgentRun.Outcome.QUEUED)
    message = OutboundMessage.objects.get(contact=lead.contact)
    assert message.sent_without_person
    assert "raised a $40M Series B" in message.body_text
    assert {"sources": [f"signal:{lead.signal.pk}"]}.items() <= message.claims[0].items()
    steps = list(AgentStep.objects.filter(run=run).order_by("pk"))
    assert [step.agent for step in steps] == ["research", "qualify", "write", "verify", "route"]
    assert all(step.prompt_version and step.input_digest for step in steps)
    assert steps[1].decision == "qualified"
    assert steps[4].decision == "send"
    assert "strategy" not in steps[0].input  # the campaign-wide part is not copied into every step
    lead.contact.refresh_from_db()
    assert lead.contact.status == "in_sequence"


def test_the_offline_research_brief_names_signal_kinds_in_words(personas):
    lead = _autonomous(personas)
    make_signal(workspace=personas.workspace, account=lead.contact.account, kind="job_change",
                title="A new head of sales", occurred_at=timezone.now() - timedelta(days=2))  # fmt: skip
    lead.campaign.icp_version = make_icp_version(
        workspace=personas.workspace, signal_weights={"funding": 8, "job_change": 5}
    )
    lead.campaign.save(update_fields=["icp_version"])
    run = lead_pipeline_run(run_id=lead.run.pk)
    brief = run.brief["brief"]
    assert "- Funding round: " in brief and "- Job change: A new head of sales" in brief
    assert "job_change" not in brief and "- funding:" not in brief
    assert [ranked["reason"].split(" weighs ")[0] for ranked in run.brief["ranked"]] == ["Funding round", "Job change"]


def test_a_lead_of_an_excluded_domain_is_dropped_and_never_contacted(personas):
    lead = _autonomous(personas)
    lead.campaign.icp_version.__class__.objects.filter(pk=lead.campaign.icp_version_id).update(
        excluded_domains=[lead.contact.account.domain]
    )
    run = lead_pipeline_run(run_id=lead.run.pk)
    assert run.outcome == AgentRun.Outcome.DROPPED
    assert not OutboundMessage.objects.exists()
    assert "exclusion list" in run.decision["reason"]
    assert list(AgentStep.objects.filter(run=run).order_by("pk").values_list("agent", flat=True)) == [
        "research",
        "qualify",
        "route",
    ]


def test_an_invented_claim_is_blocked_and_the_rewrite_drops_it(personas):
    # "Example" is us: the company of the offer's postal address (Example GmbH). That Globex is our
    # customer rests on the proof library, not on a signal's say-so.
    lead = _autonomous(
        personas, signal_fields={"title": "Partner news: Globex switched to Example", "text": "Globex switched."}
    )
    run = lead_pipeline_run(run_id=lead.run.pk)
    verifications = list(AgentStep.objects.filter(run=run, agent="verify").order_by("pk"))
    assert [step.decision for step in verifications] == ["fail", "pass"], [s.output["findings"] for s in verifications]
    assert verifications[0].output["findings"][0]["kind"] == "unsupported_customer"
    assert run.rewrites == 1
    assert "Globex" not in OutboundMessage.objects.get(contact=lead.contact).body_text


def test_a_draft_that_fails_twice_becomes_an_exception_with_its_findings(personas, monkeypatch):
    lead = _autonomous(personas)
    original = offline._registry["write"]

    def guarantees(data):
        draft = original(data)
        return WriteOutput(subject=draft.subject, body=draft.body + "\n\nWe guarantee results.", claims=draft.claims)

    monkeypatch.setitem(offline._registry, "write", guarantees)
    run = lead_pipeline_run(run_id=lead.run.pk)
    handoff = Handoff.objects.get(run=run)
    assert handoff.kind == Handoff.Kind.EXCEPTION
    assert "after a rewrite" in handoff.reason and "forbidden phrase" in handoff.reason
    assert handoff.proposal["verification"]["findings"][0]["span"] == "guarantee"


@pytest.mark.parametrize(
    "campaign_fields,account_fields,expected_kind,reason_part",
    [
        ({"autonomy": "review_all"}, {}, Handoff.Kind.DRAFT_REVIEW, "review every email"),
        ({"autonomy": "review_low_confidence", "confidence_threshold": 0.99}, {}, Handoff.Kind.DRAFT_REVIEW, "below"),
        ({"autonomy": "autonomous", "high_value_tiers": ["A"]}, {"tier": "A"}, Handoff.Kind.ESCALATION, "tier A"),
    ],
)
def test_the_router_hands_drafts_to_people_per_the_campaign(
    personas, campaign_fields, account_fields, expected_kind, reason_part
):
    lead = make_lead(workspace=personas.workspace, account_fields=account_fields, **campaign_fields)
    run = lead_pipeline_run(run_id=lead.run.pk)
    handoff = Handoff.objects.get(run=run)
    assert handoff.kind == expected_kind
    assert reason_part in handoff.reason
    assert handoff.proposal["draft"]["claims"]
    assert not OutboundMessage.objects.exists()
    assert run.status == AgentRun.Status.WAITING


def test_a_policy_escalation_rule_sends_the_lead_to_a_person(personas):
    lead = _autonomous(personas)
    lead.campaign.policy.escalation_rules = ["legal or procurement"]
    lead.campaign.policy.save()
    make_signal(workspace=personas.workspace, account=lead.contact.account, kind="news",
                title="New procurement process", text="All vendors now go through procurement.")  # fmt: skip
    run = lead_pipeline_run(run_id=lead.run.pk)
    assert Handoff.objects.get(run=run).reason == "The policy sends this to a person: 'legal or procurement'."


def test_running_a_finished_run_again_changes_nothing(personas):
    lead = _autonomous(personas)
    lead_pipeline_run(run_id=lead.run.pk)
    steps = AgentStep.objects.count()
    lead_pipeline_run(run_id=lead.run.pk)
    assert AgentStep.objects.count() == steps
    assert OutboundMessage.objects.count() == 1


def test_a_crashed_run_resumes_at_its_first_unfinished_stage(personas, monkeypatch):
    lead = _autonomous(personas)

    def crash(data):
        raise RuntimeError("worker killed")

    monkeypatch.setitem(offline._registry, "write", crash)
    run = lead_pipeline_run(run_id=lead.run.pk)
    assert run.status == AgentRun.Status.WAITING and run.brief and run.qualification
    assert Handoff.objects.get(run=run).kind == Handoff.Kind.EXCEPTION

    monkeypatch.undo()
    AgentRun.objects.filter(pk=run.pk).update(status=AgentRun.Status.FAILED)
    run = lead_pipeline_run(run_id=run.pk)
    assert run.outcome == AgentRun.Outcome.QUEUED
    agents = list(AgentStep.objects.filter(run=run).values_list("agent", flat=True))
    assert agents.count("research") == 1 and agents.count("qualify") == 1


def test_a_taken_over_contact_is_never_touched_by_an_agent(personas):
    lead = _autonomous(personas)
    TakeOver.objects.create(workspace=personas.workspace, contact=lead.contact, user=personas.rep.user)
    run = lead_pipeline_run(run_id=lead.run.pk)
    assert run.outcome == AgentRun.Outcome.PERSON_OWNS
    assert not AgentStep.objects.exists()
    assert not OutboundMessage.objects.exists()


def test_an_answer_run_is_qualified_like_any_lead_not_because_the_prospect_replied(personas):
    lead = make_answer_run(workspace=personas.workspace, autonomy="autonomous", confidence_threshold=0.5)
    run = lead_pipeline_run(run_id=lead.run.pk)
    qualify = AgentStep.objects.get(run=run, agent="qualify")
    assert qualify.decision == run.qualification["verdict"] == "qualified"
    assert "The prospect replied." not in run.qualification["reasons"]
    assert run.outcome == AgentRun.Outcome.QUEUED


def test_an_answer_to_a_lead_that_does_not_qualify_waits_for_a_person_with_its_draft(personas):
    lead = make_answer_run(workspace=personas.workspace, autonomy="autonomous", confidence_threshold=0.5)
    lead.campaign.icp_version.__class__.objects.filter(pk=lead.campaign.icp_version_id).update(
        excluded_domains=[lead.contact.account.domain]
    )
    run = lead_pipeline_run(run_id=lead.run.pk)
    assert run.qualification["verdict"] == "disqualified"
    assert (run.status, run.outcome) == (AgentRun.Status.WAITING, AgentRun.Outcome.REVIEW)
    handoff = Handoff.objects.get(run=run)
    assert handoff.kind == Handoff.Kind.DRAFT_REVIEW and "The prospect replied" in handoff.reason
    assert handoff.proposal["draft"]["body"].startswith("Hi Mia,")
    assert not OutboundMessage.objects.exists()
