"""Offline qualification reads the ICP with the audience's own matcher (campaigns/icp_match.py): a lead the
audience selects for its industry and persona is not called off-ICP by the qualifier, and the reverse."""

import pytest

from agents.team.context import (
    AccountFacts,
    CampaignFacts,
    ContactFacts,
    IcpFacts,
    Lead,
    OfferFacts,
    PolicyFacts,
    StepFacts,
    Strategy,
)
from agents.team.qualify import QualifyInput, qualify_offline
from agents.team.research import ResearchOutput
from campaigns.icp_match import Criteria, Matcher

ICP = IcpFacts(
    version=1,
    industries=["Travel & Logistics"],
    employee_min=200,
    employee_max=5000,
    countries=["DE"],
    persona_titles=["VP Operations"],
    persona_seniorities=["VP", "Head", "Director"],
    persona_departments=["Operations", "Logistics"],
    excluded_domains=["rival.example"],
    excluded_industries=["Armed Forces"],
)


def _input(*, industry: str, title: str, domain: str = "freight.example") -> QualifyInput:
    strategy = Strategy(
        icp=ICP,
        offer=OfferFacts(value_proposition="v", call_to_action="c", sender_name="s", signature="s", postal_address="a"),
        policy=PolicyFacts(),
        proof=[],
        campaign=CampaignFacts(autonomy="review_all", confidence_threshold=0.8),
    )
    lead = Lead(
        account=AccountFacts(name="Freight Co", domain=domain, industry=industry, employee_count=400, country="DE"),
        contact=ContactFacts(email=f"ana@{domain}", title=title),
        signals=[],
        step=StepFacts(position=1, intent="intro"),
    )
    return QualifyInput(
        strategy=strategy, lead=lead, research=ResearchOutput(brief="", ranked=[], chosen_signal_ids=[], confidence=1)
    )


@pytest.mark.parametrize(
    "industry, title, fits",
    [
        ("LOGISTICS_AND_SUPPLY_CHAIN", "SVP, Global Ops", True),
        ("Transportation, Logistics, Supply Chain and Storage", "Leiter Logistik", True),
        ("Software Development", "Office Manager", False),
        ("Logistics", "Logistics Coordinator", False),
    ],
)
def test_qualification_and_the_audience_agree_on_industry_and_persona(industry, title, fits):
    output = qualify_offline(_input(industry=industry, title=title))
    matcher = Matcher(Criteria.of(ICP))
    in_industry = matcher.industry(industry).outcome is True
    is_persona = matcher.persona(title).outcome is True

    assert is_persona is fits and (in_industry is fits or industry == "Logistics")
    assert (f"Industry {industry} fits." in output.reasons) is in_industry
    assert (f"{title} matches a target persona." in output.reasons) is is_persona


def test_an_excluded_subdomain_or_industry_disqualifies_as_the_audience_excludes_it():
    by_domain = qualify_offline(_input(industry="Logistics", title="VP Operations", domain="de.rival.example"))
    by_industry = qualify_offline(_input(industry="Armed Forces", title="VP Operations"))

    assert by_domain.excluded and by_domain.verdict == "disqualified"
    assert by_industry.excluded and by_industry.verdict == "disqualified"
