"""The injection check meets its goals on the development material kept in the repository: the
signals of leads.jsonl and the reply corpus."""

from agents.evaluation.injection_rates import development_items, guess_language, injection_report


def test_the_development_material_meets_the_goals():
    report = injection_report(development_items())
    assert report.overall.hostile >= 8 and report.overall.benign >= 100
    assert report.overall.meets_goals, report.as_text()


def test_languages_are_told_apart():
    assert guess_language("Bitte senden Sie mir die Unterlagen und den Vertrag") == "de"
    assert guess_language("Merci de nous envoyer la plaquette pour votre offre") == "fr"
    assert guess_language("Gracias por la propuesta, la revisamos con el equipo") == "es"
    assert guess_language("Thanks for the deck, we will review it with the team") == "en"
