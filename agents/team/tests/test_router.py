"""The router's rules for a lead with withheld data and for answers to a prospect's reply."""

from datetime import UTC, datetime

import pytest

from agents.team.context import (
    AccountFacts,
    CampaignFacts,
    ContactFacts,
    IcpFacts,
    Lead,
    OfferFacts,
    PolicyFacts,
    QuarantinedItem,
    SignalFact,
    StepFacts,
    Strategy,
)
from agents.team.qualify import QualifyOutput
from agents.team.router import RouteInput, route
from agents.team.verifier import VerifyOutput
from agents.team.writer import Finding

WITHHELD = QuarantinedItem(
    source="signal:12", record_id=12, label="Signal 12 (support ticket) 'Export keeps timing out'", span="SYSTEM:"
)
QUALIFIED = QualifyOutput(fit_score=90, intent_score=80, reasons=["Fits."], verdict="qualified", confidence=0.95)
DISQUALIFIED = QualifyOutput(
    fit_score=0, intent_score=0, reasons=["acme.example is on the ICP's exclusion list."], verdict="disqualified",
    confidence=1,
)  # fmt: skip
PASSED = VerifyOutput(passed=True, findings=[], confidence=0.95)


def _route(*, autonomy="autonomous", quarantined=(), tier="", intent="intro", qualification=QUALIFIED,
           verification=PASSED, high_value_tiers=()):  # fmt: skip
    strategy = Strategy(
        icp=IcpFacts(version=1),
        offer=OfferFacts(
            value_proposition="v", call_to_action="c", sender_name="Sam", signature="Sam", postal_address="Berlin"
        ),
        policy=PolicyFacts(),
        proof=[],
        campaign=CampaignFacts(autonomy=autonomy, confidence_threshold=0.5, high_value_tiers=list(high_value_tiers)),
    )
    lead = Lead(
        account=AccountFacts(name="Acme", domain="acme.example", tier=tier),
        contact=ContactFacts(email="mia@acme.example"),
        signals=[
            SignalFact(
                id=12,
                kind="support_ticket",
                occurred_at=datetime(2026, 11, 1, tzinfo=UTC),
                age_days=1,
                source="crm",
                title="Withheld",
                text="Withheld",
            )  # fmt: skip
        ],
        step=StepFacts(position=0 if intent == "answer" else 1, intent=intent),
        quarantined=list(quarantined),
    )
    return route(RouteInput(strategy=strategy, lead=lead, qualification=qualification, verification=verification))


@pytest.mark.parametrize("autonomy", ["autonomous", "review_low_confidence", "review_all"])
def test_a_lead_with_withheld_data_is_never_sent_without_review(autonomy):
    decision = _route(autonomy=autonomy, quarantined=[WITHHELD])
    assert decision.decision == "review"
    assert "Signal 12 (support ticket) 'Export keeps timing out'" in decision.reason


def test_the_same_lead_without_withheld_data_is_sent():
    assert _route().decision == "send"


def test_a_blocked_draft_and_a_person_owned_account_come_before_the_quarantine():
    blocked = VerifyOutput(passed=False, findings=[Finding(kind="pricing", message="Pricing.")], confidence=0.9)
    assert _route(quarantined=[WITHHELD], verification=blocked).decision == "exception"
    owned = _route(quarantined=[WITHHELD], tier="A", high_value_tiers=["A"])
    assert owned.decision == "person_owns"


def test_an_answer_to_a_lead_that_does_not_qualify_goes_to_a_person_not_the_bin():
    decision = _route(intent="answer", qualification=DISQUALIFIED)
    assert decision.decision == "review"
    assert "The prospect replied" in decision.reason and "exclusion list" in decision.reason
    assert _route(qualification=DISQUALIFIED).decision == "drop"
