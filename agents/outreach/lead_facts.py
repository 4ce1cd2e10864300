"""Building the agents' typed picture of a campaign and a lead from the database."""

from dataclasses import dataclass
from datetime import datetime

from agents.models import AgentRun
from agents.team.context import (
    WITHHELD_SIGNAL_TEXT,
    AccountFacts,
    CampaignFacts,
    ContactFacts,
    IcpFacts,
    Lead,
    OfferFacts,
    PolicyFacts,
    ProofFact,
    QuarantinedItem,
    SignalFact,
    StepFacts,
    Strategy,
)
from agents.team.injection import first_instruction
from agents.team.verifier import VerifyInput
from agents.team.writer import WriteOutput
from campaigns.choices import SignalKind
from campaigns.models import Campaign, Contact, ProofPoint, SequenceStep, Signal

MAX_SIGNALS_PER_LEAD = 20
# An answer to a prospect's reply is no step of the sequence (its run has step_position 0).
ANSWER_STEP = StepFacts(position=0, intent="answer", guidance="Answer the prospect's reply.")

# The free-text CRM fields a prospect (or whoever fills the CRM) controls, as a person names them.
CONTACT_TEXT_FIELDS = {"first_name": "first name", "last_name": "last name", "title": "job title",
                       "department": "department"}  # fmt: skip
ACCOUNT_TEXT_FIELDS = {"name": "company name", "industry": "industry"}
SIGNAL_KIND_WORDS = {kind: label.lower() for kind, label in SignalKind.choices}


@dataclass(frozen=True)
class Flag:
    span: str
    technique: str
    confidence: float


def _flag(text: str) -> Flag | None:
    """The detector's first finding in `text`, whichever shape it returns: an object with a span, a
    technique and a confidence, or a bare regular-expression match."""
    found = first_instruction(text or "")
    if not found:
        return None
    span = getattr(found, "span", None)
    if not isinstance(span, str):  # a re.Match, whose .span is a method
        span = found.group(0)
    return Flag(
        span=span,
        technique=str(getattr(found, "technique", "") or "instruction"),
        confidence=float(getattr(found, "confidence", 0.9)),
    )


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


def _signal_fact(signal: Signal, now: datetime, quarantined: list[QuarantinedItem]) -> SignalFact:
    """The signal as the agents see it; one with instruction-like text keeps its kind, date and source
    (it happened) but its words are withheld, and added to `quarantined`."""
    flag = _flag(f"{signal.title}\n{signal.text}")
    if flag is not None:
        kind = SIGNAL_KIND_WORDS.get(signal.kind, signal.kind)
        # The title is quoted for a person only when the instruction is not in the title itself.
        title = f" '{signal.title}'" if signal.title and _flag(signal.title) is None else ""
        quarantined.append(
            QuarantinedItem(
                source=f"signal:{signal.pk}",
                record_id=signal.pk,
                label=f"Signal {signal.pk} ({kind}){title}",
                span=flag.span,
                technique=flag.technique,
                confidence=flag.confidence,
                withheld_text=f"{signal.title}\n{signal.text}",
            )
        )
    return SignalFact(
        id=signal.pk,
        kind=signal.kind,
        occurred_at=signal.occurred_at,
        age_days=max(0, (now - signal.occurred_at).days),
        source=signal.source,
        title=WITHHELD_SIGNAL_TEXT if flag else signal.title,
        text=WITHHELD_SIGNAL_TEXT if flag else signal.text,
        url="" if flag else signal.url,
    )


def _text_fields(record, record_name: str, fields: dict[str, str], who: str, quarantined: list) -> dict[str, str]:
    """The record's free-text fields, each with instruction-like text replaced by "" and added to
    `quarantined`."""
    values = {}
    for field, words in fields.items():
        value = getattr(record, field) or ""
        flag = _flag(value)
        if flag is not None:
            quarantined.append(
                QuarantinedItem(
                    source=f"{record_name}.{field}",
                    record_id=record.pk,
                    label=f"The {words} on file for {who}",
                    span=flag.span,
                    technique=flag.technique,
                    confidence=flag.confidence,
                    withheld_text=value,
                )
            )
        values[field] = "" if flag else value
    return values


def lead_for(contact: Contact, signals: list[Signal], step, now: datetime) -> Lead:
    """The lead as the agents see it. Every signal and free-text CRM field is scanned for instruction-like
    text; what holds some is withheld (a placeholder or "") and listed in `quarantined`."""
    account = contact.account
    quarantined: list[QuarantinedItem] = []
    # Named by address and domain, which are no free text: a person reads the label in the inbox.
    account_text = _text_fields(account, "account", ACCOUNT_TEXT_FIELDS, f"account {account.domain}", quarantined)
    contact_text = _text_fields(contact, "contact", CONTACT_TEXT_FIELDS, contact.email, quarantined)
    mine = [signal for signal in signals if signal.contact_id in (None, contact.pk)][:MAX_SIGNALS_PER_LEAD]
    signal_facts = [_signal_fact(signal, now, quarantined) for signal in mine]
    return Lead(
        account=AccountFacts(
            domain=account.domain,
            employee_count=account.employee_count,
            country=account.country,
            tier=account.tier,
            **account_text,
        ),
        contact=ContactFacts(email=contact.email, seniority=contact.seniority, **contact_text),
        signals=signal_facts,
        step=StepFacts(position=step.position, intent=step.intent, guidance=step.guidance),
        quarantined=quarantined,
    )


def step_of(run: AgentRun) -> SequenceStep | StepFacts:
    """The step a run writes: its campaign's sequence step, or the answer to the reply it was started for."""
    if run.inbound_message_id is not None:
        return ANSWER_STEP
    return run.campaign.steps.get(position=run.step_position)


def lead_of_run(run: AgentRun, now: datetime) -> Lead:
    """The lead as a run's agents see it: its contact, the account's signals (newest first), its step."""
    signals = list(Signal.objects.filter(account_id=run.contact.account_id).order_by("-occurred_at"))
    return lead_for(run.contact, signals, step_of(run), now)


def verify_input_for(run: AgentRun, *, strategy: Strategy, lead: Lead, draft: WriteOutput) -> VerifyInput:
    """What any draft of a run is checked against, the writer's and a person's edit alike: the signals
    research found stale, and the text we put in verbatim (an answer's meeting times and booking link),
    which states no claim."""
    return VerifyInput(
        strategy=strategy,
        lead=lead,
        draft=draft,
        stale_signal_ids=(run.brief or {}).get("stale_signal_ids", []),
        trusted_text=(run.reply_context or {}).get("meeting_offer", ""),
    )
