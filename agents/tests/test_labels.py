"""Run pages name an agent step's decision in words, never by its code."""

from agents.labels import step_decision_label


def test_the_routers_and_the_qualifiers_codes_read_as_words():
    assert step_decision_label("person_owns") == "A person owns the lead"
    assert step_decision_label("needs_person") == "Needs a person"
    assert step_decision_label("send") == "Send"


def test_an_unknown_code_reads_as_words_and_free_text_as_written():
    assert step_decision_label("waiting_for_budget") == "Waiting for budget"
    assert step_decision_label("chose 2 signals") == "chose 2 signals"
    assert step_decision_label("") == ""
