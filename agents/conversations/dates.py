"""Dates in a reply's new text, in English, German, French and Spanish: when an absent person is back, and
when a "not now" means to try again.

Read against the day the reply was written (`today`). A day and month without a year is the occurrence
nearest that day: up to 45 days back ("absent since 20 November") or within the year ahead ("back on
4 January"). The conventions, as the reply corpora label them:
- an absence: the date after a word of return ("back on", "de retour le", "vuelvo el", "ab … wieder")
  first, else the date after "until" ("out until 7 December": that day), else the last date named;
- a "not now": a date, or "after <date>", is that date; a month is the 1st of its next occurrence; a
  quarter its first day; "next year" 1 January; "in three weeks" that many weeks on (the corpora leave
  relative periods unlabelled; the product still waits that long rather than guess).
Nothing is read from a weekday alone in a "not now" ("let's talk Monday" is not a deferral).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

_MONTH_NAMES = {
    1: "january jan januar jänner janvier janv enero ene",
    2: "february feb februar février fevrier févr fevr febrero",
    3: "march mar märz maerz mars marzo",
    4: "april apr avril avr abril abr",
    5: "may mai mayo",
    6: "june jun juni juin junio",
    7: "july jul juli juillet juil julio",
    8: "august aug août aout agosto ago",
    9: "september sept sep septembre septiembre setiembre",
    10: "october oct oktober okt octobre octubre",
    11: "november nov novembre noviembre",
    12: "december dec dezember dez décembre decembre déc diciembre dic",
}
MONTHS = {name: number for number, names in _MONTH_NAMES.items() for name in names.split()}
# Month words that are also ordinary words ("I may", "mar" the sea, "two weeks ago"): a month only beside
# a day number.
_ONLY_WITH_A_DAY = {"may", "mar", "ago", "ene", "dic", "sep", "dez", "jun", "jul", "oct", "nov", "dec", "jan"}
_MONTH = "|".join(sorted(MONTHS, key=len, reverse=True))
_WEEKDAY = (
    r"monday|tuesday|wednesday|thursday|friday|saturday|sunday|mon|tue|wed|thu|fri"
    r"|montag|dienstag|mittwoch|donnerstag|freitag|samstag|sonntag"
    r"|lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche"
    r"|lunes|martes|miércoles|miercoles|jueves|viernes|sábado|sabado|domingo"
)
_ORDINAL = r"(?:st|nd|rd|th|er|ro|º|°|\.)?"

_DAY_MONTH = re.compile(
    rf"\b(?P<day>[0-3]?\d){_ORDINAL}(?:\s*(?:de|of)\s+|\s*-?\s*|\s+)(?P<month>{_MONTH})\b\.?"
    r"(?:,?\s*(?:de\s+)?(?P<year>20\d\d)\b)?",
    re.IGNORECASE,
)
_MONTH_DAY = re.compile(
    rf"\b(?P<month>{_MONTH})\.?\s+(?:the\s+)?(?P<day>[0-3]?\d)(?:st|nd|rd|th)?\b(?!:)(?:,?\s*(?P<year>20\d\d)\b)?",
    re.IGNORECASE,
)
# 4.12. / 04.12.2026 / 23/11 / 23/11/2026 / 2026-12-04. A dotted pair needs its closing dot or a year
# ("9.30" is a time).
_NUMERIC = re.compile(
    r"(?<![\d.:/])(?:(?P<iso>20\d\d-[01]\d-[0-3]\d)"
    r"|(?P<d1>[0-3]?\d)\.(?P<m1>[01]?\d)\.(?P<y1>(?:20)?\d\d)?(?!\d)"
    r"|(?P<d2>[0-3]?\d)/(?P<m2>[01]?\d)(?:/(?P<y2>(?:20)?\d\d))?(?![\d/]))"
)
# "lundi 23", "Monday the 7th", "el lunes 14": a day of the month after its weekday.
_WEEKDAY_DAY = re.compile(
    rf"\b(?:{_WEEKDAY})\b,?\s+(?:the\s+|den\s+|dem\s+)?(?P<day>[0-3]?\d)(?:st|nd|rd|th|er)?\b(?!\s*[:h]\d|[.,]\d)",
    re.IGNORECASE,
)
# "back on the 7th", "le 23" (after a word of return only).
_BARE_DAY = re.compile(r"\b(?:the|le|el|am|den|dem|zum)\s+(?P<day>[0-3]?\d)(?:st|nd|rd|th|er)?\b(?![:/h]|[.,]\d)")

_RETURN_BEFORE = re.compile(
    r"\b(?:back|return(?:s|ing)?|again|in the office|retour|reviens|reviendrai|rentre|reprends|reprendrai|"
    r"de nouveau|dès|à partir du|à compter du|vuelvo|volveré|vuelta|regreso|regresaré|regreso a la oficina|"
    r"retomo|reincorporo|de nuevo|a partir del?|zurück|wieder)\b[^.\n!?]{0,45}$",
    re.IGNORECASE,
)
_RETURN_AFTER = re.compile(r"^[^.\n!?]{0,30}\b(?:wieder|zurück)\b", re.IGNORECASE)
_UNTIL_BEFORE = re.compile(
    # Not "to", "au", "al": too common alone ("go to the 2nd floor"); a range's end is its latest date anyway.
    r"\b(?:until|till|through|thru|bis|zum|jusqu'au|jusqu’au|jusqu'à|jusqu’à|hasta)\b[^.\n!?]{0,25}$",
    re.IGNORECASE,
)
_AFTER_BEFORE = re.compile(r"\b(?:after|nach|après|después del?|passé le)\b[^.\n!?]{0,12}$", re.IGNORECASE)


@dataclass(frozen=True)
class Mention:
    start: int
    end: int
    value: date
    bare: bool = False  # a day number alone ("the 14th", "le 23"): a date only beside a word of waiting


def _on_or_near(today: date, month: int, day: int, year: int | None) -> date | None:
    try:
        if year is not None:
            return date(year if year > 100 else 2000 + year, month, day)
        value = date(today.year, month, day)
    except ValueError:
        return None
    try:
        if value < today - timedelta(days=45):
            value = value.replace(year=today.year + 1)
        elif value > today + timedelta(days=320):
            value = value.replace(year=today.year - 1)
    except ValueError:  # 29 February in a year without one
        return None
    return value


def _day_of_month_ahead(today: date, day: int) -> date | None:
    """A day number alone: this month's if it is still ahead (or a few days back), else next month's."""
    for months_on in (0, 1, 2):
        month = (today.month - 1 + months_on) % 12 + 1
        year = today.year + (today.month - 1 + months_on) // 12
        try:
            value = date(year, month, day)
        except ValueError:
            continue
        if value >= today - timedelta(days=3):
            return value
    return None


def mentions(text: str, today: date, *, bare_days: bool = False) -> list[Mention]:
    """Every calendar date the text names, in order, without overlaps."""
    found: list[Mention] = []
    taken: list[tuple[int, int]] = []

    def add(match: re.Match, value: date | None, *, bare: bool = False) -> None:
        if value is None or any(match.start() < end and start < match.end() for start, end in taken):
            return
        taken.append((match.start(), match.end()))
        found.append(Mention(match.start(), match.end(), value, bare))

    for pattern in (_DAY_MONTH, _MONTH_DAY):
        for match in pattern.finditer(text):
            year = int(match["year"]) if match["year"] else None
            add(match, _on_or_near(today, MONTHS[match["month"].lower()], int(match["day"]), year))
    for match in _NUMERIC.finditer(text):
        if match["iso"]:
            add(match, _on_or_near(today, int(match["iso"][5:7]), int(match["iso"][8:]), int(match["iso"][:4])))
            continue
        if match["d1"]:
            day, month, year = match["d1"], match["m1"], match["y1"]
        else:
            day, month, year = match["d2"], match["m2"], match["y2"]
        if match["d1"] and year is None and not match.group(0).endswith("."):
            continue
        if not 1 <= int(month) <= 12:
            continue
        add(match, _on_or_near(today, int(month), int(day), int(year) if year else None))
    for match in _WEEKDAY_DAY.finditer(text):
        add(match, _day_of_month_ahead(today, int(match["day"])))
    if bare_days:
        for match in _BARE_DAY.finditer(text):
            add(match, _day_of_month_ahead(today, int(match["day"])), bare=True)
    return sorted(found, key=lambda mention: mention.start)


def return_date(text: str, today: date) -> date | None:
    """When an absence notice says its writer is back."""
    found = mentions(text, today, bare_days=True)
    if not found:
        return None

    def weight(mention: Mention) -> int:
        before, after = text[max(0, mention.start - 60) : mention.start], text[mention.end : mention.end + 40]
        if _RETURN_BEFORE.search(before) or _RETURN_AFTER.search(after):
            return 3
        if _UNTIL_BEFORE.search(before):
            return 2
        return 1

    found = [mention for mention in found if not mention.bare or weight(mention) > 1]  # "the 2nd floor"
    if not found:
        return None
    best = max(weight(mention) for mention in found)
    if best == 1:
        return max(mention.value for mention in found)
    return [mention for mention in found if weight(mention) == best][-1].value


_QUARTER = re.compile(
    r"\bq(?P<q1>[1-4])\b|\b(?P<q2>[1-4])\.?\s*(?:quartal|trimestre)\b|\bt(?P<q3>[1-4])\b"
    r"|\b(?P<word>erste[nms]?|zweite[nms]?|dritte[nms]?|vierte[nms]?|premier|1er|deuxième|second|troisième|"
    r"quatrième|primer|segundo|tercer|cuarto)\s+(?:quartal|trimestre)\b",
    re.IGNORECASE,
)
_QUARTER_WORDS = {"erst": 1, "zweit": 2, "dritt": 3, "viert": 4, "premier": 1, "1er": 1, "deuxième": 2}
_QUARTER_WORDS |= {"second": 2, "troisième": 3, "quatrième": 4, "primer": 1, "segundo": 2, "tercer": 3, "cuarto": 4}
_NEXT_QUARTER = re.compile(
    r"next quarter|nächste[ns]? quartal|kommende[ns]? quartal|prochain trimestre|trimestre prochain"
    r"|próximo trimestre|proximo trimestre|siguiente trimestre|trimestre que viene",
    re.IGNORECASE,
)
_NEXT_YEAR = re.compile(
    r"next year|new year|beginning of \d{4}|early \d{4}|nächste[ns]? jahr|neue[ns]? jahr|kommende[ns]? jahr"
    r"|neujahr|jahreswechsel|anfang \d{4}|année prochaine|an prochain|nouvelle année|nouvel an|début \d{4}"
    r"|año que viene|próximo año|proximo año|año próximo|año nuevo|principios de \d{4}"
    r"|christmas|weihnachten|noël|navidad",
    re.IGNORECASE,
)
_MONTH_ALONE = re.compile(
    rf"\b(?P<cue>in|from|after|until|by|around|early|mid|late|before|im|ab|nach|anfang|mitte|ende|bis|vor|en|dès|"
    rf"après|avant|début|fin|mi-|courant|rentrée de|a partir de|después de|hasta|antes de|a principios de|"
    rf"a mediados de|a finales de|à partir de|d'ici)\s+(?:(?:dem|de|del|la|le|the)\s+)?(?P<month>{_MONTH})\b"
    r"(?:\s+(?P<year>20\d\d))?",
    re.IGNORECASE,
)
_MIDDLE = {"mid", "mitte", "mi-", "a mediados de"}
_IN_PERIOD = re.compile(
    r"\b(?:in|dans|en|en unas|in etwa|d'ici)\s+(?P<count>\d+|a few|a couple of|two|three|four|six|zwei|drei|vier|"
    r"sechs|deux|trois|quatre|six|dos|tres|cuatro|seis|ein paar|quelques|unas|unos)\s+"
    r"(?P<unit>weeks?|months?|wochen|monate[n]?|semaines|mois|semanas|meses)\b",
    re.IGNORECASE,
)
_COUNTS = {"a few": 3, "a couple of": 2, "ein paar": 3, "quelques": 3, "unas": 3, "unos": 3}
_COUNTS |= {"two": 2, "zwei": 2, "deux": 2, "dos": 2, "three": 3, "drei": 3, "trois": 3, "tres": 3}
_COUNTS |= {"four": 4, "vier": 4, "quatre": 4, "cuatro": 4, "six": 6, "sechs": 6, "seis": 6}

# How firmly a time is the one to come back at, by the words before it: an end of waiting ("until",
# "after", "back on", "not before") 3; a time to act ("in March", "next quarter") 2; a time that is only
# talked about ("our Q4 launch", "priorities for next year", "frozen from 1 December") 1.
_END_OF_WAITING = re.compile(
    r"\b(?:until|till|after|before|back|return|then|bis|nach|vor|zurück|wieder|jusqu'(?:au|à|en)|jusqu’(?:au|à|en)|"
    r"après|avant|retour|hasta|después de|antes de|vuelta|regreso|vuelvo)\b[^.\n!?]{0,20}$",
    re.IGNORECASE,
)
_TOPIC = re.compile(
    r"\b(?:for|für|pour|para|from|ab dem|seit|depuis|desde|our|unser\w*|notre|nos|nuestr\w*)\W*$", re.IGNORECASE
)
_END_OF = re.compile(
    r"\b(?:end of|ende|fin(?: du| de)?|finales de|final del)\s*(?:the\s+|des\s+|del\s+)?$", re.IGNORECASE
)


def _first_of_month_after(today: date, month: int, year: int | None = None) -> date:
    if year is not None:
        return date(year, month, 1)
    return date(today.year if month > today.month else today.year + 1, month, 1)


def _quarter_start(today: date, number: int) -> date:
    return _first_of_month_after(today, (number - 1) * 3 + 1)


def not_before(text: str, today: date) -> date | None:
    """When a "not now" reply says to try again, or None when it names no time. Each time the reply names
    is scored by the words before it (see _END_OF_WAITING); the firmest wins, the earliest among equals."""
    candidates: list[tuple[int, date]] = []

    def add(start: int, value: date, *, intrinsic: int = 1) -> None:
        before = text[max(0, start - 30) : start]
        if _END_OF_WAITING.search(before):
            score = 3
        elif _TOPIC.search(before):
            score = 1
        else:
            score = max(intrinsic, 1)
        if value > today:
            candidates.append((score, value))

    for mention in mentions(text, today, bare_days=True):
        if mention.bare and not _END_OF_WAITING.search(text[max(0, mention.start - 30) : mention.start]):
            continue  # "the 14th" alone is only a date beside a word of waiting ("back on the 14th")
        add(mention.start, mention.value, intrinsic=2)
    for match in _QUARTER.finditer(text):
        word = (match["word"] or "").lower()
        number = int(match["q1"] or match["q2"] or match["q3"] or 0) or next(
            value for stem, value in _QUARTER_WORDS.items() if word.startswith(stem)
        )
        if _END_OF.search(text[max(0, match.start() - 15) : match.start()]):
            number = number % 4 + 1  # "until the end of Q1": from Q2
        add(match.start(), _quarter_start(today, number), intrinsic=2)
    for match in _NEXT_QUARTER.finditer(text):
        month = ((today.month - 1) // 3 + 1) * 3 + 1
        add(match.start(), date(today.year + (month > 12), (month - 1) % 12 + 1, 1), intrinsic=2)
    for match in _NEXT_YEAR.finditer(text):
        add(match.start(), date(today.year + 1, 1, 1), intrinsic=2)
    for match in _MONTH_ALONE.finditer(text):
        year = int(match["year"]) if match["year"] else None
        first = _first_of_month_after(today, MONTHS[match["month"].lower()], year)
        add(match.start(), first.replace(day=15) if match["cue"].lower() in _MIDDLE else first, intrinsic=2)
    for match in _IN_PERIOD.finditer(text):
        count = _COUNTS.get(match["count"].lower()) or int(match["count"])
        weeks = match["unit"].lower().startswith(("week", "woche", "semaine", "semana"))
        add(match.start(), today + (timedelta(weeks=count) if weeks else timedelta(days=30 * count)), intrinsic=1)
    if not candidates:
        return None
    best = max(score for score, _ in candidates)
    return min(value for score, value in candidates if score == best)
