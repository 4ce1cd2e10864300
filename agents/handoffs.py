"""How any part of the team asks a person and records what it did: `handoff_open` puts a request in the
inbox (once per dedupe key, audited) and `record_step` stores an agent's step with what it saw."""

import hashlib
import json
from datetime import UTC
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import F

from agents.models import AgentRun, AgentStep, Handoff, ModelSpend
from agents.team.base import AgentCall
from agents.team.prompts import load_prompt
from salesops.audit import audit_record

DRAFT_ACTIONS = ["approve", "edit", "reject", "regenerate", "take_over", "snooze", "assign"]


EXCEPTION_ACTIONS = ["edit", "regenerate", "take_over", "dismiss", "snooze", "assign"]


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
    step = AgentStep.objects.create(
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
    if step.cost_usd:
        spend_add(workspace_id=step.workspace_id, when=step.created_at, cost_usd=step.cost_usd)
    return step


def spend_add(*, workspace_id: int, when, cost_usd: Decimal) -> None:
    """Add a call's cost to its workspace's month, atomically (F()), creating the month's row once."""
    month = when.astimezone(UTC).date().replace(day=1)
    rows = ModelSpend.objects.filter(workspace_id=workspace_id, month=month)
    if rows.update(total_usd=F("total_usd") + cost_usd):
        return
    try:
        with transaction.atomic():
            ModelSpend.objects.create(workspace_id=workspace_id, month=month, total_usd=cost_usd)
    except IntegrityError:  # another worker created the month's row first
        rows.update(total_usd=F("total_usd") + cost_usd)


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
    """Open a handoff (once per dedupe key) and audit it. None when one with the key already exists, open
    or resolved: the key is unique per workspace over every handoff, so a resolved one is not reopened."""
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
