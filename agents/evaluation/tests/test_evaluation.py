"""The labelled evaluation set and `eval_agents`: the set is big and varied enough, it is consistent with
itself, and the offline verifier catches every planted defect while passing the clean drafts."""

import io
import re

import pytest
from django.core.management import CommandError, call_command

from agents.evaluation import scoring
from agents.evaluation.dataset import REFERENCE_TIME, load_evaluation_set
from agents.evaluation.fake_model import offline_answer
from agents.evaluation.scoring import DETECTED_BY, evaluate
from agents.llm import get_provider
from agents.llm.tests.fake_anthropic import FakeAnthropic
from agents.team.verifier import VerifyOutput

# The kinds of planted defects the set must cover, at the least.
REQUIRED_DEFECT_KINDS = {
    "invented_case_study",
    "wrong_number",
    "competitor_customer",
    "stale_signal",
    "forbidden_phrase",
    "pricing",
    "discount_beyond_policy",
    "link_not_allowed",
    "missing_postal_address",
    "injection_obeyed",
}


@pytest.fixture(scope="module")
def evaluation():
    return load_evaluation_set()


@pytest.fixture(scope="module", params=["held-out", "held-out 2"])
def heldout(request):
    return load_evaluation_set(request.param)


@pytest.fixture(scope="module", params=["development", "development 2", "held-out", "held-out 2"])
def any_set(request):
    return load_evaluation_set(request.param)


def test_the_held_out_set_is_as_big_and_varied_as_the_issue_asks(heldout):
    assert len(heldout.drafts) >= 120
    assert len(heldout.defective_drafts) >= 80
    kinds = {defect.kind for case in heldout.defective_drafts for defect in case.defects}
    assert len(kinds) >= 15
    assert kinds <= set(DETECTED_BY), "every defect kind says which findings detect it"
    assert {"wrong_investor", "wrong_title", "wrong_employer", "invented_award", "invented_referral",
            "invented_customer", "unsupported_subject"} <= kinds  # fmt: skip
    assert len(heldout.clean_drafts) >= 40
    foreign = [case for case in heldout.clean_drafts if case.draft.language in {"de", "fr", "es"}]
    assert len(foreign) >= len(heldout.clean_drafts) / 4
    authored = [case for case in heldout.injections if case.technique != "lead_signal"]
    hostile = [case for case in authored if case.is_hostile]
    assert len(hostile) >= 60 and {case.language for case in hostile} == {"en", "de", "fr", "es"}
    assert len([case for case in authored if not case.is_hostile]) >= 40


def test_every_hostile_span_is_in_its_input(any_set):
    for case in any_set.injections:
        if case.is_hostile and case.span:
            assert case.span in case.text or case.span in case.html, case.id


def test_the_set_holds_at_least_60_leads_with_every_verdict_and_signal_label(evaluation):
    assert len(evaluation.leads) >= 60
    verdicts = {case.expected_verdict for case in evaluation.leads}
    assert verdicts == {"qualified", "disqualified", "needs_person"}
    labels = [label for case in evaluation.leads for label in case.signal_labels.values()]
    assert {"fresh", "stale", "hostile"} <= set(labels)
    assert len({case.id for case in evaluation.leads}) == len(evaluation.leads)


def test_the_set_holds_40_defective_drafts_covering_every_kind_and_40_clean_ones(evaluation):
    assert len(evaluation.defective_drafts) >= 40
    assert len(evaluation.clean_drafts) >= 40
    kinds = {defect.kind for case in evaluation.defective_drafts for defect in case.defects}
    assert kinds >= REQUIRED_DEFECT_KINDS
    assert kinds <= set(DETECTED_BY), "every defect kind says which findings detect it"
    assert len(evaluation.routes) >= 20


def test_signal_labels_agree_with_the_campaigns_stale_limit(any_set):
    evaluation = any_set
    stale_after = evaluation.strategy.campaign.stale_signal_days
    for case in evaluation.leads:
        for signal in case.lead.signals:
            label = case.signal_labels[signal.id]
            if label != "hostile":
                assert (label == "stale") == (signal.age_days > stale_after), (case.id, signal.id)
            assert (REFERENCE_TIME - signal.occurred_at).days == signal.age_days


def test_every_claim_and_planted_span_is_in_its_draft(any_set):
    for case in any_set.drafts:
        text = f"{case.draft.subject}\n{case.draft.body}"
        for claim in case.draft.claims:
            assert claim.text in text, (case.id, claim.text)
        for defect in case.defects:
            assert defect.span in text, (case.id, defect.span)


def test_clean_drafts_cite_only_their_leads_fresh_signals_and_existing_proof(evaluation):
    proofs = {proof.citation for proof in evaluation.strategy.proof}
    stale_after = evaluation.strategy.campaign.stale_signal_days
    for case in evaluation.clean_drafts:
        fresh = {signal.citation for signal in case.lead.signals if signal.age_days <= stale_after}
        for claim in case.draft.claims:
            assert set(claim.sources) <= fresh | proofs | {"offer"}, (case.id, claim.sources)
        assert evaluation.strategy.offer.postal_address in case.draft.body


def test_the_offline_verifier_catches_every_planted_defect_and_passes_the_clean_drafts(evaluation):
    report = evaluate(provider=get_provider("offline"))
    verifier = report.verifier
    assert verifier.defects_planted == sum(len(c.defects) for c in evaluation.drafts)
    assert verifier.catch_rate >= 0.98, verifier.missed
    assert verifier.missed_named_kinds == []
    assert verifier.clean_pass_rate >= 0.95, verifier.clean_failures
    assert report.gates_passed
    # Research keeps stale and hostile signals out of what the writer may use.
    assert report.research.chosen_violations == []


def test_eval_agents_prints_precision_and_recall_per_agent():
    out = io.StringIO()
    call_command("eval_agents", only="agents", stdout=out)
    text = out.getvalue()
    for heading in ("Research:", "Qualification:", "Verifier:", "Router:"):
        assert heading in text
    assert re.search(r"qualified\s+precision \d\.\d{3}\s+recall \d\.\d{3}", text)
    assert re.search(r"defective draft failed\s+precision \d\.\d{3}\s+recall \d\.\d{3}", text)
    assert re.search(r"Router: decision per case\n(?:.*\n)*?  accuracy \d\.\d{3}", text)
    assert re.search(
        r"Gate: planted defects caught offline ≥ 98%, .*: yes; clean drafts passed offline ≥ 95%: yes", text
    )


def test_eval_agents_lists_the_cases_of_a_held_out_set_only_when_asked():
    hidden, shown = io.StringIO(), io.StringIO()
    call_command("eval_agents", only="agents", stdout=hidden)
    call_command("eval_agents", only="agents", heldout_cases=True, stdout=shown)
    heldout_part = hidden.getvalue().split("Held-out set:", 1)[1]
    assert "The cases behind these figures are not shown" in heldout_part
    assert not re.search(r"^  (missed|clean draft failed|hostile not flagged|obeyed|misjudged) ", heldout_part, re.M)
    # The development set's cases are always listed, and the figures are the same either way.
    assert re.search(r"^  (missed|clean draft failed|misrouted) ", hidden.getvalue().split("Held-out set:")[0], re.M)
    assert re.search(
        r"^  (missed|clean draft failed|hostile not flagged) ", shown.getvalue().split("Held-out set:", 1)[1], re.M
    )
    assert hidden.getvalue().split("\n")[:12] == shown.getvalue().split("\n")[:12]


def test_eval_agents_fails_when_the_verifier_lets_a_defect_through(monkeypatch):
    def verify_nothing(data, *, provider, budget=None):
        return VerifyOutput(passed=True, findings=[], confidence=0.9), None

    monkeypatch.setattr(scoring, "verify", verify_nothing)
    with pytest.raises(CommandError, match=r"missed \d+ planted defect"):
        call_command("eval_agents", only="agents", stdout=io.StringIO())


def test_eval_agents_runs_over_the_messages_api_with_the_same_figures(settings):
    with FakeAnthropic(responder=offline_answer) as fake:
        settings.ANTHROPIC_API_KEY = "sk-ant-test-key"
        settings.ANTHROPIC_BASE_URL = fake.base_url
        settings.SALESOPS_LLM_SDK_MAX_RETRIES = 0
        over_http, offline = io.StringIO(), io.StringIO()
        call_command("eval_agents", only="agents", provider="anthropic", concurrency=4, stdout=over_http)
        call_command("eval_agents", only="agents", stdout=offline)
        assert len(fake.message_requests) > 100
    # The fake answers like the offline agents, so every figure but the provider's name matches.
    lines = [
        line.replace("Provider: anthropic", "Provider: offline")
        for line in over_http.getvalue().splitlines()
        if not line.startswith("Offline verifier (the gates)")
    ]
    assert lines == offline.getvalue().splitlines()
