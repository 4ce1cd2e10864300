"""The verifier's rules, one check each, reported in a fixed order (on a lead and strategy of the
evaluation set: Acme Robotics, whose signal 13 is stale)."""

from agents.evaluation.dataset import load_evaluation_set
from agents.team.verifier import VerifyInput, deterministic_checks
from agents.team.writer import Claim, WriteOutput

EVALUATION = load_evaluation_set()
STRATEGY = EVALUATION.strategy
LEAD = next(case.lead for case in EVALUATION.leads if case.id == "L01")
SIGN_OFF = f"{STRATEGY.offer.signature}\n{STRATEGY.offer.postal_address}"
STALE_NEWS = "Acme Robotics opened an office in Munich with 40 engineers."


def _findings(body: str, claims: list[Claim] = (), *, sign_off: str = SIGN_OFF, trusted_text: str = ""):
    draft = WriteOutput(subject="Hello", body=f"Hi Anna,\n\n{body}\n\n{sign_off}", claims=list(claims))
    data = VerifyInput(strategy=STRATEGY, lead=LEAD, draft=draft, trusted_text=trusted_text)
    return [(finding.kind, finding.span) for finding in deterministic_checks(data)]


def test_a_clean_draft_has_no_findings():
    assert _findings("Would a 20-minute call next week be useful?") == []


def test_findings_come_in_the_order_of_the_checks_whatever_their_order_in_the_draft():
    body = "More at https://other.example/x. We guarantee it. Acme Robotics is growing fast."
    findings = _findings(body, [Claim(text="Acme Robotics is growing fast.", sources=[])], sign_off="Sam")
    assert [kind for kind, _span in findings] == [
        "uncited_claim",
        "forbidden_phrase",
        "link_not_allowed",
        "missing_signature",
        "missing_postal_address",
    ]


def test_a_stale_signal_cited_is_reported_once_not_again_as_restated():
    findings = _findings(STALE_NEWS, [Claim(text=STALE_NEWS, sources=["signal:13"])])
    assert findings == [("stale_signal", STALE_NEWS)]


def test_a_stale_signal_restated_under_a_fresh_signals_citation_is_caught_and_its_number_reported_once():
    findings = _findings(STALE_NEWS, [Claim(text=STALE_NEWS, sources=["signal:11"])])
    # Munich is also in fresh signal 12, which the draft does not cite: a warning, not a block.
    assert findings == [("unsupported_number", STALE_NEWS), ("stale_signal", STALE_NEWS), ("uncited_fact", "Munich")]


def test_what_we_put_in_verbatim_is_not_checked_but_what_a_person_adds_around_it_is():
    offer = "Would Tuesday at 10:00 work? Or pick any time: https://book.other.example/k3j9"
    body = f"{offer}\nOur deck: https://slides.example/deck"
    assert _findings(body, trusted_text=offer) == [("link_not_allowed", "https://slides.example/deck")]
    assert ("link_not_allowed", "https://book.other.example/k3j9") in _findings(body)


def test_markup_from_a_data_field_never_reaches_an_email():
    findings = _findings("Saw the news: <b>Acme</b> <img src=x onerror=alert(1)> and //evil.example/x.")
    kinds = [kind for kind, _span in findings if kind == "unsafe_markup"]
    assert len(kinds) >= 3


def test_our_own_email_may_say_what_our_ai_agents_do():
    body = "Nos agents IA identifient les bons comptes, écrivent les premiers messages et assurent les relances."
    assert ("prompt_injection", body) not in _findings(body)
    assert not [kind for kind, _span in _findings(body) if kind == "prompt_injection"]
