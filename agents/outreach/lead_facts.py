"""Building the agents' typed picture of a campaign and a lead from the database."""

from datetime import datetime

from agents.models import AgentRun
from agents.team.context import (
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
from agents.team.quarantine import lead_withheld
from agents.team.verifier import VerifyInput
from agents.team.writer import WriteOutput
from campaigns.models import Campaign, Contact, ProofPoint, SequenceStep, Signal

MAX_SIGNALS_PER_LEAD = 20
# An answer to a prospect's reply is no step of the sequence (its run has step_position 0).
ANSWER_STEP = StepFacts(position=0, intent="answer", guidance="Answer the prospect's reply.")


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
    """The lead as the agents see it. Every signal and free-text CRM field is scanned for instruction-like
    text; what holds some is withheld (a placeholder or "") and listed in `quarantined`."""
    account = contact.account
    mine = [signal for signal in signals if signal.contact_id in (None, contact.pk)][:MAX_SIGNALS_PER_LEAD]
    lead = Lead(
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
            for signal in mine
        ],
        step=StepFacts(position=step.position, intent=step.intent, guidance=step.guidance),
    )
    return lead_withheld(lead, contact_id=contact.pk, account_id=account.pk)


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
