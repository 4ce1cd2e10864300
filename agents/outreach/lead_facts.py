"""Building the agents' typed picture of a campaign and a lead from the database."""

from datetime import datetime

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
from campaigns.models import Campaign, Contact, ProofPoint, Signal

MAX_SIGNALS_PER_LEAD = 20


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
