"""The reply classifier's evaluation: figures per language and category, harm counted as the product
defines it, the development corpus cross-validated, and the held-out cases listed only on request.

Both corpora are stood in for by small slices of the training corpus, so these tests run in seconds and
never read the held-out corpus's cases."""

import io
import json
import re
from datetime import date
from types import SimpleNamespace

import pytest
from django.core.management import call_command

from agents.conversations.classify import ClassifyOutput, classify_offline
from agents.evaluation import replies

TRAINING = replies.REPLY_SET_DIRS["development"]


def _slice(directory, lines):
    directory.mkdir()
    (directory / "replies_x.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return directory


@pytest.fixture
def small_corpora(tmp_path, monkeypatch):
    """Eight messages of each category and language mix as "development", four others as "held-out"."""
    by_category: dict[str, list[str]] = {}
    for path in sorted(TRAINING.glob("replies_*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                by_category.setdefault(json.loads(line)["category"], []).append(line)
    development = [line for lines in by_category.values() for line in lines[:8]]
    held_out = [line for lines in by_category.values() for line in lines[-4:]]
    monkeypatch.setitem(replies.REPLY_SET_DIRS, "development", _slice(tmp_path / "development", development))
    monkeypatch.setitem(replies.REPLY_SET_DIRS, "held-out", _slice(tmp_path / "held-out", held_out))
    return len(development), len(held_out)


def test_the_report_gives_accuracy_per_language_and_category_dates_reports_and_harm(small_corpora):
    development_size, _ = small_corpora
    report = replies.evaluate_replies("development", classify_offline)
    text = report.as_text(cases=True)
    assert f"Replies, development ({development_size} messages)" in text
    for line in ("accuracy", "  en: ", "    unsubscribe ", "harmful errors", "sent to a person first"):
        assert line in text
    assert re.search(r"dates read right [\d.]+% \(\d+/\d+\); delivery reports right [\d.]+% \(\d+/\d+\)", text)


def test_the_development_corpus_is_classified_by_models_that_did_not_learn_its_cases(small_corpora, monkeypatch):
    trained_on = []
    original = replies.reply_model.train

    def train(cases):
        cases = list(cases)
        trained_on.append({case.id for case in cases})
        return original(cases)

    monkeypatch.setattr(replies.reply_model, "train", train)
    report = replies.evaluate_replies("development", classify_offline)
    assert len(trained_on) == replies.FOLDS
    ids = [result.case.id for result in report.results]
    assert len(ids) == len(set(ids)) == small_corpora[0]
    for fold, kept in enumerate(trained_on):
        held = {case_id for index, case_id in enumerate(ids) if index % replies.FOLDS == fold}
        assert held and not held & kept


def _result(category: str, predicted: str, *, also=(), needs_person=False, auto_reply_headers=False):
    case = replies.ReplyCase("x-1", "en", category, tuple(also), {}, b"")
    parsed = SimpleNamespace(auto_reply_headers=True) if auto_reply_headers else None  # all harm reads of it
    output = ClassifyOutput(category=predicted, confidence=0.9, needs_person=needs_person)
    return replies.ReplyResult(case, output, parsed)


@pytest.mark.parametrize(
    ("category", "predicted", "also", "harm"),
    [
        ("unsubscribe", "referral", (), "unsubscribe not honoured"),
        ("referral", "referral", ("unsubscribe",), "unsubscribe not honoured"),
        ("question", "out_of_office", (), "a person's reply taken for out of office"),
        ("negotiation", "question", (), "negotiation answered by the agent"),
        ("interested", "question", ("negotiation",), "negotiation answered by the agent"),
        ("objection", "interested", (), "objection answered as interest"),
        ("objection", "not_now", (), ""),  # wrong, but it acts no worse than waiting
    ],
)
def test_a_harmful_error_is_one_that_acts_wrongly_unasked(category, predicted, also, harm):
    assert _result(category, predicted, also=also).harm == harm


def test_an_error_sent_to_a_person_first_is_no_harm_and_neither_is_a_ticket_system_taken_for_an_absence():
    assert _result("unsubscribe", "referral", needs_person=True).harm == ""
    assert _result("other", "out_of_office", auto_reply_headers=True).harm == ""


def test_eval_agents_prints_both_corpora_and_lists_the_held_out_cases_only_when_asked(small_corpora, monkeypatch):
    # One held-out case the classifier gets wrong whatever it learnt, so there is a case to list or hide.
    monkeypatch.setattr(
        replies,
        "_run",
        lambda case, classify: (
            replies.ReplyResult(
                case,
                ClassifyOutput(category="other" if case.category != "other" else "interested", confidence=0.9),
                None,
            )
            if case.id == replies.load_reply_cases(replies.REPLY_SET_DIRS["held-out"])[0].id
            else replies.ReplyResult(case, ClassifyOutput(category=case.category, confidence=0.9), None)
        ),
    )
    hidden, shown = io.StringIO(), io.StringIO()
    call_command("eval_agents", only="replies", stdout=hidden)
    call_command("eval_agents", only="replies", heldout_cases=True, stdout=shown)
    assert re.search(r"^Replies\s+development\s+held-out", hidden.getvalue(), re.M)
    heldout_part = hidden.getvalue().split("Replies, held-out", 1)[1]
    assert " → " not in heldout_part
    assert " → " in shown.getvalue().split("Replies, held-out", 1)[1]
    assert "Research:" not in hidden.getvalue()  # --only replies leaves the agents' evaluation out


def test_the_offline_classifier_is_measured_on_the_dates_it_reads():
    report = replies.ReplyReport("x")
    case = replies.ReplyCase("x-1", "en", "not_now", (), {"not_now_until": "2027-03-01"}, b"")
    report.results.append(
        replies.ReplyResult(
            case, ClassifyOutput(category="not_now", confidence=0.9, not_now_until=date(2027, 3, 1)), None
        )
    )
    assert report.dates() == (1, 1)
