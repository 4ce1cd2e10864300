"""The qualification agent: ICP fit and intent scores with reasons, and a verdict."""

from typing import Literal

from pydantic import BaseModel, Field

from agents.base import AgentCall, ask_model
from agents.context import Lead, Strategy
from agents.llm import register_offline_handler
from agents.research import ResearchOutput

QUALIFIED_FIT = 60
QUALIFIED_INTENT = 25
DISQUALIFIED_FIT = 35


class QualifyInput(BaseModel):
    strategy: Strategy
    lead: Lead
    research: ResearchOutput


class QualifyOutput(BaseModel):
    fit_score: int = Field(ge=0, le=100)
    intent_score: int = Field(ge=0, le=100)
    reasons: list[str]
    excluded: bool = False
    verdict: Literal["qualified", "disqualified", "needs_person"]
    confidence: float = Field(ge=0, le=1)


def _matches_persona(lead: Lead, strategy: Strategy) -> bool:
    title = lead.contact.title.lower()
    persona_titles = [item.lower() for item in strategy.icp.persona_titles]
    if any(persona in title or title in persona for persona in persona_titles if title):
        return True
    seniorities = [item.lower() for item in strategy.icp.persona_seniorities]
    return bool(lead.contact.seniority) and lead.contact.seniority.lower() in seniorities


def qualify_offline(data: QualifyInput) -> QualifyOutput:
    icp, account = data.strategy.icp, data.lead.account
    reasons: list[str] = []
    if account.domain.lower() in {domain.lower() for domain in icp.excluded_domains}:
        return QualifyOutput(
            fit_score=0,
            intent_score=0,
            reasons=[f"{account.domain} is on the ICP's exclusion list (competitor or customer)."],
            excluded=True,
            verdict="disqualified",
            confidence=1.0,
        )
    if account.industry and account.industry.lower() in {item.lower() for item in icp.excluded_industries}:
        return QualifyOutput(
            fit_score=0,
            intent_score=0,
            reasons=[f"The {account.industry} industry is excluded by the ICP."],
            excluded=True,
            verdict="disqualified",
            confidence=1.0,
        )

    fit = 0
    if not icp.industries or account.industry.lower() in {item.lower() for item in icp.industries}:
        fit += 30
        reasons.append(f"Industry {account.industry or 'unknown'} fits.")
    else:
        reasons.append(f"Industry {account.industry or 'unknown'} is outside the ICP.")
    employees = account.employee_count
    in_range = employees is not None and (icp.employee_min or 0) <= employees <= (icp.employee_max or 10**9)
    if in_range:
        fit += 25
        reasons.append(f"{employees} employees is within the ICP's range.")
    else:
        reasons.append(f"Company size {employees or 'unknown'} is outside the ICP's range.")
    if not icp.countries or account.country.upper() in icp.countries:
        fit += 20
    else:
        reasons.append(f"Country {account.country or 'unknown'} is outside the ICP.")
    if _matches_persona(data.lead, data.strategy):
        fit += 25
        reasons.append(f"{data.lead.contact.title or 'The contact'} matches a target persona.")
    else:
        reasons.append(f"{data.lead.contact.title or 'The contact'} is not a target persona.")

    chosen = [item for item in data.research.ranked if item.signal_id in data.research.chosen_signal_ids]
    intent = min(100, round(sum(item.score for item in chosen) * 8))
    reasons.append(
        f"Intent from {len(chosen)} fresh signal{'s' if len(chosen) != 1 else ''}."
        if chosen
        else "No fresh buying signal."
    )

    if fit >= QUALIFIED_FIT and intent >= QUALIFIED_INTENT:
        verdict, confidence = "qualified", 0.6 + 0.4 * min(1, (fit + intent) / 160)
    elif fit < DISQUALIFIED_FIT:
        verdict, confidence = "disqualified", 0.8
    else:
        verdict, confidence = "needs_person", 0.5
    return QualifyOutput(
        fit_score=fit,
        intent_score=intent,
        reasons=reasons,
        excluded=False,
        verdict=verdict,
        confidence=round(confidence, 2),
    )


register_offline_handler("qualify", qualify_offline)


def qualify(data: QualifyInput, *, provider, budget=None) -> AgentCall:
    return ask_model(
        agent="qualify",
        strategy=data.strategy,
        lead=data.lead,
        instructions="Research brief:\n" + data.research.model_dump_json() + "\nScore fit and intent; give a verdict.",
        output_schema=QualifyOutput,
        offline_input=data,
        provider=provider,
        budget=budget,
    )
