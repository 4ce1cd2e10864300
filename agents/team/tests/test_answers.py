"""The offline writer's answers to replies: the approved fact that answers the reply, or, when none does,
a colleague promised and a person asked to answer; meeting times when the reply also wants to meet."""

import pytest

from agents.evaluation.dataset import load_evaluation_set
from agents.team.context import ProofFact, StepFacts
from agents.team.research import ResearchOutput
from agents.team.writer import WriteInput, answer_offline

PROOF = [
    ProofFact(id=1, kind="integration", title="Salesforce sync", text="Our Salesforce sync runs every five minutes."),
    ProofFact(id=2, kind="security", title="SOC 2", text="We hold a SOC 2 Type II report, renewed every year."),
]


@pytest.fixture
def answering():
    evaluation = load_evaluation_set()
    strategy = evaluation.strategy.model_copy(update={"proof": PROOF})
    lead = evaluation.leads[0].lead
    lead = lead.model_copy(update={"step": StepFacts(position=0, intent="answer")})

    def answer(text: str, category: str, meeting_offer: str = ""):
        return answer_offline(
            WriteInput(
                strategy=strategy,
                lead=lead,
                research=ResearchOutput(chosen_signal_ids=[], brief="", ranked=[], confidence=0.9),
                reply_text=text,
                reply_category=category,
                meeting_offer=meeting_offer,
            )
        )

    return answer


def test_a_question_is_answered_with_the_fact_that_shares_its_topic(answering):
    draft = answering("How often does the Salesforce integration sync our records?", "question")
    assert "Our Salesforce sync runs every five minutes." in draft.body
    assert [claim.sources for claim in draft.claims][0] == ["proof:1"]
    assert "SOC 2" not in draft.body and not draft.needs_person


def test_a_question_no_fact_answers_promises_a_colleague_and_asks_a_person(answering):
    draft = answering("Do you support on-premise deployment in our own data centre?", "question")
    assert "a colleague who knows this well will follow up" in draft.body
    assert not any(proof.text in draft.body for proof in PROOF)
    assert draft.needs_person == "no approved fact answers the question"


def test_a_question_that_also_wants_a_call_gets_the_answer_and_the_times(answering):
    times = "Tuesday 8 December, 10:00\nWednesday 9 December, 14:30"
    draft = answering("Does it work with Salesforce? If so, happy to talk next week.", "question", times)
    assert "Our Salesforce sync runs every five minutes." in draft.body and times in draft.body


def test_the_router_sends_a_draft_the_writer_flagged_to_a_person():
    from agents.team.qualify import QualifyOutput
    from agents.team.router import RouteInput, route
    from agents.team.verifier import VerifyOutput

    evaluation = load_evaluation_set()
    lead = evaluation.leads[0].lead.model_copy(update={"step": StepFacts(position=0, intent="answer")})
    strategy = evaluation.strategy
    strategy = strategy.model_copy(update={"campaign": strategy.campaign.model_copy(update={"autonomy": "autonomous"})})

    def decided(note: str):
        return route(
            RouteInput(
                strategy=strategy,
                lead=lead.model_copy(update={"quarantined": []}),
                qualification=QualifyOutput(
                    verdict="qualified", confidence=0.95, reasons=["fits"], fit_score=90, intent_score=90
                ),
                verification=VerifyOutput(passed=True, findings=[], confidence=0.95),
                writer_note=note,
            )
        )

    assert decided("").decision == "send"
    flagged = decided("no approved fact answers the question")
    assert flagged.decision == "review" and "no approved fact answers the question" in flagged.reason
