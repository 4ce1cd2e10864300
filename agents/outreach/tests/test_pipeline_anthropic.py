"""The pipeline over the real Anthropic SDK, talking HTTP to a local fake Messages API."""

import pytest

from agents.delivery.models import OutboundMessage
from agents.llm.offline import _registry
from agents.models import AgentRun, AgentStep, Handoff, ModelBudget
from agents.outreach.pipeline import lead_pipeline_run
from agents.tests.factories import make_lead

pytestmark = pytest.mark.django_db


# The task of a request, from its prompt: the verifier's model call is its sentence check.
TASK_OF_PROMPT = {
    "You are the research agent": "research",
    "You are the qualification agent": "qualify",
    "You are the writing agent": "write",
    "You are the verification agent": "verify_sentences",
}


def _task_of(body) -> str:
    system = body["system"]
    first = system[0]["text"] if isinstance(system, list) else system
    return next(task for prefix, task in TASK_OF_PROMPT.items() if first.startswith(prefix))


def _replay_offline_agents(provider, fake, *, answer_for=None) -> None:
    """The fake answers each request as the offline agent would (it sees the same input through the
    request), or with `answer_for(task, offline_answer)` when given."""
    captured = {}
    original = provider.complete

    def complete(request, *, budget=None):
        captured[request.task] = request.offline_input
        return original(request, budget=budget)

    def respond(body):
        task = _task_of(body)
        answer = _registry[task](captured[task]).model_dump(mode="json")
        return answer_for(task, answer) if answer_for else answer

    provider.complete = complete
    fake.responder = respond


def test_a_lead_runs_through_the_real_sdk_with_usage_and_cost_recorded(personas, anthropic_provider, fake_anthropic):
    lead = make_lead(workspace=personas.workspace, autonomy="autonomous", confidence_threshold=0.5)
    _replay_offline_agents(anthropic_provider, fake_anthropic)
    run = lead_pipeline_run(run_id=lead.run.pk, provider=anthropic_provider)
    assert run.outcome == AgentRun.Outcome.QUEUED, run.error
    steps = AgentStep.objects.filter(run=run).exclude(agent="route")
    assert steps.count() == 4
    for step in steps:
        assert step.provider == "anthropic"
        assert step.input_tokens > 0 and step.output_tokens > 0
        assert step.cost_usd > 0 and step.request_id
    # The stable prefix (prompt + strategy) is marked for caching on every call; what is particular to
    # the lead follows in a delimited data block (the verifier's holds the draft's sentences).
    for request in fake_anthropic.message_requests:
        assert request.body["system"][-1]["cache_control"] == {"type": "ephemeral"}
        assert request.body["messages"][0]["content"][0]["text"].startswith(("<lead_data>", "<draft_sentences>"))
    assert OutboundMessage.objects.filter(contact=lead.contact).exists()


def test_a_model_that_stays_unavailable_lands_in_the_inbox_as_an_exception(
    personas, anthropic_provider, fake_anthropic
):
    lead = make_lead(workspace=personas.workspace)
    fake_anthropic.fail(529, times=10)
    run = lead_pipeline_run(run_id=lead.run.pk, provider=anthropic_provider)
    handoff = Handoff.objects.get(run=run)
    assert handoff.kind == Handoff.Kind.EXCEPTION
    assert "LLMUnavailable" in handoff.reason
    failed_step = AgentStep.objects.get(run=run)
    assert failed_step.agent == "research" and "LLMUnavailable" in failed_step.error


def test_invalid_model_output_is_an_error_never_a_guess(personas, anthropic_provider, fake_anthropic):
    lead = make_lead(workspace=personas.workspace)
    fake_anthropic.reply({"brief": "no ranking here"})
    run = lead_pipeline_run(run_id=lead.run.pk, provider=anthropic_provider)
    assert run.status == AgentRun.Status.WAITING and run.brief is None
    assert "LLMInvalidOutput" in Handoff.objects.get(run=run).reason


def test_past_the_monthly_budget_agents_stop_and_one_exception_says_why(personas, anthropic_provider, fake_anthropic):
    ModelBudget.objects.create(workspace=personas.workspace, monthly_limit_usd=0)
    first = make_lead(workspace=personas.workspace)
    second = make_lead(workspace=personas.workspace, campaign=first.campaign)
    for lead in (first, second):
        run = lead_pipeline_run(run_id=lead.run.pk, provider=anthropic_provider)
        assert run.status == AgentRun.Status.FAILED
    assert fake_anthropic.message_requests == []
    handoff = Handoff.objects.get(kind=Handoff.Kind.EXCEPTION)
    assert "model budget" in handoff.reason and "is spent" in handoff.reason


def test_a_sentence_the_model_finds_unsupported_blocks_the_draft_and_the_verify_step_records_it(
    personas, anthropic_provider, fake_anthropic
):
    lead = make_lead(workspace=personas.workspace, autonomy="autonomous", confidence_threshold=0.5)

    def subject_unsupported(task, answer):
        if task == "verify_sentences":  # the subject is sentence 0
            answer["sentences"][0].update(verdict="unsupported", fact_type="event", reason="No source says so.")
        return answer

    _replay_offline_agents(anthropic_provider, fake_anthropic, answer_for=subject_unsupported)
    run = lead_pipeline_run(run_id=lead.run.pk, provider=anthropic_provider)

    assert run.outcome != AgentRun.Outcome.QUEUED
    assert not OutboundMessage.objects.filter(contact=lead.contact).exists()
    subject = run.draft["subject"]
    assert {"kind": "unsupported_fact", "span": subject, "fact_type": "event"}.items() <= next(
        finding for finding in run.verification["findings"] if finding["kind"] == "unsupported_fact"
    ).items()
    # The verify steps (the draft and its one rewrite) record the merged findings and the model's cost.
    verify_steps = AgentStep.objects.filter(run=run, agent="verify")
    assert verify_steps.count() == 2
    for step in verify_steps:
        assert step.decision == "fail" and step.provider == "anthropic" and step.cost_usd > 0
        assert "unsupported_fact" in [finding["kind"] for finding in step.output["findings"]]


def test_a_failed_sentence_check_lands_in_the_inbox_as_an_exception_with_the_verify_step_recorded(
    personas, anthropic_provider, fake_anthropic
):
    lead = make_lead(workspace=personas.workspace, autonomy="autonomous", confidence_threshold=0.5)

    def invalid_verdicts(task, answer):
        return {"sentences": [{"index": 0, "verdict": "fine"}]} if task == "verify_sentences" else answer

    _replay_offline_agents(anthropic_provider, fake_anthropic, answer_for=invalid_verdicts)
    run = lead_pipeline_run(run_id=lead.run.pk, provider=anthropic_provider)

    handoff = Handoff.objects.get(run=run)
    assert handoff.kind == Handoff.Kind.EXCEPTION and "LLMInvalidOutput" in handoff.reason
    assert run.outcome == AgentRun.Outcome.EXCEPTION and run.verification is None
    failed_step = AgentStep.objects.get(run=run, agent="verify")
    assert "LLMInvalidOutput" in failed_step.error and failed_step.cost_usd > 0
    assert not OutboundMessage.objects.filter(contact=lead.contact).exists()
