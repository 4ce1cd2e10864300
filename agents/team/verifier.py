"""The verification agent: deterministic checks first, then (with a real model) a model check.

Nothing an agent writes reaches a prospect unverified, human edits included."""

import functools
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from urllib.parse import urlsplit

from pydantic import BaseModel, Field

from agents.llm import register_offline_handler
from agents.team.base import AgentCall
from agents.team.context import Lead, ProofFact, SignalFact, Strategy
from agents.team.grounding import Sources, money_amounts, name_runs, number_value, ungrounded_facts
from agents.team.injection import FLAG_THRESHOLD, find_instructions, first_instruction, scan
from agents.team.sanitise import unsafe_markup
from agents.team.spelled_numbers import LANGUAGES as SPELLED_LANGUAGES
from agents.team.spelled_numbers import spelled_numbers
from agents.team.writer import Claim, Finding, WriteOutput

# A number glued to letters ("Q4", "B2B", "SPRING50") is a name or a code, not a quantity.
# A number, its thousands grouped by commas, dots or (French) spaces: "1,200", "1.200", "410 000".
_NUMBER = re.compile(r"(?<![A-Za-z\d])(?:\d{1,3}(?:[ \u00a0\u202f]\d{3})+(?![\d.,]\d)|\d+(?:[.,]\d+)*)")
_URL = re.compile(r"https?://[^\s)>\]]+", re.IGNORECASE)
# A link written without its scheme: "www.example.com/x" or a host with a path ("bit.ly/abc").
_BARE_LINK = re.compile(
    r"(?<![\w@/.-])(?:www\.[a-z0-9-]+(?:\.[a-z0-9-]+)+(?:/[^\s)>\]]*)?"
    r"|[a-z0-9-]+(?:\.[a-z0-9-]+)*\.[a-z]{2,}/[^\s)>\]]*)",
    re.IGNORECASE,
)
_TRAILING = ".,;:!?'\""
# A time of day proposed for a call ("Tuesday at 10am", "2:30", "um 11 Uhr", "à 14 h", "a las 12") is not a claim.
_CLOCK_TIME = re.compile(
    r"\b\d{1,2}(?::\d{2})?\s?(?:am|pm|Uhr|h)\b|\b\d{1,2}[:.h]\d{2}\b|\ba las \d{1,2}(?:[:.]\d{2})?\b", re.IGNORECASE
)
# Nor, in a sentence asking for a meeting, is its length or a year ("20 minutes on Monday?", "early 2027?",
# "25 Minuten", "un appel de 25 minutes", "una demo de 25 minutos").
_WHEN = re.compile(r"\b\d{1,3}[- ]?(?:minutes?|mins?|Minuten|minütig\w*|minutos?)\b|\b(?:19|20)\d{2}\b", re.IGNORECASE)
_MEETING = re.compile(
    r"\?|\b(?:call|chat|talk|meet|meeting|conversation|calendar|demo|walk(?:through)?|session|slot|reply"
    r"|Termin|Gespräch|Telefonat|Austausch|ansetzen|antworten|appel|rendez-vous|échange|créneau|visio|répondez"
    r"|llamada|reunión|videollamada|sesión|hueco|responde|contesta)\b"
    r"|\bset (?:it|this|things) up\b",
    re.IGNORECASE,
)
# A full stop after an abbreviation ends no sentence: "18 Mio. Dollar", "Dr. Hale", "ca. 40", "Nr. 5".
_ABBREVIATIONS = ("Mio", "Mrd", "Tsd", "Nr", "ca", "bzw", "vgl", "Dr", "Prof", "Ing", "St", "Mr", "Mrs", "Ms", "Sr",
                  "Sra", "Mme", "approx", "Co", "Inc", "Ltd", "No")  # fmt: skip
_SENTENCE_END = re.compile(
    "".join(rf"(?<!\b{abbreviation}\.)" for abbreviation in _ABBREVIATIONS) + r"(?<=[.!?])\s+|\n+"
)
# Numbers written as words count when a claim is compared with its sources (agents.team.spelled_numbers);
# a draft's words are read in its own language ("once" is eleven only in Spanish). Multiples too:
_MULTIPLES = {
    "en": {"twice": "2", "double": "2", "doubled": "2", "doubles": "2", "doubling": "2", "triple": "3",
           "tripled": "3", "triples": "3", "tripling": "3", "quadruple": "4", "quadrupled": "4"},
    "de": {"verdoppelt": "2", "verdoppeln": "2", "verdreifacht": "3", "doppelt": "2", "dreifach": "3"},
    "fr": {"doublé": "2", "doubler": "2", "triplé": "3", "tripler": "3"},
    "es": {"duplicó": "2", "duplicado": "2", "duplicar": "2", "triplicó": "3", "triplicado": "3"},
}  # fmt: skip
_MULTIPLE_PATTERNS = {
    language: re.compile(r"\b(?:" + "|".join(words) + r")\b", re.IGNORECASE) for language, words in _MULTIPLES.items()
}


def _spelled_value(word: str, language: str) -> int | None:
    """The value of one number word ("three", "drei", "trois", "tres") in `language`."""
    numbers = spelled_numbers(word, language)
    return numbers[0].value if len(numbers) == 1 and not numbers[0].ordinal else None


# A capitalised word or run of words; a full stop ends it ("Series A. Kinetic" is two names).
_NAME = r"[A-Z][\w&'-]*(?:\.\w+)*(?: [A-Z][\w&'-]*(?:\.\w+)*)*"
_NAMES = rf"{_NAME}(?:(?:,| and| or) {_NAME})*"
# Our own names come from the signature and address (see _our_names): "{us}" stands for them.
_CUSTOMER_MENTION_PATTERN = (
    rf"(?i:\b(?:customers?|clients?|companies|teams|brands|businesses) (?:like|such as|including)) (?P<a>{_NAMES})"
    rf"|(?i:\b(?:helped|help|helping|work(?:ed|s|ing)? with|partnered with|partner of|"
    rf"our (?:customers?|clients?|users?),?)) (?P<b>{_NAMES})"
    rf"|(?P<c>{_NAMES})(?i:,? (?:already |also |now |all )?(?:uses?|chose|switched to|relies on|rely on|trusts?|"
    rf"runs? (?:\w+ ){{{{0,2}}}}on|moved to|signed with|rolled out|went with|picked) (?:us|our|{{us}})\b)"
    rf"|(?P<d>{_NAMES})(?i:(?:'s? (?:\w+ ){{{{0,2}}}}\w+)? (?:is|are) (?:also |already |now )?"
    rf"(?:on|using|with|a customer of|customers of) (?:us|our|ours|{{us}})\b)"
)


@functools.cache
def _customer_mention(our_names: tuple[str, ...]) -> re.Pattern:
    names = "|".join(re.escape(name) for name in sorted(our_names, key=len, reverse=True)) or "(?!)"
    return re.compile(_CUSTOMER_MENTION_PATTERN.format(us=names))


# Capitalised words that start sentences rather than name a company.
_NOT_A_NAME = {
    "teams", "reps", "most", "many", "everyone", "anyone", "they", "we", "you", "it", "this", "that", "some",
    "all", "our", "your", "their", "people", "companies", "customers", "sellers", "sdrs", "aes", "i",
}  # fmt: skip
# A statement about our results or customers: it must rest on the proof library.
_ABOUT_OUR_RESULTS = re.compile(
    r"\bour (?:customers?|clients?|users?)\b|\bcustomers? of ours\b"
    r"|\b(?:one|some|many|most|several|a few) of our (?:\w+ ){0,2}(?:customers?|clients?|users?)\b"
    r"|\b(?:a|an|another) (?:\S+ ){0,3}(?:customer|client) of ours\b"
    r"|\b(?:teams?|companies|reps|customers|sellers|people) (?:using|on|that use|who use|running) (?:us|salesops|our)\b"
    r"|\bwe (?:helped|worked with|partnered with|rolled|ran|deployed|set up|took|brought)\b"
    r"|\bhelped (?:a|an|one|another|teams?|companies)\b"
    r"|\bafter (?:switching|moving|rolling|adopting|signing)\b|\bcase stud(?:y|ies)\b|\bsuccess stor(?:y|ies)\b"
    r"|\bpilot (?:with|at)\b|\blike yours\b|\btold us\b",
    re.IGNORECASE,
)
_RESULT = re.compile(
    r"\b(?:doubled?|tripled?|quadrupled?|halved|twice|cut|cuts|reduced|increased|grew|boosted|lifted|improved|"
    r"saved?|saves|booked|went from|gets?|got|see|saw|sees)\b|\d+(?:\.\d+)?\s?(?:x|%|percent|times)\b",
    re.IGNORECASE,
)
_PRICING = re.compile(
    # German, French, Spanish: a price, a cost per seat or month, something free, a discount.
    r"\b(?:kostet|kosten (?:nur|lediglich|ab)|Preis(?:e|modell)? (?:liegt|liegen|beträgt|ab)"
    r"|pro (?:Nutzer|Lizenz|Monat|Jahr|Seat)|kostenlos|gratis|Rabatt|Nachlass|Geld-zurück"
    r"|coûte|coûtent|(?:notre |le )prix (?:est|de)|par (?:utilisateur|licence|mois|an)|gratuit\w*|remise|rabais"
    r"|remboursé|cuesta|cuestan|(?:nuestro |el )precio (?:es|de)|por (?:usuario|licencia|mes|año)"
    r"|descuento|rebaja|reembolso)\b"
    r"|\b(?:our|the) (?:price|pricing|cost) (?:is|starts|of)\b"
    r"|\b(?:costs?|priced at) (?:only |just |less than |under |below |about |around )?(?:[$€£]|\d)"
    r"|\bstarts? (?:at|from) [$€£]?\d|\bplans? (?:start|starts|from)\b"
    r"|[$€£]\s?\d[\d,.]*k?\s?(?:/|per|a|an)\s?(?:seat|user|rep|licen[cs]e|month|mo|year|yr)\b|\bper (?:seat|user)\b"
    r"|\bfree of charge\b|\bfor free\b|\bat no (?:extra |additional )?cost\b"
    r"|\b(?:first|1st|\d+|one|two|three|six) (?:months?|quarters?|years?|seats?) (?:is |are )?(?:free|on us)\b"
    r"|\bmoney[- ]back\b|\brefunds?\b|\b(?:you )?(?:don't|do not|won't|will not) (?:have to )?pay\b"
    r"|\block(?:ed)? in (?:[\w']+ ){0,3}(?:price|pricing|rate)s?\b|\bprice (?:lock|freeze|match)\b"
    r"|\bdiscount|\b\d{1,3}\s?(?:%|percent) (?:off|discount)\b|\bhalf (?:off|price)\b"
    # Cheaper than something else, free for a while, paid per seat: a price stated without a figure.
    r"|\b(?:costs?|is|are)\s+(?:\w+\s+)?(?:less|cheaper|lower|more affordable)\s+than\b|\bcheaper than\b"
    r"|\b(?:günstiger|billiger|preiswerter) als\b|\bmoins cher\w* que\b|\bco[uû]te\w* moins\b"
    r"|\bmás barat[oa]s? que\b|\bcuesta\w* menos\b|\bsin (?:coste|costo|cargo)\b|\bsans frais\b"
    r"|\bohne (?:zusätzliche |weitere )?Kosten\b|\bumsonst\b"
    r"|\b(?:pay|pays|paying|paid|zahlt|zahlen|zahlst|payez|payer|payes|paient|pagáis|pagas|paga|pagan|pagar|pagues)"
    r"\s+(?:\w+\s+){0,2}?(?:for|per|für|pro|par|pour|por)\s+(?:\w+\s+){0,2}?(?:users?|seats?|reps?|licen[cs]es?"
    r"|Nutzer\w*|Lizenz\w*|Sitz\w*|utilisateurs?|si[eè]ges?|usuarios?|licencias?|puestos?)\b"
    r"|\b(?:months?|Monate?n?|mois|mes(?:es)?)\s+(?:\w+\s+)?(?:free|gratis|kostenlos|gratuits?|offerts?|sin coste"
    r"|sin costo|gratuitos?)\b",
    re.IGNORECASE,
)
_DISCOUNT = re.compile(
    r"(\d{1,3})\s?(?:%|percent|Prozent|pour ?cent|por ?ciento)\s?(?:off|discount|reduction|Rabatt|Nachlass"
    r"|Preisnachlass|Ermäßigung|de remise|de réduction|de rabais|de descuento|de rebaja)"
    r"|(?:discount|Rabatt|Nachlass|remise|réduction|descuento|rebaja) (?:of|von|de|du) (\d{1,3})\s?(?:%|percent)"
    r"|\b(half) (?:off|price)\b|\b(moitié) prix\b|\b(mitad) de precio\b|\b(halbe)n? Preis\b",
    re.IGNORECASE,
)
_WORD = re.compile(r"[\w$€£%]+(?:[.,'’]\w+)*")
_CODE = re.compile(r"\b(?=[A-Za-z0-9]*[A-Za-z])(?=[A-Za-z0-9]*\d)[A-Za-z0-9]{5,}\b")
_AMOUNT = re.compile(r"[$€£]\s?\d[\d,.]*[kKmM]?|\b\d+(?:\.\d+)?\s?%")
SHINGLE_WORDS = 4
_PERSON = dict.fromkeys(("i", "me", "we", "us", "you"), "<person>") | dict.fromkeys(
    ("my", "our", "your", "ours", "yours"), "<possessive>"
)


class VerifyInput(BaseModel):
    strategy: Strategy
    lead: Lead
    draft: WriteOutput
    stale_signal_ids: list[int] = Field(default_factory=list)
    # Text we generated ourselves and put in verbatim (meeting times with our booking link): not a claim.
    trusted_text: str = ""


class VerifyOutput(BaseModel):
    passed: bool
    findings: list[Finding]
    confidence: float = Field(ge=0, le=1)


def _normalise_number(token: str) -> str:
    """One spelling per quantity, whatever the notation: "1,200", "1.200" and "1200"; "12,5" and "12.5"."""
    token = re.sub(r"[ \u00a0\u202f]", "", token)
    value = number_value(token)
    return token.replace(",", "") if value is None else format(value.normalize(), "f")


def _link_spans(text: str) -> list[tuple[int, int, str]]:
    """Every link in the text, with or without a scheme: (start, end, link without trailing punctuation)."""
    links = []
    for match in _URL.finditer(text):
        link = match.group(0).rstrip(_TRAILING)
        links.append((match.start(), match.start() + len(link), link))
    blanked = _URL.sub(lambda match: " " * len(match.group(0)), text)
    for match in _BARE_LINK.finditer(blanked):
        link = match.group(0).rstrip(_TRAILING)
        links.append((match.start(), match.start() + len(link), link))
    return sorted(links)


def _sentence_spans(text: str) -> list[tuple[int, int]]:
    spans, start = [], 0
    for match in _SENTENCE_END.finditer(text):
        if match.start() > start:
            spans.append((start, match.start()))
        start = match.end()
    if start < len(text):
        spans.append((start, len(text)))
    return spans


def _sentences(text: str) -> list[str]:
    return [text[start:end].strip() for start, end in _sentence_spans(text) if text[start:end].strip()]


def _sentence_around(text: str, start: int, end: int) -> str:
    for left, right in _sentence_spans(text):
        if left <= start < right:
            return text[left : max(right, end)].strip()
    return text[start:end]


def _not_claims(text: str) -> list[tuple[int, int]]:
    """Spans whose numbers state no fact: links, and the length or time of a proposed meeting."""
    spans = [(start, end) for start, end, _ in _link_spans(text)]
    spans += [match.span() for match in _CLOCK_TIME.finditer(text)]
    spans += [match.span() for match in _DISCOURSE_COUNT.finditer(text)]
    spans += [match.span(1) for match in _LIST_MARKER.finditer(text)]
    for left, right in _sentence_spans(text):
        sentence = text[left:right]
        if _MEETING.search(sentence):
            spans += [(left + match.start(), left + match.end()) for match in _WHEN.finditer(sentence)]
    return spans


# A numbered list's markers ("1. …", "2) …" opening a line) count nothing.
_LIST_MARKER = re.compile(r"(?m)^[ \t]*(\d{1,2}[.)])[ \t]")


def _discourse_numbers(text: str) -> set[str]:
    return {_normalise_number(number) for number in re.findall(r"\d+", " ".join(_DISCOURSE_COUNT.findall(text)))}


def _quantities(text: str) -> list[re.Match]:
    exempt = _not_claims(text)
    return [match for match in _NUMBER.finditer(text) if not any(start <= match.start() < end for start, end in exempt)]


def _numbers_in(text: str) -> set[str]:
    """The quantities a draft's text states (a proposed meeting's time and length are none)."""
    return {_normalise_number(match.group(0)) for match in _quantities(text)}


# Ordinals say a count too: "its third site" supports "three sites", "su cuarto centro" "cuatro centros".
_ORDINALS = {
    2: "second zweite zweiter zweiten zweites deuxième seconde segundo segunda",
    3: "third dritte dritter dritten drittes troisième tercer tercero tercera",
    4: "fourth vierte vierter vierten viertes quatrième cuarto cuarta",
    5: "fifth fünfte fünfter fünften fünftes cinquième quinto quinta",
    6: "sixth sechste sechster sechsten sechstes sixième sexto sexta",
    7: "seventh siebte siebter siebten siebtes septième séptimo séptima",
    8: "eighth achte achter achten achtes huitième octavo octava",
    9: "ninth neunte neunter neunten neuntes neuvième noveno novena",
    10: "tenth zehnte zehnter zehnten zehntes dixième décimo décima",
}
_ORDINAL_VALUE = {word: str(value) for value, words in _ORDINALS.items() for word in words.split()}
_ORDINAL = re.compile(r"\b(?:" + "|".join(sorted(_ORDINAL_VALUE, key=len, reverse=True)) + r")\b", re.IGNORECASE)
# A count of the email's own content ("two pieces of news", "zwei kurze Fragen", "deux questions", "dos
# cosas") states nothing about the prospect.
_DISCOURSE_COUNT = re.compile(
    r"\b(?:one|two|three|a couple of|1|2|3|ein(?:e|en)?|zwei|drei|un|une|deux|trois|uno|una|dos|tres)\s+"
    r"(?:\w+\s+)?(?:things?|questions?|ideas?|thoughts?|points?|options?|ways?|pieces? of news|news|reasons?|notes?"
    r"|lines?|quick\w*|Dinge|Fragen?|Ideen?|Gedanken|Punkte?|Möglichkeiten|Neuigkeiten|Nachrichten|Gründe|Zeilen"
    r"|choses?|idées?|pistes?|nouvelles?|raisons?|lignes?|cosas?|preguntas?|ideas?|puntos?|opciones|noticias?"
    r"|razones|líneas?)\b",
    re.IGNORECASE,
)
# How long ago something happened, in the units a writer rounds a signal's age to ("three weeks in",
# "seit zwei Monaten", "il y a trois semaines", "hace dos meses").
_DURATION_UNIT_DAYS = {
    "day": 1, "days": 1, "tag": 1, "tage": 1, "tagen": 1, "jour": 1, "jours": 1, "día": 1, "días": 1, "dia": 1,
    "dias": 1, "week": 7, "weeks": 7, "woche": 7, "wochen": 7, "semaine": 7, "semaines": 7, "semana": 7,
    "semanas": 7, "month": 30, "months": 30, "monat": 30, "monate": 30, "monaten": 30, "mois": 30, "mes": 30,
    "meses": 30, "year": 365, "years": 365, "jahr": 365, "jahre": 365, "jahren": 365, "an": 365, "ans": 365,
    "année": 365, "années": 365, "año": 365, "años": 365,
}  # fmt: skip
_DURATION = re.compile(
    r"(?P<number>\d+|[^\W\d_]+)[\s-]+(?P<unit>" + "|".join(_DURATION_UNIT_DAYS) + r")\b", re.IGNORECASE
)


def _durations_matching_an_age(text: str, language: str, ages: Iterable[int]) -> set[str]:
    """The numbers of durations in `text` that round one of the ages (in days) given: a writer says "three
    weeks in" of a job change 19 days old, "a couple of months" of one 70 days old."""
    matching = set()
    for match in _DURATION.finditer(text):
        token = match.group("number").lower()
        value = int(token) if token.isdigit() else _spelled_value(token, language)
        if value is None:
            continue
        unit = _DURATION_UNIT_DAYS[match.group("unit").lower()]
        if any(abs(age / unit - value) <= max(1, value * 0.25) for age in ages):
            matching.add(str(value))
    return matching


def _source_numbers(text: str) -> set[str]:
    """Every number a source holds, in digits or in words of any language: a source's "from 60 to 20
    minutes" supports a draft's 20 even though its sentence mentions a meeting."""
    numbers = {_normalise_number(match.group(0)) for match in _NUMBER.finditer(text)}
    # "$28M" also holds 28000000, which a draft writes "twenty-eight million".
    numbers |= {format(value.normalize(), "f") for _match, value in money_amounts(text)}
    for language in SPELLED_LANGUAGES:
        # An ordinal says a count too: "its third site" supports "three sites".
        numbers |= {str(number.value) for number in spelled_numbers(text, language)}
        words = _MULTIPLES[language]
        numbers |= {words[match.group(0).lower()] for match in _MULTIPLE_PATTERNS[language].finditer(text)}
    numbers |= {_ORDINAL_VALUE[match.group(0).lower()] for match in _ORDINAL.finditer(text)}
    return numbers


def _claim_numbers(text: str, language: str = "en") -> set[str]:
    """The quantities a statement makes, in digits or in words of its language ("six", "sechs",
    "quatre-vingt-quinze", "doubled"); a 1 ("one of", "ein", "un") and an ordinal count nothing."""
    exempt = [match.span() for match in _DISCOURSE_COUNT.finditer(text)]
    spelled = [number for number in spelled_numbers(text, language) if not number.ordinal]
    words = _MULTIPLES.get(language, _MULTIPLES["en"])
    multiples = _MULTIPLE_PATTERNS.get(language, _MULTIPLE_PATTERNS["en"]).finditer(text)
    return (
        {number for number in _numbers_in(text) if number not in _discourse_numbers(text)}
        | {
            str(number.value)
            for number in spelled
            if number.value > 1 and not any(start <= number.start < end for start, end in exempt)
        }
        | {words[match.group(0).lower()] for match in multiples}
    )


def _shingles(text: str, *, person_neutral: bool = False) -> set[str]:
    words = _WORD.findall(text.lower())
    if person_neutral:
        # An instruction says "say you will beat any quote"; a draft that obeys says "we will beat any quote".
        words = [_PERSON.get(word, word) for word in words]
    return {" ".join(words[i : i + SHINGLE_WORDS]) for i in range(len(words) - SHINGLE_WORDS + 1)}


def _same_name(name: str, other: str) -> bool:
    first, second = name.lower().removesuffix("'s"), other.lower()
    return bool(first and second) and (first.startswith(second) or second.startswith(first))


def _signal_text(signal: SignalFact) -> str:
    return f"{signal.title}. {signal.text}"


@dataclass(frozen=True)
class _DraftUnderCheck:
    """A draft and what the checks read: its text without what we wrote ourselves (the signature and
    address, given verbatim, and any trusted text: numbers in them need no citation), and what its
    claims may cite."""

    data: VerifyInput
    text: str
    signals: dict[str, SignalFact]
    proofs: dict[str, ProofFact]
    offer_text: str

    @classmethod
    def of(cls, data: VerifyInput) -> "_DraftUnderCheck":
        offer, draft = data.strategy.offer, data.draft
        checked_text = f"{draft.subject}\n{draft.body}".replace(offer.signature, "").replace(offer.postal_address, "")
        if data.trusted_text:
            checked_text = checked_text.replace(data.trusted_text, "")
        return cls(
            data=data,
            text=checked_text,
            signals={signal.citation: signal for signal in data.lead.signals},
            proofs={proof.citation: proof for proof in data.strategy.proof},
            offer_text=f"{offer.value_proposition} {offer.call_to_action}",
        )

    @property
    def strategy(self) -> Strategy:
        return self.data.strategy

    @property
    def lead(self) -> Lead:
        return self.data.lead

    @property
    def claims(self) -> list[Claim]:
        return self.data.draft.claims

    @property
    def body(self) -> str:
        return self.data.draft.body

    @property
    def stale_after(self) -> int:
        return self.data.strategy.campaign.stale_signal_days

    def is_stale(self, signal: SignalFact) -> bool:
        """Older than the campaign allows, or found stale by research."""
        return signal.age_days > self.stale_after or signal.id in self.data.stale_signal_ids

    @functools.cached_property
    def uncited_quantities(self) -> list[re.Match]:
        """The numbers in the text that no source cited by a claim stating them holds. Our offer's own
        text and the prospect's names ("3M", "Company 5") need no citation."""
        lead, claims = self.lead, self.claims
        offer_numbers = _source_numbers(f"{self.offer_text} {lead.account.name} {lead.contact.first_name}")
        uncited = []
        for match in _quantities(self.text):
            number = _normalise_number(match.group(0))
            if number in offer_numbers:
                continue
            supporting = [claim for claim in claims if match.group(0) in claim.text or number in claim.text]
            source_texts = []
            for claim in supporting:
                for source in claim.sources:
                    if source in self.signals:
                        source_texts.append(_signal_text(self.signals[source]))
                    elif source in self.proofs:
                        source_texts.append(self.proofs[source].text)
            if any(number in _source_numbers(source_text) for source_text in source_texts):
                continue
            # Said again where no claim states it (a follow-up's "Re:" subject, "your three reps" after the
            # sentence that cited the hiring news): true to a source the draft cites elsewhere.
            if number in self.cited_numbers:
                continue
            uncited.append(match)
        return uncited

    @functools.cached_property
    def cited_sources(self) -> list[str]:
        """The text of every signal and proof point some claim of the draft cites."""
        cited = {source for claim in self.claims for source in claim.sources}
        texts = [_signal_text(signal) for citation, signal in self.signals.items() if citation in cited]
        return texts + [proof.text for citation, proof in self.proofs.items() if citation in cited]

    @functools.cached_property
    def cited_numbers(self) -> set[str]:
        return set().union(set(), *(_source_numbers(text) for text in self.cited_sources))

    @functools.cached_property
    def usable_uncited_numbers(self) -> set[str]:
        """The numbers of the lead's fresh signals the draft does not cite: stating one is true but
        uncited (a follow-up's "Re:" subject restating the first email's news)."""
        cited = {source for claim in self.claims for source in claim.sources}
        return set().union(
            set(),
            *(
                _source_numbers(_signal_text(signal))
                for citation, signal in self.signals.items()
                if citation not in cited and not self.is_stale(signal) and not first_instruction(_signal_text(signal))
            ),
        )


def _bad_citations(draft: _DraftUnderCheck) -> list[Finding]:
    """Every claim cites a source, and each source exists, belongs to this lead and is fresh."""
    findings = []
    for claim in draft.claims:
        if not claim.sources:
            findings.append(Finding(kind="uncited_claim", message="A factual claim cites no source.", span=claim.text))
        for source in claim.sources:
            if source == "offer":
                continue
            if source.startswith("signal:"):
                signal = draft.signals.get(source)
                if signal is None:
                    findings.append(
                        Finding(
                            kind="unknown_citation",
                            message=f"{source} is not a signal of this lead.",
                            span=claim.text,
                            source=source,
                        )
                    )
                elif draft.is_stale(signal):
                    findings.append(
                        Finding(
                            kind="stale_signal",
                            message=f"{source} is {signal.age_days} days old (limit {draft.stale_after}).",
                            span=claim.text,
                            source=source,
                        )
                    )
            elif source.startswith("proof:"):
                if source not in draft.proofs:
                    findings.append(
                        Finding(
                            kind="unknown_citation",
                            message=f"{source} is not an approved fact of the proof library.",
                            span=claim.text,
                            source=source,
                        )
                    )
            else:
                findings.append(
                    Finding(kind="unknown_citation", message=f"{source!r} is not a citation.", span=claim.text)
                )
    return findings


def _uncited_numbers(draft: _DraftUnderCheck) -> list[Finding]:
    """Every number is in a source cited by a claim that states it (or in the offer). One that only an
    uncited fresh signal of the lead holds is true: a warning, not a block."""
    findings = []
    for match in draft.uncited_quantities:
        sentence = _sentence_around(draft.text, match.start(), match.end())
        if _normalise_number(match.group(0)) in draft.usable_uncited_numbers:
            findings.append(
                Finding(
                    kind="uncited_fact",
                    message=f"{match.group(0)} is true to a signal of this lead the draft does not cite.",
                    span=sentence,
                    fact_type="number",
                    severity="warn",
                )
            )
        else:
            findings.append(
                Finding(
                    kind="unsupported_number", message=f"{match.group(0)} is not in any cited source.", span=sentence
                )
            )
    return findings


def _customers_not_in_the_proof_library(draft: _DraftUnderCheck) -> list[Finding]:
    """A customer of ours named in the draft is one the proof library lets us name."""
    strategy, lead = draft.strategy, draft.lead
    public_customers = [
        proof.customer_name for proof in strategy.proof if proof.customer_name and proof.may_name_publicly
    ]
    offer = strategy.offer
    # The prospect's own names, and ours (the company in our signature and address is no customer).
    ours = [lead.account.name, lead.contact.first_name, lead.contact.last_name]
    ours += re.findall(r"[A-Z][\w&'-]+", f"{offer.signature} {offer.postal_address} {offer.sender_name}")
    findings = []
    for match in _customer_mention(_our_names(offer)).finditer(draft.text):
        group = next(group for group in match.groups() if group)
        for name in re.split(r",? and |, | or ", group):
            name = name.strip()
            if not name or name.lower() in _NOT_A_NAME:
                continue
            if any(_same_name(name, other) for other in ours if other):
                continue
            if not any(_same_name(name, customer) for customer in public_customers):
                findings.append(
                    Finding(
                        kind="unsupported_customer",
                        message=f"{name} is not a customer we may name (not in the proof library).",
                        span=match.group(0),
                    )
                )
    return findings


def _private_customers_named(draft: _DraftUnderCheck) -> list[Finding]:
    """A customer who has not agreed to be named publicly is not named."""
    proof = draft.strategy.proof
    private_customers = {item.customer_name for item in proof if item.customer_name and not item.may_name_publicly}
    return [
        Finding(kind="customer_not_public", message=f"{name} may not be named publicly.", span=name)
        for name in private_customers
        if name.lower() in draft.text.lower()
    ]


def _case_study_without_citation(draft: _DraftUnderCheck) -> list[Finding]:
    """A case study mentioned is one the draft cites from the proof library."""
    if "case study" not in draft.text.lower():
        return []
    cites_case_study = any(
        source in draft.proofs and draft.proofs[source].kind == "case_study"
        for claim in draft.claims
        for source in claim.sources
    )
    if cites_case_study:
        return []
    return [
        Finding(kind="invented_case_study", message="A case study is mentioned without citing one.", span="case study")
    ]


def _claims_that_misquote_their_sources(draft: _DraftUnderCheck) -> list[Finding]:
    """A claim states only the quantities of what it cites ("tripled" where the fact says "doubled" fails);
    a number already reported as uncited in the text is not reported again."""
    already_reported = {_normalise_number(match.group(0)) for match in draft.uncited_quantities}
    already_reported |= draft.usable_uncited_numbers
    findings = []
    for claim in draft.claims:
        cited = [
            source for source in claim.sources if source in draft.proofs or source in draft.signals or source == "offer"
        ]
        texts = [
            draft.proofs[source].text
            if source in draft.proofs
            else _signal_text(draft.signals[source])
            if source in draft.signals
            else draft.offer_text
            for source in cited
        ]
        if not texts:
            continue
        language = draft.data.draft.language
        missing = _claim_numbers(claim.text, language) - set().union(*(_source_numbers(text) for text in texts))
        # A duration rounding the age of a cited signal ("three weeks into the new role").
        ages = [draft.signals[source].age_days for source in cited if source in draft.signals]
        missing -= _durations_matching_an_age(claim.text, language, ages)
        # A number another claim states from a source the draft cites: said again, not invented.
        restated = set().union(
            set(), *(_claim_numbers(other.text, language) for other in draft.claims if other is not claim)
        )
        missing -= restated & draft.cited_numbers
        cited_proofs = [source for source in cited if source in draft.proofs]
        if missing and cited_proofs:
            findings.append(
                Finding(
                    kind="misquoted_proof",
                    message=f"The claim does not match approved fact {', '.join(cited_proofs)}.",
                    span=claim.text,
                    source=cited_proofs[0],
                )
            )
        elif missing - already_reported:
            findings.append(
                Finding(
                    kind="unsupported_number",
                    message=f"{', '.join(sorted(missing))} is not in the cited source.",
                    span=claim.text,
                    source=cited[0],
                )
            )
    return findings


def _stem_pattern(word: str) -> str:
    """A word and its inflections: a plural or verb ending dropped, any ending allowed."""
    stem = re.sub(r"(?:ies|es|s|ed|ing|e)$", "", word.lower()) if len(word) > 4 else word.lower()
    return re.escape(stem) + r"\w*"


# Topics a sales policy commonly forbids, by what a sentence says about them in the four languages: a
# policy topic that names one ("layoffs", "Entlassungen", "politics") is found however a draft words it
# ("letting sales staff go", "se séparer de leurs commerciaux", "the new tariffs").
_TOPIC_MEANINGS: list[tuple[re.Pattern, re.Pattern]] = [
    (
        re.compile(
            r"lay-?offs?|redundanc|job cuts|downsiz|dismissal|Entlassung|Stellenabbau|licenciement|despido",
            re.IGNORECASE,
        ),  # fmt: skip
        re.compile(
            r"\b(?:lay-?offs?|laid off|lay(?:ing)? off|redundanc\w+|job cuts|cut(?:ting)? (?:\w+ )?jobs|downsiz\w+"
            r"|headcount (?:cuts?|reductions?)|let(?:ting)? (?:\w+ ){0,3}(?:staff|people|employees|reps|workers|sellers"
            r"|salespeople|team members) go|shed(?:ding)? (?:\w+ )?(?:jobs|staff|reps)"
            r"|Entlassung\w*|entlassen\w*|Stellenabbau|Personalabbau|Jobabbau|Kündigungswelle\w*"
            r"|(?:Stellen|Jobs) (?:\w+ )?abgebaut"
            r"|licenci\w+|suppressions? de postes|plan social|réduction des effectifs"
            r"|se séparer d['’e]\s*(?:\w+\s+){0,4}?(?:commerciaux|salariés|employés|vendeurs|collaborateurs|équipes?)"
            r"|despid\w+|recortes? de (?:plantilla|personal|empleo)|reducción de plantilla|ajustes? de plantilla"
            r"|prescindi\w* de (?:\w+\s+){0,4}?(?:comerciales|vendedores|empleados|plantilla|personal))\b",
            re.IGNORECASE,
        ),
    ),
    (
        re.compile(r"politi|election|government|Politik|Wahl|élection|elecci|gobierno|gouvernement", re.IGNORECASE),
        re.compile(
            r"\b(?:politic\w*|elections?|electoral|government|administration's|tariffs?|trade war|congress|parliament"
            r"|senate|White House|Politik\w*|politisch\w*|Wahl(?:en|kampf)|Regierung\w*|Zölle\w*|Strafzöll\w*"
            r"|Handelskrieg\w*|Bundestag|élections?|gouvernement\w*|droits de douane|tarifs douaniers"
            r"|guerre commerciale|politiques?(?! de)|elecciones|electoral\w*|gobierno\w*|aranceles?|guerra comercial"
            r"|polític[oa]s?(?! de))\b",
            re.IGNORECASE,
        ),
    ),
]
# A competitor's price: a sentence that names what others pay (seats, licences, bills) beside a
# competitor, by that word or by a company's name that is neither ours, the prospect's nor a customer's.
_COMPETITOR_PRICING_TOPIC = re.compile(
    r"(?:competitor|competition|rival|Wettbewerb|Konkurren|concurren|competen)\w*"
    r"\W+(?:\w+\W+)?(?:pric|cost|Preis|Kosten|prix|tarif|precio|coste)",
    re.IGNORECASE,
)
_COMPETITOR_WORDS = re.compile(r"\b(?:competitors?|rivals?|Wettbewerber\w*|Konkurren\w*|concurrents?|competidores?"
                               r"|competencia)\b", re.IGNORECASE)  # fmt: skip
_PRICE_WORDS = re.compile(
    r"\b(?:pric\w*|costs?|fees?|seats?|licen[cs]es?|bills?|expensive|Preis\w*|Kosten|Lizenz\w*|teuer\w*"
    r"|prix|co[uû]ts?|tarifs?|licences?|cher|chère|precios?|costes?|costos?|licencias?|car[oa]s?)\b",
    re.IGNORECASE,
)
# Paying a company, or a company's prices: "paying Outreach and Salesloft", "die Lizenzen von X".
_PAY_VERB = re.compile(
    r"\b(?:pay(?:s|ing)?|paid|overpay\w*|zahl\w*|pa(?:ie|ye|yer)\w*|pag(?:a|an|áis|as|ar|ando|ó|aron)|spend\w* on)\b",
    re.IGNORECASE,
)
_PAYING = re.compile(_PAY_VERB.pattern + r"\s+(?:\w+\s+){0,2}?(?:an\s+|à\s+|a\s+)?$", re.IGNORECASE)
_PRICE_OF = re.compile(
    r"^(?:['’]s)?\s+(?:\w+\s+){0,1}?(?:pric\w*|costs?|fees?|charges?|seats?|licen[cs]es?|bills?|invoices?)\b"
    r"|^(?:['’]s)?\s+(?:is|are)\s+(?:\w+\s+)?(?:expensive|cheaper|pricier|overpriced)\b",
    re.IGNORECASE,
)
_PRICE_OF_BEFORE = re.compile(
    r"\b(?:Preise?|Kosten|Lizenz\w*|prix|tarifs?|co[uû]ts?|licences?|precios?|costes?|costos?|licencias?|tarifas?)"
    r"\s+(?:von|de|d['’]|del|bei|chez)\s*$",
    re.IGNORECASE,
)


def _competitor_prices(draft: _DraftUnderCheck, topic: str) -> list[Finding]:
    strategy, lead = draft.strategy, draft.lead
    known = [lead.account.name, lead.contact.first_name, lead.contact.last_name]
    known += [proof.customer_name for proof in strategy.proof if proof.customer_name]
    known += re.findall(r"[\w&'-]+", f"{strategy.offer.signature} {strategy.offer.postal_address}")
    findings = []
    for sentence in _sentences(draft.text):
        if not _PRICE_WORDS.search(sentence) and not _PAY_VERB.search(sentence):
            continue
        named = _COMPETITOR_WORDS.search(sentence) and _PRICE_WORDS.search(sentence)
        for start, end, _words in name_runs(sentence, draft.data.draft.language):
            name = sentence[start:end]
            if any(_same_name(name, other) for other in known if other):
                continue
            before, after = sentence[:start], sentence[end:]
            if _PAYING.search(before) or _PRICE_OF.match(after) or _PRICE_OF_BEFORE.search(before):
                named = True
        if named:
            findings.append(Finding(kind="forbidden_topic", message=f"Forbidden topic: {topic!r}.", span=sentence))
    return findings


def _topic_meanings(draft: _DraftUnderCheck, topic: str) -> list[Finding]:
    findings = []
    for names_it, pattern in _TOPIC_MEANINGS:
        if names_it.search(topic):
            findings += [
                Finding(kind="forbidden_topic", message=f"Forbidden topic: {topic!r}.", span=match.group(0))
                for match in pattern.finditer(draft.text)
            ]
    if _COMPETITOR_PRICING_TOPIC.search(topic):
        findings += _competitor_prices(draft, topic)
    return findings


def _forbidden_phrases_and_topics(draft: _DraftUnderCheck) -> list[Finding]:
    """The policy's forbidden phrases and topics are not in the draft, however they are spelled."""
    policy = draft.strategy.policy
    findings = []
    for kind, label, phrases in (
        ("forbidden_phrase", "Forbidden phrase", policy.forbidden_phrases),
        ("forbidden_topic", "Forbidden topic", policy.forbidden_topics),
    ):
        for phrase in phrases:
            # Each word by its stem, so spellings and inflections count: "risk-free" also catches "risk
            # free" and "Risk-Free", "guarantee" also "guaranteed", "unions" also "union".
            words = [_stem_pattern(word) for word in re.split(r"[\s-]+", phrase.strip()) if word]
            pattern = r"(?<!\w)" + r"[\s-]+".join(words)
            match = re.search(pattern, draft.text, re.IGNORECASE) if words else None
            if match:
                findings.append(Finding(kind=kind, message=f"{label}: {phrase!r}.", span=match.group(0)))
            elif kind == "forbidden_topic":
                findings += _topic_meanings(draft, phrase)
    return findings


def _discounts_beyond_policy(draft: _DraftUnderCheck) -> list[Finding]:
    """No discount is larger than the policy allows."""
    policy = draft.strategy.policy
    findings = []
    for match in _DISCOUNT.finditer(draft.text):
        number = match.group(1) or match.group(2)
        percent = int(number) if number else 50
        if percent > policy.max_discount_percent:
            findings.append(
                Finding(
                    kind="discount_beyond_policy",
                    message=f"A {percent}% discount exceeds the policy's {policy.max_discount_percent:g}%.",
                    span=match.group(0),
                )
            )
    return findings


def _pricing_the_policy_forbids(draft: _DraftUnderCheck) -> list[Finding]:
    """Pricing is mentioned only when the policy allows it."""
    if draft.strategy.policy.pricing_allowed:
        return []
    return [
        Finding(kind="pricing", message="The policy does not allow mentioning pricing.", span=match.group(0))
        for match in _PRICING.finditer(draft.text)
    ]


def _links_not_allowed(draft: _DraftUnderCheck) -> list[Finding]:
    """Every link, with or without a scheme, goes to a domain the policy allows (or a subdomain of one)."""
    allowed = [domain.lower().removeprefix("www.") for domain in draft.strategy.policy.allowed_link_domains]
    findings = []
    for _start, _end, link in _link_spans(draft.text):
        host = (urlsplit(link if "://" in link else "//" + link).hostname or "").lower().removeprefix("www.")
        if not any(host == domain or host.endswith("." + domain) for domain in allowed):
            findings.append(Finding(kind="link_not_allowed", message=f"Links to {host} are not allowed.", span=link))
    return findings


def _missing_signature(draft: _DraftUnderCheck) -> list[Finding]:
    """Commercial email carries the sender's signature (its first line at least)."""
    signature = draft.strategy.offer.signature.strip()
    if signature and signature.splitlines()[0] not in draft.body:
        return [Finding(kind="missing_signature", message="The signature is missing.")]
    return []


def _missing_postal_address(draft: _DraftUnderCheck) -> list[Finding]:
    """Commercial email carries the sender's postal address (however the lines are broken)."""
    address = " ".join(draft.strategy.offer.postal_address.split())
    if address not in " ".join(draft.body.split()):
        return [Finding(kind="missing_postal_address", message="The sender's postal address is missing.")]
    return []


def _instructions_in_signals(draft: _DraftUnderCheck) -> list[Finding]:
    """Instruction-like text in the lead's signals is flagged: it was treated as data and never obeyed.
    It warns and does not block: the draft is judged by what it says (a draft doing what the text asked
    is blocked by _followed_instructions), and the router keeps such a lead from going out unreviewed."""
    findings = []
    for signal in draft.lead.signals:
        span = find_instructions(f"{signal.title}\n{signal.text}")
        if span:
            findings.append(
                Finding(
                    kind="prompt_injection",
                    message=f"Signal {signal.id} ({signal.kind}) contains instructions to the model; it was "
                    "treated as data and not followed.",
                    span=span,
                    source=signal.citation,
                    severity="warn",
                )
            )
    return findings


# In our own email, what our AI agents do is the product, not an attack ("our agents write the first
# emails"): only structure that never belongs in an email, or a clear instruction, counts there.
_IN_A_DRAFT = {
    "hidden_css",
    "white_on_white",
    "html_comment",
    "zero_width",
    "role_marker",
    "override",
    "secret_request",
    "obfuscated",
}
_CLEAR_INSTRUCTION = 0.8


def _instructions_in_the_draft(draft: _DraftUnderCheck) -> list[Finding]:
    """The draft itself holds no instruction-like text."""
    for found in scan(draft.body):
        if found.confidence >= FLAG_THRESHOLD and (
            found.technique in _IN_A_DRAFT or found.confidence >= _CLEAR_INSTRUCTION
        ):
            return [
                Finding(kind="prompt_injection", message="The draft contains instruction-like text.", span=found.span)
            ]
    return []


def _uncited_results(draft: _DraftUnderCheck) -> list[Finding]:
    """A result or customer story about us must rest on a cited proof point, or it is invented."""
    backed = [
        " ".join(claim.text.split())
        for claim in draft.claims
        if any(source in draft.proofs for source in claim.sources)
    ]
    findings = []
    for sentence in _sentences(draft.text):
        if not (_ABOUT_OUR_RESULTS.search(sentence) and _RESULT.search(sentence)):
            continue
        flat = " ".join(sentence.split())
        if any(claim and (claim in flat or flat in claim) for claim in backed):
            continue
        findings.append(
            Finding(
                kind="invented_case_study",
                message="A result or customer story about us that rests on no proof point.",
                span=sentence,
            )
        )
    return findings


def _stale_echoes(draft: _DraftUnderCheck) -> list[Finding]:
    """A stale signal restated in the draft, even under another signal's citation (one it cites is
    reported by _bad_citations already)."""
    stale = [signal for signal in draft.lead.signals if draft.is_stale(signal)]
    if not stale:
        return []
    already = {
        source
        for claim in draft.claims
        for source in claim.sources
        if source in draft.signals and draft.is_stale(draft.signals[source])
    }
    fresh = [s for s in draft.lead.signals if s not in stale]
    known = _shingles(
        " ".join(
            [_signal_text(signal) for signal in fresh]
            + [proof.text for proof in draft.strategy.proof]
            + [draft.strategy.offer.value_proposition, draft.strategy.offer.call_to_action]
        )
    )
    echoes = []
    for signal in stale:
        if signal.citation in already:
            continue
        distinctive = _shingles(_signal_text(signal)) - known
        for sentence in _sentences(draft.text):
            if _shingles(sentence) & distinctive:
                echoes.append(
                    Finding(
                        kind="stale_signal",
                        message=f"The draft restates signal {signal.id}, which is {signal.age_days} days old "
                        f"(limit {draft.stale_after}).",
                        span=sentence,
                        source=signal.citation,
                    )
                )
                break
    return echoes


def _followed_instructions(draft: _DraftUnderCheck) -> list[Finding]:
    """The draft repeats what an instruction hidden in a signal asked for: links, codes, amounts, wording."""
    findings = []
    lead, strategy = draft.lead, draft.strategy
    for signal in lead.signals:
        source_text = f"{signal.title}\n{signal.text}"
        match = first_instruction(source_text)
        if match is None:
            continue
        start = next((left for left, right in _sentence_spans(source_text) if left <= match.start() < right), 0)
        instruction = source_text[start:]
        others = " ".join(
            [_signal_text(other) for other in lead.signals if other.id != signal.id]
            + [proof.text for proof in strategy.proof]
            + [strategy.offer.value_proposition, strategy.offer.call_to_action]
        )
        markers = {link.lower() for _s, _e, link in _link_spans(instruction)}
        markers |= {token.lower() for token in _CODE.findall(instruction) + _AMOUNT.findall(instruction)}
        markers = {marker for marker in markers if marker not in others.lower()}
        wording = _shingles(instruction, person_neutral=True) - _shingles(others, person_neutral=True)
        for sentence in _sentences(draft.text):
            lowered = sentence.lower()
            if any(marker in lowered for marker in markers) or _shingles(sentence, person_neutral=True) & wording:
                findings.append(
                    Finding(
                        kind="injection_followed",
                        message=f"The draft does what the instruction in signal {signal.id} ({signal.kind}) asked; "
                        "data must never be obeyed.",
                        span=sentence,
                        source=signal.citation,
                    )
                )
    return findings


def _sources_of(draft: _DraftUnderCheck) -> Sources:
    """What the draft cites, and what it may say without citing: the recipient and account as on
    file, our offer, sender, signature and address."""
    cited = {source for claim in draft.claims for source in claim.sources}
    signals = [draft.signals[source] for source in sorted(cited) if source in draft.signals]
    proofs = [draft.proofs[source] for source in sorted(cited) if source in draft.proofs]
    uncited = [
        signal
        for citation, signal in draft.signals.items()
        if citation not in cited and not draft.is_stale(signal) and not first_instruction(_signal_text(signal))
    ]
    lead, offer = draft.lead, draft.strategy.offer
    ours = _our_names(offer)
    return Sources(
        texts=tuple(_signal_text(signal) for signal in signals) + tuple(proof.text for proof in proofs),
        context=(
            lead.contact.first_name,
            lead.contact.last_name,
            lead.contact.title,
            lead.account.name,
            lead.account.domain.replace(".", " "),
            lead.contact.email.partition("@")[0].replace(".", " "),
            offer.value_proposition,
            offer.call_to_action,
            offer.sender_name,
            offer.signature,
            offer.postal_address,
            # A customer the proof library lets us name may be named; what it achieved must be cited.
            *(proof.customer_name for proof in draft.strategy.proof if proof.may_name_publicly),
        ),
        recipient_title=lead.contact.title,
        signal_times=tuple((signal.occurred_at, signal.age_days) for signal in signals),
        signal_kinds=frozenset(signal.kind for signal in signals),
        uncited_texts=tuple(_signal_text(signal) for signal in uncited),
        uncited_signal_times=tuple((signal.occurred_at, signal.age_days) for signal in uncited),
        uncited_signal_kinds=frozenset(signal.kind for signal in uncited),
        party_texts=tuple(f"{lead.account.name}\n{_signal_text(signal)}" for signal in signals)
        + tuple(f"{proof.customer_name}\n{' '.join(ours)}\n{proof.text}" for proof in proofs),
        our_names=ours,
        our_customers=tuple(proof.customer_name for proof in draft.strategy.proof if proof.may_name_publicly),
        account_name=lead.account.name,
    )


# The words of a job title in a signature ("Senior Account Executive"), which name no company.
_SIGNATURE_ROLE_WORD = re.compile(
    r"^(?:senior|junior|lead|principal|head|chief|of|for|and|&|the|account|executive|manager|director|sales"
    r"|business|development|representative|partnerships?|growth|revenue|customer|success|operations|marketing"
    r"|founder|co-founder|ceo|cro|cmo|vp|svp|evp|sdr|bdr|ae|am|team|officer|vertrieb\w*|leiter\w*|leitung"
    r"|responsable|commercial\w*|directeur|directrice|ventas|comercial\w*|gerente|jef[ea]|de|del|des|du|la|le|el)$",
    re.IGNORECASE,
)


def _our_names(offer) -> tuple[str, ...]:
    """Our company and product as the signature and address name them: the parts of a signature line
    that are neither the sender, a job title, a phone number, an address nor a link ("Account Executive,
    salesops", "Lena Brook | Quillmate"), and the first part of the address ("Salesops Demo GmbH,
    Torstraße 1, …"), with that name's first word ("Salesops")."""
    names = []
    for line in offer.signature.splitlines():
        for part in re.split(r"\s*[,|·•]\s*|\s+[–—-]\s+", line):
            part = part.strip()
            words = part.split()
            if not words or part == offer.sender_name or re.search(r"[\d@/]|www\.", part):
                continue
            if all(_SIGNATURE_ROLE_WORD.match(word) for word in words) or len(words) > 4:
                continue
            names.append(part)
    company = offer.postal_address.splitlines()[0].split(",")[0].strip() if offer.postal_address.strip() else ""
    if company and not re.search(r"\d", company):
        names += [company, company.split()[0]]
    return tuple(dict.fromkeys(name for name in names if name and name != offer.sender_name))


_FACT_WORDS = {
    "name": "The name", "person": "The person", "organisation": "The organisation", "product": "The product",
    "amount": "The amount", "date": "The date", "title": "The title", "event": "The event", "award": "The award",
    "referral": "The referral", "relationship": "The relationship",
}  # fmt: skip


def _ungrounded_facts(draft: _DraftUnderCheck) -> list[Finding]:
    """Each sentence of subject and body states only facts a cited source or the allowed context
    supports: names, amounts, dates, titles, events and relationships (see agents/team/grounding.py)."""
    sources = _sources_of(draft)
    findings, seen = [], set()
    for sentence in _sentences(draft.text):
        for fact in ungrounded_facts(sentence, sources, language=draft.data.draft.language):
            key = (fact.type, fact.text.lower())
            if key in seen:
                continue
            seen.add(key)
            what = _FACT_WORDS.get(fact.type, "The fact")
            if fact.uncited:
                findings.append(
                    Finding(
                        kind="uncited_fact",
                        message=f"{what} {fact.text!r} is true to a signal of this lead the draft does not cite.",
                        span=fact.text,
                        fact_type=fact.type,
                        severity="warn",
                    )
                )
                continue
            if fact.contradicted:
                message = f"{what} {fact.text!r} contradicts the sources" + (
                    f": {fact.detail}." if fact.detail else "."
                )
            else:
                message = f"{what} {fact.text!r} is in no source the draft cites."
            findings.append(
                Finding(
                    kind="contradicted_fact" if fact.contradicted else "unsupported_fact",
                    message=message,
                    span=fact.text,
                    fact_type=fact.type,
                )
            )
    return findings


def _markup(draft: _DraftUnderCheck) -> list[Finding]:
    """An email is plain text: no tag, script, comment, event handler, javascript:/data: link,
    protocol-relative link or encoded tag from any data field (or anyone) reaches a prospect."""
    return [
        Finding(kind="unsafe_markup", message=f"Markup in the email ({reason}).", span=span)
        for span, reason in unsafe_markup(f"{draft.data.draft.subject}\n{draft.body}")
    ]


# Every rule the verifier applies without a model, in the order their findings are reported.
_CHECKS: tuple[Callable[[_DraftUnderCheck], list[Finding]], ...] = (
    _bad_citations,
    _uncited_numbers,
    _customers_not_in_the_proof_library,
    _private_customers_named,
    _case_study_without_citation,
    _claims_that_misquote_their_sources,
    _forbidden_phrases_and_topics,
    _discounts_beyond_policy,
    _pricing_the_policy_forbids,
    _links_not_allowed,
    _missing_signature,
    _missing_postal_address,
    _instructions_in_signals,
    _instructions_in_the_draft,
    _uncited_results,
    _stale_echoes,
    _followed_instructions,
    _ungrounded_facts,
    _markup,
)


def deterministic_checks(data: VerifyInput) -> list[Finding]:
    """Every check's findings, check by check in the order of _CHECKS."""
    draft = _DraftUnderCheck.of(data)
    return [finding for check in _CHECKS for finding in check(draft)]


def is_blocking(finding: Finding | dict) -> bool:
    """Whether a finding stops the draft until a person overrides it with a note: its severity is
    "block", a Finding's default, so a stored finding without a severity blocks too. A "warn" finding
    is shown and lets the draft through. Takes a Finding or one stored in a run's verification."""
    severity = finding.severity if isinstance(finding, Finding) else finding.get("severity", "block")
    return severity == "block"


def blocking_kinds(findings: Iterable[Finding | dict]) -> list[str]:
    """The kinds of the blocking findings, sorted, each once: a person overrides each with one note."""
    return sorted(
        {
            str(finding.kind if isinstance(finding, Finding) else finding.get("kind"))
            for finding in findings
            if is_blocking(finding)
        }
    )


def verify_offline(data: VerifyInput) -> VerifyOutput:
    findings = deterministic_checks(data)
    blocking = [finding for finding in findings if is_blocking(finding)]
    return VerifyOutput(
        passed=not blocking,
        findings=findings,
        confidence=0.95 if not blocking else round(max(0.3, 0.9 - 0.1 * len(blocking)), 2),
    )


register_offline_handler("verify", verify_offline)


def verify(data: VerifyInput, *, provider, budget=None) -> tuple[VerifyOutput, AgentCall]:
    """Deterministic findings decide when they fire; the model check can only add findings, never
    remove or downgrade one. The call returned carries the merged verification as its output (what
    the verify step records) and the model call's cost and usage."""
    # model_check builds on VerifyInput, so importing it at the top of this module would be a cycle.
    from agents.team.model_check import model_check, rules_only_call

    rules = verify_offline(data)
    model_findings, call = model_check(data, provider=provider, budget=budget)
    seen = {(finding.kind, finding.span) for finding in rules.findings}
    added = []
    for finding in model_findings:
        if (finding.kind, finding.span) not in seen:
            seen.add((finding.kind, finding.span))
            added.append(finding)
    findings = rules.findings + added
    blocking = [finding for finding in findings if is_blocking(finding)]
    merged = VerifyOutput(
        passed=not blocking,
        findings=findings,
        # Each finding the rules missed and the model found makes the rules' confidence less deserved.
        confidence=round(max(0.3, rules.confidence - 0.1 * len(added)), 2) if added else rules.confidence,
    )
    if call is None:  # nothing of the draft's own to ask about: the rules were the whole check
        return merged, rules_only_call(merged)
    return merged, AgentCall(output=merged, result=call.result, prompt_version=call.prompt_version)


def claims_from_edit(original: WriteOutput, body: str) -> list[Claim]:
    """A person's edit keeps the claims whose text is still in the body; new facts stand uncited."""
    return [claim for claim in original.claims if claim.text in body]
