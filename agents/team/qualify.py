"""The qualification agent: ICP fit and intent scores with reasons, and a verdict."""

import re
from typing import Literal

from pydantic import BaseModel, Field

from agents.llm import register_offline_handler
from agents.team.base import AgentCall, ask_model
from agents.team.context import Lead, Strategy
from agents.team.research import ResearchOutput
from campaigns.icp_match import Criteria, Matcher

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


def _matcher(strategy: Strategy) -> Matcher:
    """The campaign audience's own matcher (campaigns/icp_match.py), so audience and qualification agree."""
    return Matcher(Criteria.of(strategy.icp))


def _matches_persona(lead: Lead, strategy: Strategy) -> bool:
    """A persona title matches; or the seniority does within a persona department. Unknown is no match
    here: the audience lets a contact without a title in, qualification asks a person about them."""
    contact = lead.contact
    return _matcher(strategy).persona(contact.title, contact.department, contact.seniority).outcome is True


_FEWER_THAN = re.compile(r"(?:fewer|less) than (\d[\d,]*) employees", re.IGNORECASE)


def matched_disqualifier(lead: Lead, strategy: Strategy) -> str | None:
    """The ICP disqualifier the lead's data shows: a size rule, or a phrase found (in order) in its signals."""
    employees = lead.account.employee_count
    text = " ".join(f"{signal.title}. {signal.text}" for signal in lead.signals).lower()
    for rule in strategy.icp.disqualifiers:
        size = _FEWER_THAN.search(rule)
        if size:
            if employees is not None and employees < int(size.group(1).replace(",", "")):
                return rule
            continue
        words = re.findall(r"[a-z0-9]+", rule.lower())
        if words and re.search(r"\b" + r"\W+(?:\w+\W+){0,2}".join(map(re.escape, words)) + r"\b", text):
            return rule
    return None


def qualify_offline(data: QualifyInput) -> QualifyOutput:
    icp, account = data.strategy.icp, data.lead.account
    matcher = _matcher(data.strategy)
    reasons: list[str] = []
    if matcher.excluded_domain(account.domain, data.lead.contact.email):
        return QualifyOutput(
            fit_score=0,
            intent_score=0,
            reasons=[f"{account.domain} is on the ICP's exclusion list (competitor or customer)."],
            excluded=True,
            verdict="disqualified",
            confidence=1.0,
        )
    if matcher.excluded_industry(account.industry):
        return QualifyOutput(
            fit_score=0,
            intent_score=0,
            reasons=[f"The {account.industry} industry is excluded by the ICP."],
            excluded=True,
            verdict="disqualified",
            confidence=1.0,
        )

    disqualifier = matched_disqualifier(data.lead, data.strategy)
    if disqualifier:
        return QualifyOutput(
            fit_score=0,
            intent_score=0,
            reasons=[f"The ICP's disqualifier applies: {disqualifier}."],
            verdict="disqualified",
            confidence=0.9,
        )

    fit = 0
    missed_criterion = False
    if not icp.industries or matcher.industry(account.industry).outcome is True:
        fit += 30
        reasons.append(f"Industry {account.industry or 'unknown'} fits.")
    else:
        reasons.append(f"Industry {account.industry or 'unknown'} is outside the ICP.")
        missed_criterion = True
    employees = account.employee_count
    in_range = employees is not None and (icp.employee_min or 0) <= employees <= (icp.employee_max or 10**9)
    if in_range:
        fit += 25
        reasons.append(f"{employees} employees is within the ICP's range.")
    else:
        reasons.append(f"Company size {employees or 'unknown'} is outside the ICP's range.")
        missed_criterion = True
    if not icp.countries or account.country.upper() in icp.countries:
        fit += 20
    else:
        reasons.append(f"Country {account.country or 'unknown'} is outside the ICP.")
        missed_criterion = True
    if _matches_persona(data.lead, data.strategy):
        fit += 25
        reasons.append(f"{data.lead.contact.title or 'The contact'} matches a target persona.")
    else:
        reasons.append(f"{data.lead.contact.title or 'The contact'} is not a target persona.")
        missed_criterion = True

    chosen = [item for item in data.research.ranked if item.signal_id in data.research.chosen_signal_ids]
    intent = min(100, round(sum(item.score for item in chosen) * 8))
    reasons.append(
        f"Intent from {len(chosen)} fresh signal{'s' if len(chosen) != 1 else ''}."
        if chosen
        else "No fresh buying signal."
    )

    if fit >= QUALIFIED_FIT and intent >= QUALIFIED_INTENT and not missed_criterion:
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
