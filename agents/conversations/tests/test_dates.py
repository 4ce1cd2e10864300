"""Dates in replies, in the four languages, read against the day the reply was written (Wednesday
25 November 2026). Examples written for these tests; neither corpus holds them."""

from datetime import date

import pytest

from agents.conversations.dates import mentions, not_before, return_date

WRITTEN = date(2026, 11, 25)


@pytest.mark.parametrize(
    ("text", "back"),
    [
        ("I'm out of the office from 23 November until 4 December. Back on Monday, December 7.", date(2026, 12, 7)),
        ("Out until Dec. 3 with no laptop.", date(2026, 12, 3)),
        ("Ich bin vom 23.11. bis 4.12. im Urlaub und ab dem 7. Dezember wieder im Büro.", date(2026, 12, 7)),
        ("Ich bin bis zum 30.11.2026 nicht erreichbar.", date(2026, 11, 30)),
        ("Absente du 23/11 au 04/12. De retour le 07/12.", date(2026, 12, 7)),
        ("Je suis en congés jusqu'au 1er décembre inclus.", date(2026, 12, 1)),
        (
            "Estoy de vacaciones del 20 de noviembre al 4 de diciembre; vuelvo el lunes 7 de diciembre.",
            date(2026, 12, 7),
        ),
        ("De viaje hasta el 9 de enero de 2027.", date(2027, 1, 9)),
        ("Away this week, back on the 30th.", date(2026, 11, 30)),
    ],
)
def test_an_absence_notice_gives_the_day_its_writer_is_back(text, back):
    assert return_date(text, WRITTEN) == back


@pytest.mark.parametrize(
    ("text", "until"),
    [
        ("Not now. Try me again in Q2.", date(2027, 4, 1)),
        ("We're launching our Q4 plan; circle back in Q1.", date(2027, 1, 1)),
        ("Frozen until the end of Q1, talk then.", date(2027, 4, 1)),
        ("Ping me next quarter.", date(2027, 1, 1)),
        ("Nach Neujahr gerne, vorher keine Zeit.", date(2027, 1, 1)),
        ("Melden Sie sich bitte im März wieder.", date(2027, 3, 1)),
        ("Bis Mitte Januar sind wir ausgebucht.", date(2027, 1, 15)),
        ("Relancez-moi en février, après notre clôture.", date(2027, 2, 1)),
        ("Pas avant janvier.", date(2027, 1, 1)),
        ("Escríbeme el próximo trimestre.", date(2027, 1, 1)),
        ("Ahora no; hablamos después del 12 de enero.", date(2027, 1, 12)),
        ("We set priorities for next year in February; circle back then.", date(2027, 2, 1)),
        ("I'm travelling until the 7th, let's talk after that.", date(2026, 12, 7)),
        ("Not right now, maybe in a few weeks.", date(2026, 12, 16)),
    ],
)
def test_a_not_now_gives_the_day_to_try_again(text, until):
    assert not_before(text, WRITTEN) == until


@pytest.mark.parametrize(
    "text",
    [
        "Not a priority, sorry.",
        "Let's talk Monday.",  # a weekday alone is a meeting, not a deferral
        "I may have time later.",  # "may" is a verb here
        "We signed with them on 3 March 2025.",  # a past date
        "Call me at 9.30 tomorrow.",  # a time, not a date
    ],
)
def test_no_time_named_means_no_date_rather_than_a_guess(text):
    assert not_before(text, WRITTEN) is None


def test_a_day_and_month_without_a_year_is_the_occurrence_nearest_the_day_written():
    [recent, coming] = mentions("Since 20 November, back 4 January.", WRITTEN)
    assert (recent.value, coming.value) == (date(2026, 11, 20), date(2027, 1, 4))


def test_reading_a_long_text_stays_linear():
    text = "9 9 9 " * 50_000 + " back on 7 December"
    assert return_date(text, WRITTEN) == date(2026, 12, 7)


def test_a_day_number_without_a_word_of_return_is_no_return_date():
    assert return_date("Out of office. Visitors please go to the 2nd floor reception.", WRITTEN) is None


def test_29_february_without_a_year_in_a_year_without_one_is_skipped_not_an_error():
    assert return_date("Back on 29 February.", date(2026, 1, 5)) is None
