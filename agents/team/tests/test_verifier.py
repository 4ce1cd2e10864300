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


def _kinds(body: str, claims: list[Claim] = ()) -> set[str]:
    return {kind for kind, _span in _findings(body, claims)}


def test_a_forbidden_topic_is_found_by_what_a_sentence_says_not_only_by_the_policys_words():
    """The policy forbids "politics", "competitor pricing" and "layoffs"; none of these sentences uses
    those words."""
    for sentence in (
        "Plenty of robotics firms have been shedding sales staff this quarter.",
        "Viele Hersteller haben zuletzt Personalabbau im Vertrieb angekündigt.",
        "Beaucoup d'industriels ont dû se séparer de plusieurs vendeurs cette année.",
        "Muchas empresas han tenido que prescindir de parte de sus comerciales.",
        "Nobody knows yet what the upcoming elections mean for export orders.",
        "Die neuen Zölle auf Maschinenteile treffen viele Exporteure.",
        "Avec les droits de douane annoncés, les exportateurs hésitent.",
        "Con los nuevos aranceles, los pedidos de exportación se frenan.",
        "Most teams your size pay Gong far more per seat than it is worth.",
        "Die Lizenzen von Salesloft werden jedes Jahr teurer.",
    ):
        assert "forbidden_topic" in _kinds(sentence), sentence


def test_words_near_a_forbidden_topic_that_are_not_it_pass():
    for sentence in (
        "With 6 SDR seats to fill in Munich, ramp time matters.",
        "Our privacy policy lists every processor we use.",
        "Acme Robotics lets its reps go deep on a few accounts.",
    ):
        assert "forbidden_topic" not in _kinds(sentence), sentence


def test_a_price_is_pricing_even_without_a_figure_in_any_language():
    for sentence in (
        "It works out cheaper than hiring another SDR.",
        "Die ersten zwei Monate sind kostenlos.",
        "Vous ne payez que pour les utilisateurs actifs.",
        "Los primeros tres meses van sin coste para vosotros.",
    ):
        assert "pricing" in _kinds(sentence), sentence
    assert "pricing" not in _kinds("It takes less time than a manual review.")


def test_counts_said_another_way_are_supported_numbers():
    """A count of the email's own content ("two quick thoughts") states no fact; a duration rounding the
    cited signal's age is that age, one far from it is not."""
    assert "unsupported_number" not in _kinds(
        "Two quick thoughts on the six new SDR roles.",
        [Claim(text="Two quick thoughts on the six new SDR roles.", sources=["signal:12"])],  # fmt: skip
    )
    around = "About two weeks ago you posted six SDR roles."  # signal 12 is 12 days old
    assert "unsupported_number" not in _kinds(around, [Claim(text=around, sources=["signal:12"])])
    off = "About five months ago you posted six SDR roles."
    assert "unsupported_number" in _kinds(off, [Claim(text=off, sources=["signal:12"])])
