"""The routing agent: rules over the campaign's autonomy settings, the high-value rule and the
policy's escalation rules. It decides what goes out alone and what waits for a person."""

import re
from typing import Literal

from pydantic import BaseModel, Field

from agents.team.context import Lead, Strategy
from agents.team.qualify import QualifyOutput
from agents.team.verifier import VerifyOutput

_STOPWORDS = {"mentions", "mention", "asks", "about", "with", "that", "their", "from", "for", "the", "any", "a", "an"}


class RouteInput(BaseModel):
    strategy: Strategy
    lead: Lead
    qualification: QualifyOutput
    verification: VerifyOutput | None = None
    draft_text: str = ""
    rewrites: int = 0
    writer_note: str = ""  # the writer's reason for a person to answer instead (WriteOutput.needs_person)


class RouteOutput(BaseModel):
    decision: Literal["send", "review", "exception", "person_owns", "escalation", "drop"]
    reason: str
    confidence: float = Field(ge=0, le=1)


def matched_escalation_rule(rules: list[str], text: str) -> str | None:
    """The first rule any of whose alternatives ("legal or procurement") has all its words in `text`."""
    lowered = text.lower()
    for rule in rules:
        for alternative in re.split(r"\bor\b|,|/", rule.lower()):
            words = [word for word in re.findall(r"[a-z]{3,}", alternative) if word not in _STOPWORDS]
            if words and all(re.search(rf"\b{re.escape(word)}", lowered) for word in words):
                return rule
    return None


def route(data: RouteInput) -> RouteOutput:
    qualification, verification = data.qualification, data.verification
    campaign, account = data.strategy.campaign, data.lead.account
    answering = data.lead.step.intent == "answer"
    if qualification.verdict == "disqualified" and not answering:
        return RouteOutput(
            decision="drop", reason="Not contacted: " + " ".join(qualification.reasons[:2]), confidence=1
        )
    if verification is None:
        return RouteOutput(decision="exception", reason="The draft was not verified.", confidence=0)
    injections = [finding for finding in verification.findings if finding.kind == "prompt_injection"]
    if injections:
        return RouteOutput(
            decision="exception",
            reason=f"Held back: the lead's data tries to instruct the agents ({injections[0].span!r}); "
            "a person should check it.",
            confidence=verification.confidence,
        )
    if not verification.passed:
        kinds = ", ".join(sorted({finding.kind.replace("_", " ") for finding in verification.findings}))
        return RouteOutput(
            decision="exception",
            reason=f"The verifier blocked the draft{' after a rewrite' if data.rewrites else ''}: {kinds}.",
            confidence=verification.confidence,
        )
    confidence = round(min(qualification.confidence, verification.confidence), 3)
    if account.tier and account.tier in campaign.high_value_tiers:
        return RouteOutput(
            decision="person_owns",
            reason=f"{account.name} is a tier {account.tier} account: a person always handles it.",
            confidence=confidence,
        )
    if campaign.high_value_min_employees and (account.employee_count or 0) >= campaign.high_value_min_employees:
        return RouteOutput(
            decision="person_owns",
            reason=f"{account.name} has {account.employee_count} employees: a person always handles it.",
            confidence=confidence,
        )
    lead_text = " ".join(f"{signal.title} {signal.text}" for signal in data.lead.signals) + " " + data.draft_text
    rule = matched_escalation_rule(data.strategy.policy.escalation_rules, lead_text)
    if rule:
        return RouteOutput(
            decision="escalation", reason=f"The policy sends this to a person: {rule!r}.", confidence=confidence
        )
    if data.lead.quarantined:
        withheld = "; ".join(item.label for item in data.lead.quarantined)
        return RouteOutput(
            decision="review",
            reason=f"Part of this lead's data was withheld for holding instruction-like text ({withheld}): "
            "a person reviews every email to it.",
            confidence=confidence,
        )
    if data.writer_note:
        return RouteOutput(
            decision="review",
            reason=f"The writer asks a person to answer: {data.writer_note}.",
            confidence=confidence,
        )
    if answering and qualification.verdict == "disqualified":
        # The prospect wrote to us: never dropped silently, a person decides whether to answer.
        return RouteOutput(
            decision="review",
            reason="The prospect replied, but the lead does not qualify ("
            + "; ".join(qualification.reasons[:2])
            + "): a person decides whether to answer.",
            confidence=confidence,
        )
    if qualification.verdict == "needs_person":
        return RouteOutput(
            decision="review",
            reason="The fit is unclear (" + "; ".join(qualification.reasons[:2]) + "): a person should decide.",
            confidence=confidence,
        )
    if campaign.autonomy == "review_all":
        return RouteOutput(
            decision="review", reason="This campaign has a person review every email.", confidence=confidence
        )
    threshold = campaign.confidence_threshold
    if campaign.autonomy == "review_low_confidence" and confidence < threshold:
        return RouteOutput(
            decision="review",
            reason=f"Confidence {confidence:.2f} is below the campaign's threshold of {threshold:.2f}.",
            confidence=confidence,
        )
    return RouteOutput(
        decision="send",
        reason=f"Verified and confident ({confidence:.2f}): queued to send without review.",
        confidence=confidence,
    )
