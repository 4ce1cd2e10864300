"""The research agent: an account brief, signals ranked by recency and ICP weight, the 1–3 to use."""

import math
from dataclasses import replace

from pydantic import BaseModel, Field

from agents.llm import register_offline_handler
from agents.team.base import AgentCall, ask_model
from agents.team.context import Lead, Strategy
from agents.team.injection import find_instructions
from campaigns.choices import SignalKind

# The words a person reads for a signal's kind: the brief and the reasons are prose shown in the inbox.
SIGNAL_KIND_WORDS = dict(SignalKind.choices)

# Why a signal with instruction-like text is not used (its text is not repeated: the brief reaches the writer).
WITHHELD_REASON = "withheld: instruction-like text"

# A signal loses half its value every this many days.
RECENCY_HALF_LIFE_DAYS = 30


class ResearchInput(BaseModel):
    strategy: Strategy
    lead: Lead


class RankedSignal(BaseModel):
    signal_id: int
    score: float = Field(ge=0)
    reason: str
    stale: bool = False
    suspicious: bool = False


class ResearchOutput(BaseModel):
    brief: str
    ranked: list[RankedSignal]
    chosen_signal_ids: list[int] = Field(max_length=3)
    stale_signal_ids: list[int] = Field(default_factory=list)
    suspicious_signal_ids: list[int] = Field(default_factory=list)
    confidence: float = Field(ge=0, le=1)


def research_offline(data: ResearchInput) -> ResearchOutput:
    weights = data.strategy.icp.signal_weights
    stale_after = data.strategy.campaign.stale_signal_days
    withheld = data.lead.quarantined_signal_ids
    ranked = []
    for signal in data.lead.signals:
        weight = weights.get(signal.kind, 0)
        recency = math.pow(0.5, signal.age_days / RECENCY_HALF_LIFE_DAYS)
        stale = signal.age_days > stale_after
        # A withheld signal's words never reach us; one that slips past the quarantine is caught here.
        injected = signal.id in withheld or bool(find_instructions(f"{signal.title}\n{signal.text}"))
        score = 0.0 if stale or injected else round(weight * recency, 3)
        if injected:
            reason = WITHHELD_REASON
        elif stale:
            reason = f"{signal.age_days} days old, older than the campaign's {stale_after}-day limit"
        else:
            kind = SIGNAL_KIND_WORDS.get(signal.kind, signal.kind)
            reason = f"{kind} weighs {weight} in the ICP; {signal.age_days} days old"
        ranked.append(RankedSignal(signal_id=signal.id, score=score, reason=reason, stale=stale, suspicious=injected))
    ranked.sort(key=lambda item: item.score, reverse=True)
    chosen = [item.signal_id for item in ranked if item.score > 0][:3]
    by_id = {signal.id: signal for signal in data.lead.signals}
    account = data.lead.account
    lines = [
        f"{account.name} ({account.domain}): {account.industry or 'industry unknown'}, "
        f"{account.employee_count or 'unknown'} employees, {account.country or 'country unknown'}."
    ]
    lines += [
        f"- {SIGNAL_KIND_WORDS.get(by_id[signal_id].kind, by_id[signal_id].kind)}: {by_id[signal_id].title}"
        for signal_id in chosen
    ]
    if not chosen:
        lines.append("No fresh signal worth using.")
    usable = len(data.lead.signals) or 1
    return ResearchOutput(
        brief="\n".join(lines),
        ranked=ranked,
        chosen_signal_ids=chosen,
        stale_signal_ids=[item.signal_id for item in ranked if item.stale],
        suspicious_signal_ids=[item.signal_id for item in ranked if item.suspicious],
        confidence=round(min(1.0, 0.5 + 0.5 * len(chosen) / min(3, usable)), 2),
    )


register_offline_handler("research", research_offline)


def without_withheld_signals(output: ResearchOutput, lead: Lead) -> ResearchOutput:
    """The brief with the lead's withheld signals unusable (suspicious, score 0, never chosen), whatever a
    model answered or an earlier run's brief chose."""
    withheld = lead.quarantined_signal_ids
    if not withheld:
        return output
    ranked = [
        item.model_copy(update={"score": 0.0, "suspicious": True, "reason": WITHHELD_REASON})
        if item.signal_id in withheld
        else item
        for item in output.ranked
    ]
    return output.model_copy(
        update={
            "ranked": ranked,
            "chosen_signal_ids": [signal_id for signal_id in output.chosen_signal_ids if signal_id not in withheld],
            "suspicious_signal_ids": sorted(set(output.suspicious_signal_ids) | withheld),
        }
    )


def research(data: ResearchInput, *, provider, budget=None) -> AgentCall:
    call = ask_model(
        agent="research",
        strategy=data.strategy,
        lead=data.lead,
        instructions="Write the brief and rank the signals.",
        output_schema=ResearchOutput,
        offline_input=data,
        provider=provider,
        budget=budget,
    )
    # The rules withhold what the quarantine withheld, whatever a model says.
    return replace(call, output=without_withheld_signals(call.output, data.lead))
