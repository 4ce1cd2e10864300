"""The orchestrator: one lead through research → qualify → write → verify → route.

Idempotent per (campaign, contact, step) and resumable: each stage's output is stored on the
AgentRun, so a run that crashed resumes at the first stage without output. Every stage records an
AgentStep; every failure ends as an exception handoff, never only in a log.
"""

import logging
import traceback
from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from agents.delivery.outbox import outbound_queue
from agents.handoffs import handoff_open, record_step
from agents.llm import BudgetExhausted, LLMError, get_provider
from agents.models import AgentRun, Handoff, TakeOver
from agents.outreach.budget import WorkspaceBudget
from agents.outreach.lead_facts import lead_of_run, strategy_for, verify_input_for
from agents.outreach.quarantine import quarantine_report
from agents.outreach.writer_examples import writer_examples
from agents.team import qualify as qualify_agent
from agents.team import research as research_agent
from agents.team import verifier as verifier_agent
from agents.team import writer as writer_agent
from agents.team.context import Strategy
from agents.team.router import RouteInput, RouteOutput, route

logger = logging.getLogger(__name__)

HANDOFF_KIND_FOR_DECISION = {
    "review": Handoff.Kind.DRAFT_REVIEW,
    "exception": Handoff.Kind.EXCEPTION,
    "person_owns": Handoff.Kind.ESCALATION,
    "escalation": Handoff.Kind.ESCALATION,
}


@dataclass
class PipelineTools:
    provider: object
    budget: WorkspaceBudget
    now: datetime


def _load_run(run_id: int) -> AgentRun:
    return AgentRun.objects.select_related(
        "campaign__workspace", "campaign__icp_version", "campaign__offer", "campaign__policy", "contact__account"
    ).get(pk=run_id)


def lead_pipeline_run(
    *, run_id: int, provider=None, strategy: Strategy | None = None, budget: "WorkspaceBudget | None" = None
) -> AgentRun:
    """Take one lead through the pipeline (or resume it). Safe to call twice: a finished run is left alone."""
    with transaction.atomic():
        claimed = AgentRun.objects.filter(
            pk=run_id, status__in=[AgentRun.Status.PENDING, AgentRun.Status.FAILED, AgentRun.Status.RUNNING]
        ).update(status=AgentRun.Status.RUNNING, updated_at=timezone.now())
    run = _load_run(run_id)
    if not claimed:
        return run
    if TakeOver.objects.filter(contact_id=run.contact_id).exists():
        run.status, run.outcome = AgentRun.Status.DONE, AgentRun.Outcome.PERSON_OWNS
        run.error = "A person has taken over this contact's conversation."
        run.save(update_fields=["status", "outcome", "error", "updated_at"])
        return run
    tools = PipelineTools(
        provider=provider or get_provider(), budget=budget or WorkspaceBudget(run.workspace_id), now=timezone.now()
    )
    try:
        _advance(run, tools, strategy or strategy_for(run.campaign))
    except BudgetExhausted as error:
        _fail(run, f"The workspace's monthly model budget is spent: {error.message}")
        month = tools.now.strftime("%Y-%m")
        handoff_open(
            run=None,
            workspace_id=run.workspace_id,
            kind=Handoff.Kind.EXCEPTION,
            reason=f"The model budget for {month} is spent, so the agents stopped. Raise the budget in "
            "Settings or wait for next month; stopped leads resume then.",
            dedupe_key=f"budget:{month}",
            campaign_id=run.campaign_id,
        )
    except LLMError as error:
        _fail(run, f"{type(error).__name__}: {error.message}")
        _exception_handoff(run, f"The model call failed after retries ({type(error).__name__}): {error.message}")
    except Exception as error:  # nothing may be lost: any failure becomes a handoff
        logger.exception("lead pipeline run %s failed", run_id)
        _fail(run, "".join(traceback.format_exception_only(error)).strip())
        _exception_handoff(run, f"The pipeline failed unexpectedly: {error}")
    return run


def _fail(run: AgentRun, message: str) -> None:
    run.status = AgentRun.Status.FAILED
    run.error = message[:2000]
    run.save(update_fields=["status", "error", "updated_at"])


def _exception_handoff(run: AgentRun, reason: str) -> None:
    handoff_open(
        run=run,
        workspace_id=run.workspace_id,
        kind=Handoff.Kind.EXCEPTION,
        reason=reason,
        proposal={"draft": run.draft, "brief": run.brief, "error": run.error},
        dedupe_key=f"run-failed:{run.pk}",
    )
    run.status = AgentRun.Status.WAITING
    run.outcome = AgentRun.Outcome.EXCEPTION
    run.save(update_fields=["status", "outcome", "updated_at"])


def _advance(run: AgentRun, tools: PipelineTools, strategy: Strategy) -> None:
    lead = lead_of_run(run, tools.now)
    agent_kwargs = {"provider": tools.provider, "budget": tools.budget}
    # Withheld data is reported before any agent runs: a person hears of it even if a later stage fails.
    quarantine_report(run=run, lead=lead)

    if run.brief is None:
        data = research_agent.ResearchInput(strategy=strategy, lead=lead)
        call = _call(run, "research", data, lambda: research_agent.research(data, **agent_kwargs))
        record_step(run, "research", data=data, call=call, confidence=call.output.confidence,
                    decision=f"chose {len(call.output.chosen_signal_ids)} signals")  # fmt: skip
        run.brief = call.output.model_dump(mode="json")
        run.save(update_fields=["brief", "updated_at"])
    # An answer run starts from an earlier run's brief, which may predate the quarantine of a signal.
    research_output = research_agent.without_withheld_signals(
        research_agent.ResearchOutput.model_validate(run.brief), lead
    )

    if run.qualification is None:
        data = qualify_agent.QualifyInput(strategy=strategy, lead=lead, research=research_output)
        call = _call(run, "qualify", data, lambda: qualify_agent.qualify(data, **agent_kwargs))
        record_step(run, "qualify", data=data, call=call, decision=call.output.verdict,
                    confidence=call.output.confidence)  # fmt: skip
        run.qualification = call.output.model_dump(mode="json")
        run.save(update_fields=["qualification", "updated_at"])
    qualification = qualify_agent.QualifyOutput.model_validate(run.qualification)

    # A lead that does not qualify is dropped unwritten; a prospect who replied still gets an answer
    # drafted, which a person decides on.
    if qualification.verdict == "disqualified" and run.inbound_message_id is None:
        _route(run, RouteInput(strategy=strategy, lead=lead, qualification=qualification))
        return

    verification = None
    if run.draft is None or run.verification is None:
        draft, verification = _write_and_verify(
            run, tools, strategy, lead, research_output, instruction=run.instruction, reply=run.reply_context
        )
    else:
        draft = writer_agent.WriteOutput.model_validate(run.draft)
        verification = verifier_agent.VerifyOutput.model_validate(run.verification)
    _route(
        run,
        RouteInput(
            strategy=strategy,
            lead=lead,
            qualification=qualification,
            verification=verification,
            draft_text=f"{draft.subject}\n{draft.body}",
            rewrites=run.rewrites,
            writer_note=draft.needs_person,
        ),
    )


def _call(run: AgentRun, agent: str, data, function):
    """Run one agent; a failed model call is recorded as a step before it propagates."""
    try:
        return function()
    except LLMError as error:
        record_step(run, agent, data=data, error=f"{type(error).__name__}: {error.message}", cost=error.cost_usd)
        raise


def _write_and_verify(run, tools, strategy, lead, research_output, *, instruction="", examples=(), reply=None):
    agent_kwargs = {"provider": tools.provider, "budget": tools.budget}
    # What people approved after editing, or rejected, in this campaign: the writer learns from it.
    if not examples:
        examples = writer_examples(campaign_id=run.campaign_id, step_position=run.step_position)
    findings: list = []
    while True:
        data = writer_agent.WriteInput(
            strategy=strategy,
            lead=lead,
            research=research_output,
            findings=findings,
            instruction=instruction,
            examples=list(examples),
            reply_text=(reply or {}).get("text", ""),
            reply_category=(reply or {}).get("category", ""),
            meeting_offer=(reply or {}).get("meeting_offer", ""),
        )
        call = _call(run, "write", data, lambda data=data: writer_agent.write(data, **agent_kwargs))
        record_step(run, "write", data=data, call=call, decision="rewrite" if findings else "draft")
        draft = call.output
        check = verify_input_for(run, strategy=strategy, lead=lead, draft=draft)
        verification, verify_call = _call(
            run, "verify", check, lambda check=check: verifier_agent.verify(check, **agent_kwargs)
        )
        record_step(run, "verify", data=check, call=verify_call, output=verification,
                    decision="pass" if verification.passed else "fail", confidence=verification.confidence)  # fmt: skip
        if (reply or {}).get("subject"):
            # An answer keeps the conversation's subject (verified when it first went out), whatever the
            # writer proposed: the prospect's mail client threads it, and nothing new is claimed in it.
            draft = draft.model_copy(update={"subject": reply["subject"]})
        run.draft = draft.model_dump(mode="json")
        run.verification = verification.model_dump(mode="json")
        run.save(update_fields=["draft", "verification", "updated_at"])
        injected = any(finding.kind == "prompt_injection" for finding in verification.findings)
        # A failed draft gets one rewrite with the findings; hostile data cannot be written around.
        if verification.passed or injected or run.rewrites >= 1:
            return draft, verification
        run.rewrites += 1
        run.save(update_fields=["rewrites", "updated_at"])
        findings = verification.findings


def _route(run: AgentRun, data: RouteInput) -> RouteOutput:
    decision = route(data)
    record_step(run, "route", data=data, output=decision, decision=decision.decision, confidence=decision.confidence)
    run.decision = decision.model_dump(mode="json")
    with transaction.atomic():
        if decision.decision == "drop":
            run.status, run.outcome = AgentRun.Status.DONE, AgentRun.Outcome.DROPPED
        elif decision.decision == "send":
            outbound_queue(run=run, sent_without_person=True)
            run.status, run.outcome = AgentRun.Status.DONE, AgentRun.Outcome.QUEUED
        else:
            handoff_open(
                run=run,
                workspace_id=run.workspace_id,
                kind=HANDOFF_KIND_FOR_DECISION[decision.decision],
                reason=decision.reason,
                confidence=decision.confidence,
                proposal={
                    "draft": run.draft,
                    "verification": run.verification,
                    "brief": run.brief,
                    "qualification": run.qualification,
                },
                dedupe_key=f"run:{run.pk}:{run.regenerations}:{run.rewrites}:{decision.decision}",
            )
            run.status = AgentRun.Status.WAITING
            run.outcome = {
                "exception": AgentRun.Outcome.EXCEPTION,
                "person_owns": AgentRun.Outcome.PERSON_OWNS,
            }.get(decision.decision, AgentRun.Outcome.REVIEW)
        run.save(update_fields=["decision", "status", "outcome", "updated_at"])
    return decision
