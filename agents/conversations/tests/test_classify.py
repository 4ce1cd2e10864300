"""The offline reply classifier on replies written for these tests (neither corpus holds them): harm first,
so an error that would act wrongly unasked sends the reply to a person instead."""

from datetime import date

import pytest

from agents.conversations.classify import ClassifyInput, classify_offline

TODAY = date(2026, 12, 1)


def classified(text: str, **fields):
    return classify_offline(ClassifyInput(text=text, today=TODAY, **fields))


def test_a_request_to_be_removed_is_an_unsubscribe_even_when_it_names_someone_else():
    output = classified("Please take me off this list. If anything, Priya Nair (priya@acme.example) handles vendors.")
    assert output.category == "unsubscribe"


@pytest.mark.parametrize(
    "text",
    [
        "Please purge my contact details from your records; Alex Moore handles vendors now.",
        "Bitte löschen Sie meine Kontaktdaten. Ansprechpartnerin ist ab sofort Frau Berg.",
        "Merci d'effacer mes données et de vous adresser plutôt à Paul Henry.",
        "Borren mi dirección de su listado; el contacto correcto es Ana Ruiz.",
    ],
)
def test_a_request_to_erase_my_data_beside_a_name_is_never_acted_on_as_a_referral(text):
    output = classified(text)
    assert output.category == "unsubscribe" or output.needs_person, output


def test_an_absence_notice_its_software_marked_as_automatic_is_handled_without_a_person():
    output = classified(
        "I am away until 14 December with no access to email.",
        auto_reply=True,
        auto_reply_headers=True,
        return_date=date(2026, 12, 14),
    )
    assert (output.category, output.needs_person, output.not_now_until) == ("out_of_office", False, date(2026, 12, 14))


def test_words_that_read_as_an_absence_without_the_headers_go_to_a_person():
    output = classified("I am away until 14 December with no access to email.")
    assert output.category == "out_of_office" and output.needs_person
    assert "without auto-reply headers" in output.person_reason


def test_a_reply_the_model_cannot_place_goes_to_a_person_with_the_reason():
    output = classified("hmm")
    assert output.needs_person and output.person_reason.startswith("low confidence")


@pytest.mark.parametrize(
    "text",
    [
        "Happy to chat, but what does it cost for 40 seats?",
        "Sounds good. Before a call I'd need your standard contract and the DPA.",
    ],
)
def test_an_answerable_reply_that_raises_terms_is_never_answered_by_the_agents(text):
    output = classified(text)
    assert output.category == "negotiation" or output.needs_person


def test_a_warm_reply_that_also_asks_to_stop_goes_to_a_person():
    output = classified("Interesting idea, but honestly no more of these emails please.")
    assert output.category == "unsubscribe" or output.needs_person


def test_not_now_reads_the_month_to_come_back():
    output = classified("Not this quarter, we are mid-migration. Ping me again in March.")
    assert (output.category, output.not_now_until) == ("not_now", date(2027, 3, 1))


@pytest.mark.parametrize(
    ("text", "name", "email"),
    [
        (
            "I've moved on from Acme; please write to Dana Cole, dana.cole@acme.example.",
            "Dana Cole",
            "dana.cole@acme.example",
        ),
        (
            "Ya no trabajo en la empresa; escriba a Marta Gil, marta@voltaro.example.",
            "Marta Gil",
            "marta@voltaro.example",
        ),
    ],
)
def test_a_referral_names_the_person_and_the_address_without_trailing_punctuation(text, name, email):
    output = classified(text)
    assert output.category in {"referral", "wrong_person"}
    assert (output.referral_name, output.referral_email) == (name, email)


@pytest.mark.parametrize(
    ("text", "category"),
    [
        ("Wir haben bereits eine Lösung und sind damit zufrieden.", "objection"),
        ("Bonjour, oui volontiers, jeudi à 15h me conviendrait pour un appel.", "interested"),
        ("Gracias, pero ahora mismo no es prioridad; escríbame después del verano.", "not_now"),
    ],
)
def test_german_french_and_spanish_replies_are_read_in_their_language(text, category):
    assert classified(text).category == category
