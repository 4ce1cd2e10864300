"""Numbers written in words, in English, German, French and Spanish, read by text2num.

A writer spells numbers out ("Cent vingt porteurs", "quatre-vingt-quinze bennes", "achtundzwanzig Busse",
"treinta y dos camiones", "twelve hundred trucks"); the verifier compares them with the sources like
digits. text2num's grammar knows each language's compounds and scales, which a list of number words
never covered (French counts in twenties, German puts units before tens).
"""

import functools
import re
from dataclasses import dataclass

from text_to_num import find_numbers

LANGUAGES = ("en", "de", "fr", "es")
# Words, hyphenated compounds ("quatre-vingt-quinze", "twenty-eight") and punctuation, which ends a number.
_TOKEN = re.compile(r"[^\W_]+(?:[-'’][^\W_]+)*|[^\w\s]")
# "per cent", "pour cent", "por ciento": a percentage's unit, not a hundred.
_PERCENT_BEFORE = {"per", "pour", "por"}
# A scale word alone and plural says "many", not a count: "hundreds of trucks", "des milliers", "Tausende".
_VAGUE_SCALES = {
    "hundreds", "thousands", "millions", "billions", "hunderte", "tausende", "millionen", "milliarden",
    "centaines", "milliers", "cientos", "miles", "millones", "tens", "dozens", "dizaines", "decenas", "dutzende",
}  # fmt: skip


@dataclass(frozen=True)
class SpelledNumber:
    start: int
    end: int
    value: int
    ordinal: bool


def _is_scale(value: int) -> bool:
    return value >= 100 and str(value).strip("0") == "1"


class _Token:
    """A word of the text, in the shape text2num's find_numbers reads (the Token protocol)."""

    __slots__ = ("match",)

    def __init__(self, match: re.Match):
        self.match = match

    def text(self) -> str:
        return self.match.group(0)

    def nt_separated(self, previous) -> bool:
        return False

    def not_a_number_part(self) -> bool:
        return False


@functools.lru_cache(maxsize=4096)
def spelled_numbers(text: str, language: str) -> tuple[SpelledNumber, ...]:
    """The numbers `text` spells out in `language`, with where they are and their values (whole numbers;
    "one" and its articles "ein", "un", "uno" included: the caller decides what a 1 says)."""
    if language not in LANGUAGES:
        return ()
    tokens = [_Token(match) for match in _TOKEN.finditer(text)]
    found = []
    for occurrence in find_numbers(tokens, language, threshold=0):
        first, last = tokens[occurrence.start], tokens[occurrence.end - 1]
        if occurrence.value != int(occurrence.value):
            continue  # "one and a half": a fraction, which no count states
        words = [token.text().lower() for token in tokens[occurrence.start : occurrence.end]]
        if any(character.isdigit() for token in words for character in token):
            continue  # digits the text wrote itself: the digit readers count them
        before = tokens[occurrence.start - 1].text().lower() if occurrence.start else ""
        if before in _PERCENT_BEFORE or (len(words) == 1 and words[0] in _VAGUE_SCALES):
            continue
        if len(words) == 1 and _is_scale(int(occurrence.value)):
            # A scale word alone: of a number in digits ("£120 million", which the digit readers count), or
            # a loose quantity ("half a million", "a thousand thanks").
            continue
        found.append(
            SpelledNumber(
                start=first.match.start(),
                end=last.match.end(),
                value=int(occurrence.value),
                ordinal=bool(occurrence.is_ordinal),
            )
        )
    return tuple(found)
