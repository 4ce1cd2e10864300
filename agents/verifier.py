"""The verification agent: deterministic checks first, then (with a real model) a model check.

Nothing an agent writes reaches a prospect unverified, human edits included."""

import re
from urllib.parse import urlsplit

from pydantic import BaseModel, Field

from agents.base import AgentCall, ask_model
from agents.context import Lead, Strategy
from agents.injection import find_instructions
from agents.llm import register_offline_handler
from agents.writer import Claim, Finding, WriteOutput

_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
_URL = re.compile(r"https?://[^\s)>\]]+", re.IGNORECASE)
_CUSTOMER_MENTION = re.compile(
    r"(?:customers?|clients?|companies) (?:like|such as|including) (?P<a>[A-Z][\w&.'-]*(?: [A-Z][\w&.'-]*)*)"
    r"|(?:helped|work(?:ed|s)? with|partnered with|partner of) (?P<b>[A-Z][\w&.'-]*(?: [A-Z][\w&.'-]*)*)"
    r"|(?P<c>[A-Z][\w&.'-]*(?: [A-Z][\w&.'-]*)*) (?:uses|use|chose|switched to|relies on|trusts) (?:us|our|salesops)"
)
_PRICING = re.compile(
    r"\b(?:our|the) (?:price|pricing|cost) (?:is|starts|of)\b|\bcosts? (?:only |just )?(?:[$€£]|\d)"
    r"|[$€£]\s?\d[\d,.]*\s?(?:/|per|a)\s?(?:seat|user|month|year|licen[cs]e)|\bper seat\b"
    r"|\bfree (?:for|of charge)\b|\bdiscount\b|\b\d{1,3}\s?% (?:off|discount)\b",
    re.IGNORECASE,
)
_DISCOUNT = re.compile(r"(\d{1,3})\s?%\s?(?:off|discount)|discount of (\d{1,3})\s?%", re.IGNORECASE)


class VerifyInput(BaseModel):
    strategy: Strategy
    lead: Lead
    draft: WriteOutput
    stale_signal_ids: list[int] = Field(default_factory=list)


class VerifyOutput(BaseModel):
    passed: bool
    findings: list[Finding]
    confidence: float = Field(ge=0, le=1)


def _normalise_number(token: str) -> str:
    return token.replace(",", "")


def _numbers_in(text: str) -> set[str]:
    return {_normalise_number(token) for token in _NUMBER.findall(text)}


def _sentence_around(text: str, start: int, end: int) -> str:
    left = max(text.rfind(".", 0, start), text.rfind("\n", 0, start)) + 1
    right_candidates = [i for i in (text.find(".", end), text.find("\n", end)) if i != -1]
    right = min(right_candidates) + 1 if right_candidates else len(text)
    return text[left:right].strip()


def deterministic_checks(data: VerifyInput) -> list[Finding]:
    strategy, lead, draft = data.strategy, data.lead, data.draft
    offer, policy = strategy.offer, strategy.policy
    findings: list[Finding] = []
    signals = {signal.citation: signal for signal in lead.signals}
    proofs = {proof.citation: proof for proof in strategy.proof}
    stale_after = strategy.campaign.stale_signal_days
    text = f"{draft.subject}\n{draft.body}"
    # The signature and address are ours, given verbatim: numbers in them need no citation.
    checked_text = text.replace(offer.signature, "").replace(offer.postal_address, "")

    # 1. Citations exist, belong to this lead, are fresh and are not hostile.
    for claim in draft.claims:
        if not claim.sources:
            findings.append(Finding(kind="uncited_claim", message="A factual claim cites no source.", span=claim.text))
        for source in claim.sources:
            if source == "offer":
                continue
            if source.startswith("signal:"):
                signal = signals.get(source)
                if signal is None:
                    findings.append(
                        Finding(
                            kind="unknown_citation",
                            message=f"{source} is not a signal of this lead.",
                            span=claim.text,
                            source=source,
                        )
                    )
                elif signal.age_days > stale_after or signal.id in data.stale_signal_ids:
                    findings.append(
                        Finding(
                            kind="stale_signal",
                            message=f"{source} is {signal.age_days} days old (limit {stale_after}).",
                            span=claim.text,
                            source=source,
                        )
                    )
            elif source.startswith("proof:"):
                if source not in proofs:
                    findings.append(
                        Finding(
                            kind="unknown_citation",
                            message=f"{source} is not an approved fact of the proof library.",
                            span=claim.text,
                            source=source,
                        )
                    )
            else:
                findings.append(
                    Finding(kind="unknown_citation", message=f"{source!r} is not a citation.", span=claim.text)
                )

    # 2. Every number is present in a source cited by a claim that states it (or in the offer).
    # Our offer's own text and the prospect's names ("3M", "Company 5") need no citation.
    offer_numbers = _numbers_in(
        f"{offer.value_proposition} {offer.call_to_action} {lead.account.name} {lead.contact.first_name}"
    )
    for match in _NUMBER.finditer(checked_text):
        number = _normalise_number(match.group(0))
        if number in offer_numbers:
            continue
        supporting = [claim for claim in draft.claims if match.group(0) in claim.text or number in claim.text]
        source_texts = []
        for claim in supporting:
            for source in claim.sources:
                if source in signals:
                    source_texts.append(f"{signals[source].title} {signals[source].text}")
                elif source in proofs:
                    source_texts.append(proofs[source].text)
        if not any(number in _numbers_in(source_text) for source_text in source_texts):
            findings.append(
                Finding(
                    kind="unsupported_number",
                    message=f"{match.group(0)} is not in any cited source.",
                    span=_sentence_around(checked_text, match.start(), match.end()),
                )
            )

    # 3. Customers and case studies about us come only from the proof library.
    public_customers = {
        proof.customer_name.lower() for proof in strategy.proof if proof.customer_name and proof.may_name_publicly
    }
    private_customers = {
        proof.customer_name for proof in strategy.proof if proof.customer_name and not proof.may_name_publicly
    }
    for match in _CUSTOMER_MENTION.finditer(checked_text):
        name = next(group for group in match.groups() if group)
        if name.lower() == lead.account.name.lower():
            continue
        if not any(
            name.lower().startswith(customer) or customer.startswith(name.lower()) for customer in public_customers
        ):
            findings.append(
                Finding(
                    kind="unsupported_customer",
                    message=f"{name} is not a customer we may name (not in the proof library).",
                    span=match.group(0),
                )
            )
    for name in private_customers:
        if name.lower() in checked_text.lower():
            findings.append(
                Finding(kind="customer_not_public", message=f"{name} may not be named publicly.", span=name)
            )
    if "case study" in checked_text.lower():
        cites_case_study = any(
            source in proofs and proofs[source].kind == "case_study"
            for claim in draft.claims
            for source in claim.sources
        )
        if not cites_case_study:
            findings.append(
                Finding(
                    kind="invented_case_study",
                    message="A case study is mentioned without citing one.",
                    span="case study",
                )
            )
    for claim in draft.claims:
        for source in claim.sources:
            if source in proofs and not _supports(proofs[source].text, claim.text):
                findings.append(
                    Finding(
                        kind="misquoted_proof",
                        message=f"The claim does not match approved fact {source}.",
                        span=claim.text,
                        source=source,
                    )
                )

    # 4. Policy: forbidden phrases and topics, pricing and discounts, links.
    lowered = checked_text.lower()
    for phrase in policy.forbidden_phrases:
        if phrase and phrase.lower() in lowered:
            findings.append(Finding(kind="forbidden_phrase", message=f"Forbidden phrase: {phrase!r}.", span=phrase))
    for topic in policy.forbidden_topics:
        if topic and topic.lower() in lowered:
            findings.append(Finding(kind="forbidden_topic", message=f"Forbidden topic: {topic!r}.", span=topic))
    for match in _DISCOUNT.finditer(checked_text):
        percent = int(match.group(1) or match.group(2))
        if percent > policy.max_discount_percent:
            findings.append(
                Finding(
                    kind="discount_beyond_policy",
                    message=f"A {percent}% discount exceeds the policy's {policy.max_discount_percent:g}%.",
                    span=match.group(0),
                )
            )
    if not policy.pricing_allowed:
        match = _PRICING.search(checked_text)
        if match:
            findings.append(
                Finding(kind="pricing", message="The policy does not allow mentioning pricing.", span=match.group(0))
            )
    allowed = [domain.lower().removeprefix("www.") for domain in policy.allowed_link_domains]
    for url in _URL.findall(checked_text):
        host = (urlsplit(url).hostname or "").lower().removeprefix("www.")
        if not any(host == domain or host.endswith("." + domain) for domain in allowed):
            findings.append(Finding(kind="link_not_allowed", message=f"Links to {host} are not allowed.", span=url))

    # 5. Commercial email carries the sender's signature and postal address.
    signature_first_line = offer.signature.strip().splitlines()[0] if offer.signature.strip() else ""
    if signature_first_line and signature_first_line not in draft.body:
        findings.append(Finding(kind="missing_signature", message="The signature is missing."))
    if " ".join(offer.postal_address.split()) not in " ".join(draft.body.split()):
        findings.append(Finding(kind="missing_postal_address", message="The sender's postal address is missing."))

    # 6. Instruction-like text in the lead's data is flagged and never obeyed; so is any in the draft.
    for signal in lead.signals:
        span = find_instructions(f"{signal.title}\n{signal.text}")
        if span:
            findings.append(
                Finding(
                    kind="prompt_injection",
                    message=f"Signal {signal.id} ({signal.kind}) contains instructions to the model; it was "
                    "treated as data and not followed.",
                    span=span,
                    source=signal.citation,
                )
            )
    span = find_instructions(draft.body)
    if span:
        findings.append(
            Finding(kind="prompt_injection", message="The draft contains instruction-like text.", span=span)
        )
    return findings


def _supports(fact: str, claim: str) -> bool:
    """A claim citing an approved fact must state it in substance: its numbers are the fact's numbers."""
    return _numbers_in(claim) <= _numbers_in(fact)


def verify_offline(data: VerifyInput) -> VerifyOutput:
    findings = deterministic_checks(data)
    blocking = [finding for finding in findings if finding.severity == "block"]
    return VerifyOutput(
        passed=not blocking,
        findings=findings,
        confidence=0.95 if not blocking else round(max(0.3, 0.9 - 0.1 * len(blocking)), 2),
    )


register_offline_handler("verify", verify_offline)


def verify(data: VerifyInput, *, provider, budget=None) -> tuple[VerifyOutput, AgentCall]:
    """Deterministic checks always decide; a model adds what rules cannot see."""
    rules = verify_offline(data)
    call = ask_model(
        agent="verify",
        strategy=data.strategy,
        lead=data.lead,
        instructions=(
            "Draft:\n"
            + data.draft.model_dump_json()
            + "\nDeterministic findings:\n"
            + "\n".join(finding.model_dump_json() for finding in rules.findings)
        ),
        output_schema=VerifyOutput,
        offline_input=data,
        provider=provider,
        budget=budget,
    )
    model_output: VerifyOutput = call.output
    seen = {(finding.kind, finding.span) for finding in rules.findings}
    extra = [finding for finding in model_output.findings if (finding.kind, finding.span) not in seen]
    findings = rules.findings + extra
    blocking = [finding for finding in findings if finding.severity == "block"]
    merged = VerifyOutput(
        passed=not blocking,
        findings=findings,
        confidence=min(rules.confidence, model_output.confidence) if findings else model_output.confidence,
    )
    return merged, call


def claims_from_edit(original: WriteOutput, body: str) -> list[Claim]:
    """A person's edit keeps the claims whose text is still in the body; new facts stand uncited."""
    return [claim for claim in original.claims if claim.text in body]
