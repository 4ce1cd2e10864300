"""Claim-level grounding: each fact a sentence states rests on a source the draft cites or on what we
may say without one (the recipient as on file, our own offer). A fact nobody supports blocks the draft
with its span and its type; the same sentence with the supported fact passes."""

from datetime import UTC, datetime, timedelta

import pytest

from agents.evaluation.dataset import load_strategy
from agents.team.context import AccountFacts, ContactFacts, Lead, SignalFact, StepFacts
from agents.team.verifier import VerifyInput, verify_offline
from agents.team.writer import Claim, WriteOutput

NOW = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
STRATEGY = load_strategy()


def _signal(id, kind, title, text, age_days=5):
    return SignalFact(
        id=id, kind=kind, occurred_at=NOW - timedelta(days=age_days), age_days=age_days, source="test",
        title=title, text=text,
    )  # fmt: skip


FUNDING = _signal(1, "funding", "Lumen Freight raised €18M", "Lumen Freight raised an €18M Series B led by Northzone.")
JOB = _signal(
    2, "job_change", "Mara Olsen joined Lumen Freight", "Mara Olsen joined Lumen Freight as VP Sales from Maersk."
)
HIRING = _signal(3, "hiring", "Lumen Freight is hiring 8 SDRs", "Lumen Freight posted 8 SDR roles in Hamburg.")


def _lead(*signals, title="VP Sales", first_name="Mara"):
    return Lead(
        account=AccountFacts(name="Lumen Freight", domain="lumen-freight.example", industry="Logistics"),
        contact=ContactFacts(first_name=first_name, last_name="Olsen", email="mara@lumen-freight.example", title=title),
        signals=list(signals),
        step=StepFacts(position=1, intent="intro"),
    )


def _verify(sentence, *sources, lead=None, subject="A thought for Lumen Freight", language="en", greeting="Hi Mara,"):
    offer = STRATEGY.offer
    call = "Would a 20-minute call next week be useful?"
    body = f"{greeting}\n\n{sentence}\n\n{call}\n\n{offer.signature}\n{offer.postal_address}"
    draft = WriteOutput(
        subject=subject, body=body, claims=[Claim(text=sentence, sources=list(sources))], language=language
    )
    lead = lead or _lead(FUNDING, JOB, HIRING)
    return verify_offline(VerifyInput(strategy=STRATEGY, lead=lead, draft=draft))


def _blocking(output):
    return [
        (finding.kind, finding.fact_type, finding.span) for finding in output.findings if finding.severity == "block"
    ]


NAMED = {"name", "organisation", "person"}
GROUNDING_KINDS = {"unsupported_fact", "contradicted_fact", "unsupported_number"}


@pytest.mark.parametrize(
    ("sentence", "source", "fact_types", "span"),
    [
        ("Congrats on the €18M round led by Sequoia.", "signal:1", {"relationship"}, "Sequoia"),
        ("Congrats on the €18M round with Sequoia.", "signal:1", NAMED, "Sequoia"),
        ("Congrats on the €18M round led by Northzone.", "signal:1", None, None),
        ("Congrats on joining Lumen Freight as COO.", "signal:2", {"title"}, "COO"),
        ("Congrats on joining Lumen Freight as VP Sales.", "signal:2", None, None),
        ("Great to see you join from DHL.", "signal:2", NAMED, "DHL"),
        ("Great to see you join from Maersk.", "signal:2", None, None),
        ("We count Siemens Logistics among our clients.", "offer", NAMED | {"relationship"}, "Siemens Logistics"),
        ("Jonas Weber from your Hamburg team suggested I reach out.", "signal:3", {"referral"}, "suggested I"),
        ("Jonas Weber from your Hamburg team suggested I reach out.", "signal:3", NAMED, "Jonas Weber"),
        ("Congrats on winning the Logistics Innovation Award.", "signal:1", {"award"}, "Award"),
        ("Congrats on the €18 billion Series B.", "signal:1", {"amount"}, "€18 billion"),
        ("Congrats on the Series B you closed in March.", "signal:1", {"date"}, "March"),
        ("Congrats on the Series B you closed in 2019.", "signal:1", {"date"}, "2019"),
    ],
)
def test_a_fact_about_a_person_or_company_must_rest_on_a_cited_source(sentence, source, fact_types, span):
    findings = _blocking(_verify(sentence, source))
    if fact_types is None:
        assert findings == []
    else:
        assert any(
            found_type in fact_types and span.lower() in found_span.lower()
            for _kind, found_type, found_span in findings
        ), findings
        assert {kind for kind, *_ in findings} <= GROUNDING_KINDS


def test_a_title_said_of_the_recipient_that_differs_from_the_file_contradicts_it():
    output = _verify("In your role as Head of Procurement, supplier follow-ups pile up.", "offer")
    [finding] = [finding for finding in output.findings if finding.fact_type == "title"]
    assert finding.kind == "contradicted_fact"
    assert "VP Sales" in finding.message


def test_the_subject_is_a_sentence_too_a_funding_subject_without_funding_blocks():
    lead = _lead(HIRING)
    output = _verify(
        "With 8 SDR roles open, ramp time matters.", "signal:3", lead=lead, subject="After your funding news"
    )
    assert ("unsupported_fact", "event", "funding") in _blocking(output)
    assert _blocking(_verify("With 8 SDR roles open, ramp time matters.", "signal:3", lead=lead)) == []


def test_an_award_we_were_only_shortlisted_for_is_not_one_we_won():
    finalist = _signal(4, "news", "Lumen Freight shortlisted", "Lumen Freight was a finalist for the Logistics Award.")
    lead = _lead(finalist)
    assert _blocking(_verify("Congrats on being a finalist for the Logistics Award.", "signal:4", lead=lead)) == []
    findings = _blocking(_verify("Congrats on winning the Logistics Award.", "signal:4", lead=lead))
    assert ("contradicted_fact", "award", "winning") in findings


def test_a_true_fact_from_a_signal_the_draft_does_not_cite_warns_but_does_not_block():
    output = _verify("Congrats on the Series B led by Northzone.", "offer")
    assert output.passed
    assert any(finding.kind == "uncited_fact" and finding.severity == "warn" for finding in output.findings)


def test_a_german_draft_capitalises_its_nouns_without_turning_them_into_names():
    sentence = (
        "Herzlichen Glückwunsch zur Finanzierungsrunde über 18 Mio. Euro, angeführt von Northzone – mit acht "
        "neuen Stellen im Vertrieb in Hamburg wird die Einarbeitung schnell zum Engpass."
    )
    output = _verify(sentence, "signal:1", language="de", greeting="Guten Tag Frau Olsen,")
    assert _blocking(output) == [], output.findings
    wrong = sentence.replace("Northzone", "Kinnevik")
    assert any(span == "Kinnevik" for _kind, _type, span in _blocking(_verify(wrong, "signal:1", language="de")))


def test_french_and_spanish_drafts_get_the_same_checks():
    french = "Félicitations pour la levée de 18 M€ menée par Northzone."
    assert _blocking(_verify(french, "signal:1", language="fr", greeting="Bonjour Madame Olsen,")) == []
    assert _blocking(_verify(french.replace("Northzone", "Partech"), "signal:1", language="fr"))
    spanish = "Enhorabuena por la ronda de 18 millones de euros liderada por Northzone."
    assert _blocking(_verify(spanish, "signal:1", language="es", greeting="Hola Mara,")) == []
    assert _blocking(_verify(spanish.replace("18 millones", "180 millones"), "signal:1", language="es"))


def test_numbers_are_read_in_the_drafts_own_notation():
    german = "Mit acht offenen Stellen und 18,0 Mio. € im Rücken zählt jede Woche."
    assert _blocking(_verify(german, "signal:1", "signal:3", language="de", greeting="Guten Tag Frau Olsen,")) == []


TRUCKS = _signal(4, "news", "Lumen Freight orders 95 trucks", "Lumen Freight ordered 95 trucks and 120 trailers.")
GREETINGS = {"en": "Hi Mara,", "de": "Guten Tag Frau Olsen,", "fr": "Bonjour Mara,", "es": "Hola Mara,"}


@pytest.mark.parametrize(
    ("sentence", "language"),
    [
        ("Ninety-five trucks and a hundred and twenty trailers take some planning.", "en"),
        ("Fünfundneunzig Lkw und hundertzwanzig Auflieger wollen geplant sein.", "de"),
        ("Quatre-vingt-quinze camions et cent vingt remorques, cela se planifie.", "fr"),
        ("Cent vingt remorques de plus, cela se planifie.", "fr"),
        ("Noventa y cinco camiones y ciento veinte remolques hay que planificarlos.", "es"),
    ],
)
def test_numbers_spelled_out_in_any_of_the_four_languages_are_the_sources_numbers(sentence, language):
    lead = _lead(FUNDING, JOB, TRUCKS)
    assert _blocking(_verify(sentence, "signal:4", lead=lead, language=language, greeting=GREETINGS[language])) == []


@pytest.mark.parametrize(
    ("sentence", "language", "number"),
    [
        ("Ninety-six trucks take some planning.", "en", "96"),
        ("Sechsundneunzig Lkw wollen geplant sein.", "de", "96"),
        ("Quatre-vingt-seize camions, cela se planifie.", "fr", "96"),
        ("Ciento treinta remolques hay que planificarlos.", "es", "130"),
    ],
)
def test_a_spelled_out_number_no_source_gives_is_reported(sentence, language, number):
    lead = _lead(FUNDING, JOB, TRUCKS)
    findings = _blocking(_verify(sentence, "signal:4", lead=lead, language=language, greeting=GREETINGS[language]))
    assert [kind for kind, _type, _span in findings] == ["unsupported_number"], (findings, number)


def test_a_percentage_and_hundreds_of_something_are_no_hundred():
    sentence = "Hundreds of trucks, tens of thousands of stops and 95 per cent of them on time: that takes planning."
    source = _signal(5, "news", "Lumen Freight: 95% on time", "Lumen Freight reports 95% of deliveries on time.")
    assert _blocking(_verify(sentence, "signal:5", lead=_lead(FUNDING, JOB, source))) == []
    french = "Des centaines de camions et 95 pour cent de livraisons à l'heure : cela se planifie."
    assert _blocking(_verify(french, "signal:5", lead=_lead(FUNDING, JOB, source), language="fr",
                             greeting="Bonjour Mara,")) == []  # fmt: skip


# Relationships between parties: true names in a false relation.

PROOF_BRIGHTLINE = "proof:1"  # Brightline doubled its qualified demos… (a customer we may name)


@pytest.mark.parametrize(
    ("sentence", "language"),
    [
        ("Maersk has relied on salesops since the spring.", "en"),
        ("Maersk is one of our clients as well.", "en"),
        ("Auch Maersk und die Hafenbank nutzen salesops seit dem Frühjahr.", "de"),
        ("Maersk fait partie de nos clients depuis le printemps.", "fr"),
        ("Maersk utilise déjà salesops pour sa prospection.", "fr"),
        ("Maersk confía en salesops desde la primavera.", "es"),
    ],
)
def test_a_true_name_is_no_customer_of_ours_unless_the_proof_library_says_so(sentence, language):
    """Maersk is in the cited job-change signal (Mara's former employer), so the name is true; that it is
    our customer is not, whatever the language."""
    findings = _blocking(_verify(sentence, "signal:2", language=language))
    assert any(fact_type == "relationship" and "Maersk" in span for _kind, fact_type, span in findings), findings


@pytest.mark.parametrize(
    ("sentence", "language"),
    [
        ("Brightline has relied on salesops since the spring.", "en"),
        ("Auch Brightline nutzt salesops seit dem Frühjahr.", "de"),
        ("Brightline fait partie de nos clients depuis le printemps.", "fr"),
        ("Brightline confía en salesops desde la primavera.", "es"),
    ],
)
def test_a_customer_the_proof_library_names_may_be_called_one(sentence, language):
    assert _blocking(_verify(sentence, PROOF_BRIGHTLINE, language=language)) == []


@pytest.mark.parametrize(
    ("sentence", "language"),
    [
        ("Northzone also invested in Brightline, so the playbook may sound familiar.", "en"),
        ("Northzone ist übrigens auch an Brightline beteiligt.", "de"),
        ("Northzone est aussi actionnaire de Brightline.", "fr"),
        ("Northzone también es accionista de Brightline.", "es"),
        ("Lumen Freight already supplies Brightline's warehouses.", "en"),
    ],
)
def test_two_true_names_in_a_relation_no_cited_source_states_are_blocked(sentence, language):
    """Northzone is in the funding signal, Brightline in the proof point: no source names them together."""
    findings = _blocking(_verify(sentence, "signal:1", PROOF_BRIGHTLINE, language=language))
    assert any(fact_type == "relationship" for _kind, fact_type, _span in findings), findings


def test_a_relation_the_cited_source_states_passes():
    """The funding signal is about Lumen Freight and names Northzone: the account and its investor meet in it."""
    assert _blocking(_verify("Northzone backed Lumen Freight in the €18M Series B.", "signal:1")) == []


@pytest.mark.parametrize(
    ("sentence", "source", "language"),
    [
        ("Selling on both sides of the Atlantic takes a bigger team.", "signal:3", "en"),
        ("Eight new SDRs joining your Hamburg team will need accounts on day one.", "signal:3", "en"),
        ("Thanks for joining the webinar on Tuesday.", "offer", "en"),
        ("Mit Northzone an der Spitze der Runde über 18 Mio. Euro kann der Vertrieb wachsen.", "signal:1", "de"),
        ("Avec Northzone en tête du tour de 18 M€, l'équipe commerciale va grandir.", "signal:1", "fr"),
        ("Con Northzone al frente de la ronda de 18 millones, el equipo comercial crecerá.", "signal:1", "es"),
    ],
)
def test_what_a_source_bears_out_in_other_words_passes(sentence, source, language):
    greeting = {"en": "Hi Mara,", "de": "Guten Tag Frau Olsen,", "fr": "Bonjour Mara,", "es": "Hola Mara,"}[language]
    assert _blocking(_verify(sentence, source, language=language, greeting=greeting)) == []


@pytest.mark.parametrize(
    ("sentence", "span"),
    [
        ("Mit Lindenhof an der Spitze der Runde über 18 Mio. Euro kann der Vertrieb wachsen.", "Lindenhof"),
        ("Frau Brandt aus Ihrem Team hat mir den Kontakt gegeben.", "Brandt"),
        ("Auch die Kessler Ventures setzen auf agentengestützte Ansprache.", "Kessler Ventures"),
    ],
)
def test_a_german_name_the_dictionary_knows_is_still_a_name_when_its_place_says_so(sentence, span):
    """A leader "an der Spitze", a person after "Frau", an organisation before "Ventures"."""
    findings = _blocking(_verify(sentence, "signal:1", language="de", greeting="Guten Tag Frau Olsen,"))
    assert any(span in found_span for _kind, _type, found_span in findings), findings


@pytest.mark.parametrize(
    ("sentence", "language"),
    [
        ("You have been VP Sales for over a year as the team grew, so ramp time is familiar.", "en"),
        ("Sie sind seit zwei Jahren als VP Sales bei Lumen Freight.", "de"),
        ("Vous êtes depuis plus d'un an comme VP Sales chez Lumen Freight.", "fr"),
        ("Llevas ya más de un año como VP Sales en Lumen Freight.", "es"),
    ],
)
def test_a_tenure_longer_than_the_cited_job_change_is_contradicted(sentence, language):
    """The job change is 5 days old: years in the role contradict it."""
    findings = _blocking(_verify(sentence, "signal:2", language=language))
    assert any(kind == "contradicted_fact" and fact_type == "date" for kind, fact_type, _span in findings), findings


@pytest.mark.parametrize(
    ("sentence", "source", "language", "greeting"),
    [
        ("Lumen Freight posted 8 SDR roles in Hamburg, so each new SDR needs accounts.", "signal:3", "en", "Hi Mara,"),
        ("With 8 SDR roles in Hamburg, your RVP team grows.", "signal:3", "en", "Hi Mara,"),
        ("Les 18 000 000 € de la série B de Lumen Freight arrivent au bon moment.", "signal:1", "fr", "Bonjour Mara,"),
        ("Die 8 neuen Stellen in Hamburg brauchen einen Salesops-Zugang ab Tag eins.", "signal:3", "de",
         "Sehr geehrte Frau Dipl.-Ing. Olsen,"),
    ],
)  # fmt: skip
def test_titles_acronyms_compounds_and_spaced_thousands_are_read_as_what_they_are(sentence, source, language, greeting):
    """ "RVP" spells out nothing in the sources and blocks; the rest pass: a French number grouped by spaces, a
    compound of our name, a courtesy title in the greeting."""
    findings = _blocking(_verify(sentence, source, language=language, greeting=greeting))
    if "RVP" in sentence:
        assert any("RVP" in span for _kind, _type, span in findings), findings
    else:
        assert findings == [], findings


def test_an_acronym_of_words_the_source_spells_out_is_supported():
    rcv = _signal(5, "news", "Lumen Freight orders refuse collection vehicles", "Lumen Freight ordered 40 refuse "
                  "collection vehicles for Hamburg.")  # fmt: skip
    sentence = "Forty new RCVs in Hamburg means forty more service schedules."
    assert _blocking(_verify(sentence, "signal:5", lead=_lead(rcv))) == []


@pytest.mark.parametrize(
    ("sentence", "language"),
    [
        ("A group running 11 depots across Spain already works this way.", "en"),
        ("Eine Gruppe mit 11 Depots in Spanien arbeitet schon so.", "de"),
        ("Un groupe qui exploite 11 dépôts en Espagne travaille déjà ainsi.", "fr"),
        ("Un grupo con 11 depósitos en España ya trabaja así.", "es"),
    ],
)
def test_a_country_the_source_names_in_another_language_is_supported(sentence, language):
    depots = _signal(6, "news", "Lumen Freight in Spain", "Lumen Freight runs 11 depots across Spain.")
    lead = _lead(FUNDING, JOB, depots)
    assert _blocking(_verify(sentence, "signal:6", lead=lead, language=language, greeting=GREETINGS[language])) == []


def test_a_country_no_source_names_is_still_unsupported():
    depots = _signal(6, "news", "Lumen Freight in Spain", "Lumen Freight runs 11 depots across Spain.")
    findings = _blocking(
        _verify("Un groupe qui exploite 11 dépôts en Italie travaille déjà ainsi.", "signal:6",
                lead=_lead(FUNDING, JOB, depots), language="fr", greeting="Bonjour Mara,")
    )  # fmt: skip
    assert any("Italie" in span for _kind, _type, span in findings), findings


def test_a_german_compound_of_three_known_words_is_no_name():
    sentence = "Für acht neue SDRs in Hamburg braucht es eine Hochvoltwerkstatt."
    assert _blocking(_verify(sentence, "signal:3", language="de", greeting="Guten Tag Frau Olsen,")) == []


NORDSEE = _signal(7, "news", "Nordsee Logistik switches supplier", "Nordsee Logistik moved its 40 trucks to Fleetcore.")


@pytest.mark.parametrize(
    ("sentence", "language"),
    [
        ("Auch Nordsee Logistik setzt bei seinen 40 Lkw auf salesops.", "de"),
        ("Nordsee Logistik bets on salesops for its 40 trucks.", "en"),
        ("Nordsee Logistik mise aussi sur salesops pour ses 40 camions.", "fr"),
        ("Nordsee Logistik apuesta también por salesops para sus 40 camiones.", "es"),
    ],
)
def test_counting_on_us_is_a_customer_claim_even_for_a_name_of_dictionary_words(sentence, language):
    """ "Nordsee" and "Logistik" are both in a German dictionary: side by side, capitalised, they are a name."""
    lead = _lead(FUNDING, JOB, NORDSEE)
    findings = _blocking(_verify(sentence, "signal:7", lead=lead, language=language, greeting=GREETINGS[language]))
    assert any(fact_type == "relationship" and "Nordsee" in span for _kind, fact_type, span in findings), findings


@pytest.mark.parametrize(
    ("sentence", "language"),
    [
        ("Congratulations on the $18M Series B led by Northzone.", "en"),
        ("Enhorabuena por los 18 millones de dólares de Northzone.", "es"),
        ("Glückwunsch zu den 18 Mio. Dollar von Northzone.", "de"),
    ],
)
def test_an_amount_in_another_currency_than_the_sources_is_contradicted(sentence, language):
    findings = _blocking(_verify(sentence, "signal:1", language=language, greeting=GREETINGS[language]))
    assert any(kind == "contradicted_fact" and fact_type == "amount" for kind, fact_type, _span in findings), findings


def test_an_amount_in_the_sources_currency_passes():
    assert _blocking(_verify("Congratulations on the €18M Series B led by Northzone.", "signal:1")) == []


def test_two_capitalised_words_straight_after_a_german_preposition_are_a_name_a_source_must_hold():
    """ "Tiefbau" and "Keller" are German nouns; "von Keller Tiefbau" has no article: it names a company."""
    findings = _blocking(
        _verify("Die Erfahrung mit Hammer Tiefbau zeigt, wie schnell Lumen Freight wächst.", "signal:1", language="de",
                greeting="Guten Tag Frau Olsen,")
    )  # fmt: skip
    assert any("Hammer Tiefbau" in span for _kind, _type, span in findings), findings
