"""The orchestrator: one lead through research → qualify → write → verify → route.

Idempotent per (campaign, contact, step) and resumable: each stage's output is stored on the
AgentRun, so a run that crashed resumes at the first stage without output. Every stage records an
AgentStep; every failure ends as an exception handoff, never only in a log.
"""

import hashlib
import json
import logging
import threading
import traceback
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone

from agents import qualify as qualify_agent
from agents import research as research_agent
from agents import verifier as verifier_agent
from agents import writer as writer_agent
from agents.base import AgentCall
from agents.context import (
    AccountFacts,
    CampaignFacts,
    ContactFacts,
    IcpFacts,
    Lead,
    OfferFacts,
    PolicyFacts,
    ProofFact,
    SignalFact,
    StepFacts,
    Strategy,
)
from agents.insights.selectors import writer_examples
from agents.llm import BudgetExhausted, LLMError, get_provider
from agents.models import AgentRun, AgentStep, Handoff, ModelBudget, OutboundMessage, TakeOver
from agents.prompts import load_prompt
from agents.router import RouteInput, RouteOutput, route
from campaigns.models import Campaign, Contact, ProofPoint, Signal
from salesops.audit import audit_record

logger = logging.getLogger(__name__)

MAX_SIGNALS_PER_LEAD = 20
HANDOFF_KIND_FOR_DECISION = {
    "review": Handoff.Kind.DRAFT_REVIEW,
    "exception": Handoff.Kind.EXCEPTION,
    "person_owns": Handoff.Kind.ESCALATION,
    "escalation": Handoff.Kind.ESCALATION,
}
DRAFT_ACTIONS = ["approve", "edit", "reject", "regenerate", "take_over", "snooze", "assign"]
EXCEPTION_ACTIONS = ["edit", "regenerate", "take_over", "dismiss", "snooze", "assign"]


# Building the agents' typed picture from the database ---------------------------------------------


def strategy_for(campaign: Campaign) -> Strategy:
    icp, offer, policy = campaign.icp_version, campaign.offer, campaign.policy
    proof = ProofPoint.objects.filter(workspace_id=campaign.workspace_id, is_active=True).order_by("pk")
    return Strategy(
        icp=IcpFacts(
            version=icp.number,
            industries=icp.industries,
            employee_min=icp.employee_min,
            employee_max=icp.employee_max,
            countries=icp.countries,
            persona_titles=icp.persona_titles,
            persona_seniorities=icp.persona_seniorities,
            persona_departments=icp.persona_departments,
            signal_weights=icp.signal_weights,
            excluded_domains=icp.excluded_domains,
            excluded_industries=icp.excluded_industries,
            disqualifiers=icp.disqualifiers,
        ),
        offer=OfferFacts(
            value_proposition=offer.value_proposition,
            call_to_action=offer.call_to_action,
            tone=offer.tone,
            languages=offer.languages,
            sender_name=offer.sender_name,
            signature=offer.signature,
            postal_address=offer.postal_address,
        ),
        policy=PolicyFacts(
            forbidden_phrases=policy.forbidden_phrases,
            forbidden_topics=policy.forbidden_topics,
            pricing_allowed=policy.pricing_allowed,
            max_discount_percent=float(policy.max_discount_percent),
            allowed_link_domains=policy.allowed_link_domains,
            escalation_rules=policy.escalation_rules,
        ),
        proof=[
            ProofFact(
                id=item.pk,
                kind=item.kind,
                title=item.title,
                text=item.text,
                customer_name=item.customer_name,
                may_name_publicly=item.may_name_publicly,
            )
            for item in proof
        ],
        campaign=CampaignFacts(
            autonomy=campaign.autonomy,
            confidence_threshold=float(campaign.confidence_threshold),
            high_value_tiers=campaign.high_value_tiers,
            high_value_min_employees=campaign.high_value_min_employees,
            stale_signal_days=campaign.stale_signal_days,
        ),
    )


def lead_for(contact: Contact, signals: list[Signal], step, now: datetime) -> Lead:
    account = contact.account
    return Lead(
        account=AccountFacts(
            name=account.name,
            domain=account.domain,
            industry=account.industry,
            employee_count=account.employee_count,
            country=account.country,
            tier=account.tier,
        ),
        contact=ContactFacts(
            first_name=contact.first_name,
            last_name=contact.last_name,
            email=contact.email,
            title=contact.title,
            seniority=contact.seniority,
            department=contact.department,
        ),
        signals=[
            SignalFact(
                id=signal.pk,
                kind=signal.kind,
                occurred_at=signal.occurred_at,
                age_days=max(0, (now - signal.occurred_at).days),
                source=signal.source,
                title=signal.title,
                text=signal.text,
                url=signal.url,
            )
            for signal in signals
            if signal.contact_id in (None, contact.pk)
        ][:MAX_SIGNALS_PER_LEAD],
        step=StepFacts(position=step.position, intent=step.intent, guidance=step.guidance),
    )


# Budget -----------------------------------------------------------------------------------------


class WorkspaceBudget:
    """The workspace's model money left this month: read once per batch of leads, then counted down.

    Parallel batches may overspend by at most one batch's calls; the month's total is the sum of
    recorded AgentSteps, so the next batch sees it."""

    def __init__(self, workspace_id: int):
        limit = (
            ModelBudget.objects.filter(workspace_id=workspace_id).values_list("monthly_limit_usd", flat=True).first()
        )
        self.limit = limit if limit is not None else settings.SALESOPS_LLM_MONTHLY_BUDGET_USD
        month_start = timezone.now().replace(day=1, hour=0, minute=0, second=0, microsecond=0)
        spent = AgentStep.objects.filter(workspace_id=workspace_id, created_at__gte=month_start).aggregate(
            total=Sum("cost_usd")
        )["total"]
        self.spent = spent or Decimal(0)
        self._lock = threading.Lock()

    def remaining_usd(self) -> Decimal:
        with self._lock:
            return self.limit - self.spent

    def charge(self, cost_usd: Decimal) -> None:
        # One budget serves the leads of a batch, whose model calls run in parallel threads.
        with self._lock:
            self.spent += cost_usd


# Recording --------------------------------------------------------------------------------------


def _digest(payload) -> str:
    return hashlib.sha256(json.dumps(payload, sort_keys=True, default=str).encode()).hexdigest()


def _what_the_agent_saw(data) -> dict:
    """The agent's input without the campaign-wide strategy (kept once, on the campaign)."""
    return data.model_dump(mode="json", exclude={"strategy"})


def record_step(
    run: AgentRun | None,
    agent: str,
    *,
    workspace_id: int | None = None,
    data=None,
    call: AgentCall | None = None,
    output=None,
    decision: str = "",
    confidence: float | None = None,
    error: str = "",
    prompt_version: str | None = None,
    provider: str = "rules",
    model: str = "rules",
    cost: Decimal = Decimal(0),
) -> AgentStep:
    seen = _what_the_agent_saw(data) if data is not None else None
    result = call.result if call else None
    return AgentStep.objects.create(
        workspace_id=run.workspace_id if run is not None else workspace_id,
        run=run,
        agent=agent,
        provider=result.provider if result else provider,
        model=result.model if result else model,
        prompt_version=call.prompt_version if call else (prompt_version or load_prompt(agent).version),
        input_digest=_digest(data.model_dump(mode="json")) if data is not None else "",
        input=seen,
        output=(call.output if call else output).model_dump(mode="json") if (call or output) else None,
        input_tokens=result.input_tokens if result else 0,
        output_tokens=result.output_tokens if result else 0,
        cache_write_tokens=result.cache_creation_input_tokens if result else 0,
        cache_read_tokens=result.cache_read_input_tokens if result else 0,
        cost_usd=result.cost_usd if result else cost,
        latency_ms=result.latency_ms if result else 0,
        request_id=(result.request_id or "") if result else "",
        decision=decision,
        confidence=None if confidence is None else round(Decimal(str(confidence)), 3),
        error=error,
    )


def handoff_open(
    *,
    run: AgentRun | None,
    workspace_id: int,
    kind: str,
    reason: str,
    confidence: float | None = None,
    proposal: dict | None = None,
    campaign_id: int | None = None,
    contact_id: int | None = None,
    dedupe_key: str = "",
) -> Handoff | None:
    """Open a handoff (once per dedupe key) and audit it. None when an open one already exists."""
    allowed = DRAFT_ACTIONS if kind in (Handoff.Kind.DRAFT_REVIEW, Handoff.Kind.ESCALATION) else EXCEPTION_ACTIONS
    try:
        with transaction.atomic():
            handoff = Handoff.objects.create(
                workspace_id=workspace_id,
                run=run,
                campaign_id=campaign_id or (run.campaign_id if run else None),
                contact_id=contact_id or (run.contact_id if run else None),
                kind=kind,
                reason=reason,
                confidence=None if confidence is None else round(Decimal(str(confidence)), 3),
                proposal=proposal or {},
                allowed_actions=allowed,
                dedupe_key=dedupe_key,
            )
    except IntegrityError:
        return None
    audit_record(
        workspace=handoff.workspace,
        verb=f"handoff.opened.{kind}",
        actor="agent:router" if run else "system",
        target=handoff,
        after={"reason": reason, "run": run.pk if run else None},
    )
    return handoff


# The pipeline -----------------------------------------------------------------------------------


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


ANSWER_STEP = StepFacts(position=0, intent="answer", guidance="Answer the prospect's reply.")


def _step_of(run: AgentRun):
    if run.inbound_message_id is not None:
        return ANSWER_STEP
    return run.campaign.steps.get(position=run.step_position)


def _advance(run: AgentRun, tools: PipelineTools, strategy: Strategy) -> None:
    step = _step_of(run)
    signals = list(Signal.objects.filter(account_id=run.contact.account_id).order_by("-occurred_at"))
    lead = lead_for(run.contact, signals, step, tools.now)
    agent_kwargs = {"provider": tools.provider, "budget": tools.budget}

    if run.inbound_message_id is not None and run.qualification is None:
        # An answer to a reply: the prospect already engaged, so the lead stands qualified.
        run.qualification = qualify_agent.QualifyOutput(
            fit_score=100, intent_score=100, reasons=["The prospect replied."], verdict="qualified", confidence=1
        ).model_dump(mode="json")
        run.save(update_fields=["qualification", "updated_at"])
    if run.brief is None:
        data = research_agent.ResearchInput(strategy=strategy, lead=lead)
        call = _call(run, "research", data, lambda: research_agent.research(data, **agent_kwargs))
        record_step(run, "research", data=data, call=call, confidence=call.output.confidence,
                    decision=f"chose {len(call.output.chosen_signal_ids)} signals")  # fmt: skip
        run.brief = call.output.model_dump(mode="json")
        run.save(update_fields=["brief", "updated_at"])
    research_output = research_agent.ResearchOutput.model_validate(run.brief)

    if run.qualification is None:
        data = qualify_agent.QualifyInput(strategy=strategy, lead=lead, research=research_output)
        call = _call(run, "qualify", data, lambda: qualify_agent.qualify(data, **agent_kwargs))
        record_step(run, "qualify", data=data, call=call, decision=call.output.verdict,
                    confidence=call.output.confidence)  # fmt: skip
        run.qualification = call.output.model_dump(mode="json")
        run.save(update_fields=["qualification", "updated_at"])
    qualification = qualify_agent.QualifyOutput.model_validate(run.qualification)

    if qualification.verdict == "disqualified":
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
    # --- insights (issue 8): what people approved after editing, or rejected, in this campaign ---------
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
        check = verifier_agent.VerifyInput(
            strategy=strategy,
            lead=lead,
            draft=draft,
            stale_signal_ids=research_output.stale_signal_ids,
            trusted_text=(reply or {}).get("meeting_offer", ""),
        )
        verification, verify_call = _call(
            run, "verify", check, lambda check=check: verifier_agent.verify(check, **agent_kwargs)
        )
        record_step(run, "verify", data=check, call=verify_call, output=verification,
                    decision="pass" if verification.passed else "fail", confidence=verification.confidence)  # fmt: skip
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


def outbound_queue(
    *, run: AgentRun, subject: str | None = None, body: str | None = None, approved_by=None, sent_without_person=False
) -> OutboundMessage:
    """Queue the run's draft (or a person's version of it) for delivery, once per (campaign, contact, step)."""
    draft = run.draft or {}
    key = (
        f"reply:{run.inbound_message_id}"
        if run.inbound_message_id
        else f"campaign:{run.campaign_id}:contact:{run.contact_id}:step:{run.step_position}"
    )
    message, created = OutboundMessage.objects.get_or_create(
        workspace_id=run.workspace_id,
        idempotency_key=key,
        defaults={
            "campaign_id": run.campaign_id,
            "contact_id": run.contact_id,
            "run": run,
            # An answer stays in the thread of the reply it answers.
            "thread_id": run.inbound_message.thread_id if run.inbound_message_id else None,
            "step_position": run.step_position,
            "subject": subject if subject is not None else draft.get("subject", ""),
            "body_text": body if body is not None else draft.get("body", ""),
            "claims": draft.get("claims", []),
            "approved_by": approved_by,
            "sent_without_person": sent_without_person,
        },
    )
    if created:
        Contact.objects.filter(pk=run.contact_id, status=Contact.Status.NEW).update(status=Contact.Status.IN_SEQUENCE)
        audit_record(
            workspace=run.campaign.workspace,
            verb="outbound.queued",
            actor=approved_by.email if approved_by else "agent:router",
            actor_user=approved_by,
            target=message,
            after={"subject": message.subject, "without_person": sent_without_person},
        )
    return message
