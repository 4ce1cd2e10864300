"""The new text of a reply, without the history it quotes: what the classifier reads and a person sees."""

from agents.conversations.parsing import without_quoted_history


def test_quoted_history_at_the_end_goes_with_its_attribution_line():
    text = (
        "Thursday at 10 works for me.\n\n"
        "On Mon, 30 Nov 2026 at 09:12, Sam Reyes wrote:\n> Hi Ana,\n> would a call help?\n> Sam"
    )
    assert without_quoted_history(text) == "Thursday at 10 works for me."


def test_an_attribution_wrapped_over_two_lines_goes_too():
    text = (
        "Gracias, ahora no es buen momento.\n\n"
        "El lun, 30 nov 2026 a las 9:12, Sam Reyes <sam@example.com>\n"
        "escribió:\n"
        "> Hola Lucía,\n"
        "> ¿hablamos?\n"
    )
    assert without_quoted_history(text) == "Gracias, ahora no es buen momento."


def test_quoted_lines_answered_inline_stay():
    text = "> Would Thursday suit you?\nYes, 10am.\n> And can Priya join?\nShe can, I'll forward the invite.\nAna"
    assert without_quoted_history(text) == text


def test_a_signature_after_a_short_quote_keeps_the_quote_in_place():
    text = "Agreed.\n> one line\n> two lines\nAna Ruiz\nHead of Finance\nPaylio"
    assert without_quoted_history(text) == text


def test_a_message_that_is_all_quote_is_kept_whole_rather_than_emptied():
    text = "> forwarded without a word\n> second line"
    assert without_quoted_history(text) == text


def test_a_very_long_quote_is_cut_in_one_pass():
    text = "Not interested, thanks.\nOn Mon, Sam wrote:\n" + "> quoted line\n" * 100_000
    assert without_quoted_history(text) == "Not interested, thanks."


def test_an_attribution_whose_date_wrapped_onto_the_line_before_goes_too():
    text = "Send me times.\nOn Mon, 30 Nov 2026 at 09:12,\nSam Reyes <sam@example.com> wrote:\n> Hi\n> Sam"
    assert without_quoted_history(text) == "Send me times."


def test_a_sentence_before_the_attribution_is_kept_even_when_it_opens_like_a_date():
    text = "Merci.\nLe prix est trop élevé pour nous.\nSam Reyes <sam@example.com> a écrit :\n> Bonjour\n> Sam"
    assert without_quoted_history(text) == "Merci.\nLe prix est trop élevé pour nous."
