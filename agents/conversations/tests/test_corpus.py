"""Real-looking replies, auto-replies and bounces from common mail clients and servers, with the
outcome each must get. Offline classification must reach 95% accuracy on the corpus."""

import json
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from agents.conversations.classify import ClassifyInput, classify_offline
from agents.conversations.parsing import parse_message

CORPUS = Path(__file__).parent / "corpus"
CASES = json.loads((CORPUS / "expected.json").read_text())
TODAY = date(2026, 11, 25)


def _classify(case):
    parsed = parse_message((CORPUS / case["file"]).read_bytes(), received_at=datetime(2026, 11, 25, 12, 0, tzinfo=UTC))
    output = classify_offline(
        ClassifyInput(
            subject=parsed.subject,
            text=parsed.text,
            auto_reply=parsed.auto_reply,
            auto_reply_headers=parsed.auto_reply_headers,
            return_date=parsed.return_date,
            bounce=parsed.bounce,
            today=TODAY,
        )
    )
    return parsed, output


def test_the_corpus_covers_every_kind_of_message():
    categories = {case["category"] for case in CASES}
    assert {"interested", "question", "objection", "not_now", "referral", "wrong_person", "unsubscribe",
            "out_of_office", "bounce", "negotiation"} <= categories  # fmt: skip
    assert len(CASES) >= 40


def test_offline_classification_reads_nine_in_ten_and_sends_every_misreading_to_a_person():
    # These fixtures test the plumbing; the classifier's figures are eval_agents' (held-out corpus).
    wrong, acted_on = [], []
    for case in CASES:
        _, output = _classify(case)
        if output.category != case["category"]:
            wrong.append((case["file"], case["category"], output.category, output.span))
            # A negotiation always goes to a person (the agents stay silent).
            if not output.needs_person and output.category != "negotiation":
                acted_on.append(case["file"])
    accuracy = 1 - len(wrong) / len(CASES)
    assert accuracy >= 0.9, f"accuracy {accuracy:.1%}; wrong: {wrong}"
    assert not acted_on, f"misread and acted on without a person: {acted_on}"


@pytest.mark.parametrize("case", CASES, ids=[case["file"] for case in CASES])
def test_each_message_is_parsed_and_classified_with_its_details(case):
    parsed, output = _classify(case)
    assert parsed.from_address and parsed.message_id
    assert "Would a 20-minute call" not in parsed.text  # quoted history is stripped
    if case["category"] == "bounce":
        assert parsed.bounce and case["bounced"] in parsed.bounced_addresses
    if "return_date" in case:
        assert parsed.auto_reply
        assert parsed.return_date == date.fromisoformat(case["return_date"])
    if "not_now_until" in case:
        assert output.not_now_until == date.fromisoformat(case["not_now_until"])
    for detail in ("objection_kind", "negotiation_kind", "referral_email", "referral_name"):
        if detail in case and output.category == case["category"]:
            assert getattr(output, detail) == case[detail]
    if case.get("injection"):
        assert output.injection_span
    else:
        assert not output.injection_span
