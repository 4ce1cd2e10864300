"""Claim-level grounding: each sentence of a draft's subject and body is a unit, and every fact it
states must rest on a source the draft cites (a signal or a proof point) or on the allowed context
(the recipient's name, company and title as on file; our own offer, company, product and sender).

Facts are found by their shape, not by phrases: names (capitalised words, acronyms, product codes,
compared with a gazetteer of the words of the sources), money amounts with their scale, dates and
periods, titles and roles, and the events and relationships a sentence asserts (a funding round, a new
role, an award, a referral, an acquisition, hiring, a new site). Numbers stay with the verifier's
number checks. Each language of the offer gets the same checks; in German every noun is capitalised, so
there a capitalised word counts as a name only when no dictionary knows it (compounds of known words
included) or it has the shape of a name. The price: in German, a name the dictionary knows or that reads
as a compound of known words ("Siemens", "Lakestar") passes the name check; the event, title, date and
amount checks still apply, and the model check sees every sentence.
"""

from __future__ import annotations

import dataclasses
import functools
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation

import simplemma
from babel import Locale

LANGUAGES = ("en", "de", "fr", "es")

# The fact types a finding names.
NAME, PERSON, ORGANISATION, PRODUCT = "name", "person", "organisation", "product"
AMOUNT, DATE, TITLE, EVENT, AWARD, REFERRAL = "amount", "date", "title", "event", "award", "referral"


@dataclass(frozen=True)
class Fact:
    type: str
    text: str  # as written in the sentence
    sentence: str
    contradicted: bool = False
    detail: str = ""  # what the sources say instead, when they contradict
    uncited: bool = False  # true to a signal of the lead the draft does not cite


@dataclass(frozen=True)
class Sources:
    """What a draft may state: the texts of the sources it cites and the allowed context."""

    texts: tuple[str, ...]  # cited signals and proof points, and the offer
    context: tuple[str, ...]  # the recipient and account as on file, our sender, signature and address
    recipient_title: str
    signal_times: tuple[tuple[datetime, int], ...]  # (occurred_at, age in days) of each cited signal
    signal_kinds: frozenset[str]
    # The lead's other usable signals: a fact they hold is true but uncited (a follow-up restating the
    # first email's news), which is worth a warning, not a block.
    uncited_texts: tuple[str, ...] = ()
    uncited_signal_times: tuple[tuple[datetime, int], ...] = ()
    uncited_signal_kinds: frozenset[str] = frozenset()
    # Who is who, for the relationships a sentence states between parties: each cited source with the
    # parties it speaks of without naming them (a signal is about the account; a proof point about its
    # customer and us), our own names (company, product), the customers the proof library lets us
    # name, and the account.
    party_texts: tuple[str, ...] = ()
    our_names: tuple[str, ...] = ()
    our_customers: tuple[str, ...] = ()
    account_name: str = ""

    def widened(self) -> Sources:
        return dataclasses.replace(
            self,
            texts=self.texts + self.uncited_texts,
            signal_times=self.signal_times + self.uncited_signal_times,
            signal_kinds=self.signal_kinds | self.uncited_signal_kinds,
            uncited_texts=(),
            uncited_signal_times=(),
            uncited_signal_kinds=frozenset(),
        )

    @functools.cached_property
    def all_text(self) -> str:
        return "\n".join(self.texts + self.context)

    @functools.cached_property
    def words(self) -> frozenset[str]:
        return frozenset(_word_forms(self.all_text))

    @functools.cached_property
    def countries(self) -> frozenset[str]:
        """The ISO codes of the countries the sources name, in any of the four languages ("Spain",
        "Spanien", "Espagne", "España" are ES)."""
        folded = " ".join(_fold(word) for word in _TOKEN.findall(self.all_text))
        return frozenset(_COUNTRY_CODES[match.group(0)] for match in _country_pattern().finditer(folded))

    @functools.cached_property
    def initialisms(self) -> frozenset[str]:
        """The initials of every run of two to six words of the sources: "refuse collection vehicles" → rcv."""
        found = set()
        for text in self.texts + self.context:
            initials = [_fold(word)[:1] for word in re.findall(r"[^\W\d_]+", text)]
            for size in range(2, 7):
                found.update("".join(initials[start : start + size]) for start in range(len(initials) - size + 1))
        return frozenset(found)

    @functools.cached_property
    def amounts(self) -> frozenset[Decimal]:
        return frozenset(value for _match, value in money_amounts(self.all_text))

    @functools.cached_property
    def amounts_with_currency(self) -> frozenset[tuple[Decimal, str | None]]:
        return frozenset((value, currency_of(match)) for match, value in money_amounts(self.all_text))

    @functools.cached_property
    def months(self) -> frozenset[tuple[int | None, int]]:
        """(year or None, month) named in the sources or in which a cited signal happened (a month
        either side: "late October" for a signal of November 2nd is fair)."""
        found = {(None, month) for _match, month in _month_mentions(self.all_text)}
        for occurred_at, _age in self.signal_times:
            for shift in (-1, 0, 1):
                month = (occurred_at.month - 1 + shift) % 12 + 1
                found.add((None, month))
        return frozenset(found)

    @functools.cached_property
    def years(self) -> frozenset[int]:
        years = {int(match.group(0)) for match in _YEAR.finditer(self.all_text)}
        years |= {occurred_at.year for occurred_at, _age in self.signal_times}
        return frozenset(years)

    @functools.cached_property
    def concepts(self) -> frozenset[str]:
        found = {
            concept
            for concept, pattern in _CONCEPTS.items()
            if pattern.search(self.all_text) or (concept in _EVIDENCE and _EVIDENCE[concept].search(self.all_text))
        }
        found |= {_CONCEPT_OF_SIGNAL_KIND[kind] for kind in self.signal_kinds if kind in _CONCEPT_OF_SIGNAL_KIND}
        return frozenset(found)


# Words and names ---------------------------------------------------------------------------------------

_TOKEN = re.compile(r"[^\W_][\w'’&.-]*[^\W_]|[^\W_]", re.UNICODE)
_SENTENCE_START = re.compile(r"(?:^|[.!?:;]\s+|\n\s*|[\"“„«(—–¿¡-]\s*)$")
# What may stand between two words of one name ("Orbis Packaging", "Kessler & Co", "Saint-Gobain").
_INSIDE_A_NAME = re.compile(r"^[\s&'’-]*$")


def _fold(word: str) -> str:
    """Case, accents and a possessive or plural ending taken off: how two spellings of a name meet."""
    word = unicodedata.normalize("NFKD", word.casefold())
    word = "".join(char for char in word if not unicodedata.combining(char))
    word = re.sub(r"['’]s?$", "", word).strip(".-'’&")
    return word


def _word_forms(text: str) -> Iterable[str]:
    for token in _TOKEN.findall(text):
        for part in re.split(r"[-.'’&/]", token) + [token]:
            folded = _fold(part)
            if folded:
                yield folded
                # "Brenner" in a source supports "Brenners" and the other way round.
                yield folded.removesuffix("s")


def _supported_word(word: str, sources: Sources) -> bool:
    folded = _fold(word)
    if not folded:
        return True
    words = sources.words
    if folded in words or folded.removesuffix("s") in words or (len(folded) > 5 and folded.rstrip("n") in words):
        return True
    # A compound of a supported name and ordinary words ("Gearwell-Testzugang", "Kinetic-Team").
    parts = [part for part in word.split("-") if part]
    if len(parts) > 1 and any(_fold(part) in words for part in parts):
        return all(_fold(part) in words or part[:1].islower() or _known_compound(part) for part in parts)
    if _same_country(word, sources):
        return True
    # An acronym of words the sources spell out ("RCVs" for refuse collection vehicles).
    letters = folded.removesuffix("s")
    if word[:1].isupper() and word.rstrip("s").isupper() and 3 <= len(letters) <= 6:
        return letters in sources.initialisms
    return False


# Countries, by every name the four languages give them (babel's CLDR data): a country the sources name
# in one language supports its name in another.
_COUNTRY_CODES = {
    " ".join(_fold(word) for word in _TOKEN.findall(name)): code
    for language in LANGUAGES
    for code, name in Locale(language).territories.items()
    if len(code) == 2 and code.isalpha()
}


@functools.cache
def _country_pattern() -> re.Pattern:
    names = sorted(_COUNTRY_CODES, key=len, reverse=True)
    return re.compile(r"(?<!\w)(?:" + "|".join(re.escape(name) for name in names) + r")(?!\w)")


def _same_country(word: str, sources: Sources) -> bool:
    code = _COUNTRY_CODES.get(_fold(word))
    return code is not None and code in sources.countries


def _known_compound(part: str) -> bool:
    return any(_known(part, language) for language in LANGUAGES) or _known_german_noun(part)


@functools.cache
def _known(word: str, language: str) -> bool:
    """Whether a dictionary of the language knows the word or an inflection of it (names of big
    companies included: the dictionary is generous, so it only ever makes a capitalised word *less*
    likely a name)."""
    lowered = word.lower()
    try:
        return (
            simplemma.is_known(word, lang=language)
            or simplemma.is_known(lowered, lang=language)
            or simplemma.lemmatize(lowered, lang=language) != lowered
        )
    except (ValueError, KeyError):
        return False


@functools.cache
def _known_german_noun(word: str) -> bool:
    """German nouns are compounds the dictionary lacks ("Schichtberichte", "Maschinenlogs"): known when
    a known German word starts it and a known word of four letters or more (German or English) ends it,
    or when each part of a hyphenated compound is known ("Lieferanten-E-Mails")."""
    parts = [part for part in word.split("-") if len(part) > 2]
    if len(parts) > 1:
        return all(_known_german_noun(part) or _known(part, "en") for part in parts)
    if _known(word, "de"):
        return True
    # A known stem with a noun-forming ending: "Vertriebler", "Planerin", "Digitalisierung".
    for ending in (
        "lerin",
        "ler",
        "nerin",
        "ner",
        "erin",
        "ling",
        "ung",
        "ungen",
        "heit",
        "keit",
        "schaft",
        "tum",
        "nis",
    ):
        if word.endswith(ending) and len(word) - len(ending) >= 4 and _known(word[: -len(ending)], "de"):
            return True
    for index in range(3, len(word) - 3):
        head, tail = word[:index], word[index:]
        # The tail may be a compound itself: "Hochvolt|prüfung" inside "Hoch|voltprüfung".
        known_tail = any(_known(tail.capitalize(), language) for language in ("de", "en")) or (
            len(tail) >= 7 and _known_german_noun(tail.capitalize())
        )
        if known_tail and any(
            _known(head.removesuffix(linking), "de")
            for linking in ("", "s", "n", "en", "es")
            if len(head) - len(linking) >= 3
        ):
            return True
    return False


# Words a sentence capitalises that name nothing particular: pronouns of address, greetings, our
# generic acronyms for kinds of software and jobs.
_NOT_NAMES = {
    "i", "sie", "ihr", "ihre", "ihnen", "ihrem", "ihren", "ihrer", "ihres", "du", "dein", "deine", "usted",
    "ustedes", "vous", "re", "fwd", "aw", "wg", "tr", "rv", "ps", "pd", "ok", "hi", "hello", "dear", "hey",
    "ai", "ki", "ia", "it", "hr", "crm", "erp", "mes", "saas", "api", "kpi", "kpis", "roi", "b2b", "pdf", "faq",
    "sdr", "sdrs", "ae", "aes", "ops", "revops", "q&a", "ceo", "cfo", "coo", "cto", "cio", "cro", "cmo", "vp",
    "svp", "evp", "eu", "uk", "us", "usa", "congrats", "thanks", "hola", "hallo", "bonjour", "bonsoir", "salut",
    "buenos", "buenas", "estimado", "estimada", "querido", "querida", "cher", "chère", "liebe", "lieber",
    "geehrte", "geehrter", "guten", "moin", "servus", "grüezi", "gruezi",
    # Where a proposed meeting happens is no claim about anyone.
    "zoom", "teams", "webex", "meet", "hangouts", "whereby",
    # Academic and courtesy titles, postscripts and articles a subject line capitalises.
    "ing", "dipl", "dipl.-ing", "dr.-ing", "dipl.-kfm", "mag", "lic", "prof", "dr", "sr", "sra", "srta", "dña",
    "mme", "mlle", "p.d", "p.s",
    "the", "der", "die", "das", "el", "los", "las", "la", "le", "les", "un", "une", "una", "des", "del",
    "ein", "eine", "einen", "einem", "einer", "eines", "dem", "den",
}  # fmt: skip
# World regions, continents and oceans, and the sales territories named after them: where a company works
# ("on both sides of the Atlantic", "für die DACH-Region") is background, not a fact about anyone in
# particular. Countries and cities stay names a source must hold.
_REGIONS = {
    "europe", "europa", "europe's", "asia", "asien", "asie", "africa", "afrika", "afrique", "america", "americas",
    "amerika", "amérique", "américa", "oceania", "ozeanien", "océanie", "atlantic", "atlantik",
    "atlantique", "atlántico", "pacific", "pazifik", "pacifique", "pacífico", "mediterranean", "mittelmeer",
    "méditerranée", "mediterráneo", "emea", "apac", "latam", "dach", "benelux", "nordics", "nordic", "iberia",
    "scandinavia", "skandinavien", "scandinavie", "escandinavia", "baltics", "balkans",
}  # fmt: skip
# Not names either: quarters and halves ("by Q1"), times of day ("10am"), contractions ("I'll").
_NOT_NAME_SHAPES = re.compile(
    r"^(?:[A-Z]|[QHT][1-4]|FY\d{2,4}|\d+(?:[.,]\d+)?(?:k|m|mm|mn|bn|b|mio|mrd)|mio|mrd|tsd|\d{1,2}(?::\d{2})?(?:am|pm|h)|\d+(?:st|nd|rd|th|er|e|º|ª|\.)?|\w+['’](?:ll|re|ve|d|m|t))$",
    re.IGNORECASE,
)

_NAME_SHAPE = re.compile(
    r"^(?:[A-Z]{3,6}\d*s?|[A-Z][a-z]+[A-Z][\w]*|(?=.*\d)(?=.*[A-Za-z])[A-Za-z\d-]{2,})$"  # acronym, CamelCase, code
)
_LEGAL_FORM = re.compile(
    r"^(?:GmbH|AG|SE|KG|KGaA|OHG|SA|SAS|SARL|SL|SLU|SpA|Srl|BV|NV|Ltd|Inc|LLC|PLC|Oy|AB|AS|ApS|Co)\.?$"
)


_FOLDED_REGIONS = frozenset(_fold(region) for region in _REGIONS)


# Words that end an organisation's name: "Eichberg Ventures", "Brandt Software", "Serac Partenaires". A
# capitalised word before one names an organisation, even one a dictionary knows.
_ORG_SUFFIX = re.compile(
    r"^(?:Capital|Ventures|Partners|Partenaires|Partner|Holdings?|Group|Gruppe|Groupe|Grupo|Labs|Systems|Systeme"
    r"|Software|Technologies|Technology|Tech|Logistics|Logistik|Logística|Logistique|Bank|Banco|Banque|Invest"
    r"|Investments|Equity|Fund|Fonds|Fondo|Consulting|Solutions|Services|Industries|Industrie|Cloud|Analytics"
    r"|Robotics|Foods|Pharma|Health|Freight|Shipping|Retail|Commerce|Payments|Pagos|Salud|Networks)$"
)


def _is_title_case(sentence: str) -> bool:
    """A headline ("Quick Idea For Your Plant"): most of its longer words capitalised."""
    words = re.findall(r"[^\W\d_]{4,}", sentence)
    capitalised = sum(word[0].isupper() for word in words)
    return capitalised >= 3 and capitalised >= 0.75 * len(words)


# A relationship that names what follows, whatever a dictionary says of the word ("angeführt von
# Alpenblick Capital", "zuvor bei Brenner"): in German this is how a name the dictionary knows is found.
_RELATION_BEFORE_A_NAME = re.compile(
    r"\b(?:led by|backed by|funded by|invested by|joined from|formerly (?:at|of|with)|previously (?:at|with)"
    r"|angeführt (?:\w+ ){0,3}von|unter (?:der )?Führung von|finanziert von|zuvor bei|vorher bei|früher bei"
    r"|(?:kommt|kam|wechselt|wechselte|gewechselt) von|(?:Kunde|Partner|Tochter) von|Investoren? wie"
    r"|(?:menée|dirigée|financée) par|auparavant chez|(?:liderada|encabezada|financiada) por|procedente de)\s+$",
    re.IGNORECASE,
)


def _is_name(word: str, *, language: str, initial: bool, title_case: bool, next_capitalised: bool) -> bool:
    """Whether a capitalised word names something particular, judged by its shape and the dictionary.

    Any word shaped like a name (an acronym, CamelCase, letters with digits) is one. Otherwise the first
    word of a sentence is one only when no dictionary knows it and a capitalised word follows ("Orbis
    Packaging cut…"); in a headline, only a word no dictionary knows; in German, where every noun is
    capitalised, only a word no dictionary knows, its compounds included ("Schichtberichte"); in English,
    French and Spanish, any capitalised word inside a sentence."""
    # "1-fache", "24-hour": a number joined to a word is no product code.
    if _NAME_SHAPE.match(word) and not (word[:1].isdigit() and "-" in word):
        return True
    unknown = not any(_known(part, lang) for lang in {language, "en"} for part in (word, *re.split(r"[-'’]", word)))
    if language == "de":
        unknown = unknown and not _known_german_noun(word)
    if initial:
        return unknown and next_capitalised
    if title_case or language == "de":
        return unknown
    return True


def name_runs(sentence: str, language: str) -> list[tuple[int, int, list[str]]]:
    """Runs of words that name something (start, end, the words needing support)."""
    tokens = list(_TOKEN.finditer(sentence))
    title_case = _is_title_case(sentence)
    runs: list[tuple[int, int, list[str]]] = []
    current: list[re.Match] = []
    candidates: list[str] = []

    def close():
        if current and candidates:
            runs.append((current[0].start(), current[-1].end(), list(candidates)))
        current.clear()
        candidates.clear()

    for index, token in enumerate(tokens):
        word = token.group(0).strip(".'’")
        if current and not _INSIDE_A_NAME.match(sentence[current[-1].end() : token.start()]):
            close()  # a comma, colon or full stop ends a name
        if not word or not (word[0].isupper() or _NAME_SHAPE.match(word)):
            close()
            continue
        folded = _fold(word)
        if (
            folded in _NOT_NAMES
            or folded in _FOLDED_REGIONS
            or _NOT_NAME_SHAPES.match(word)
            or _ROLE_HEAD.fullmatch(word)
            or _month_number(word)
            or _is_weekday(word)
        ):
            close()
            continue
        if _LEGAL_FORM.match(word):
            current.append(token)
            continue
        following = tokens[index + 1].group(0) if index + 1 < len(tokens) else ""
        # A name is named by what introduces it, whatever a dictionary knows of the word ("zuvor bei Brenner",
        # "Ihr CFO Henrik Lorenz", "Frau Weber").
        introduced = not current and bool(
            _RELATION_BEFORE_A_NAME.search(sentence[: token.start()]) or _HONORIFIC.search(sentence[: token.start()])
        )
        # German puts an article or an adjective between a preposition and a noun: "von Keller Tiefbau",
        # two capitalised words straight after "von", "bei", "mit", name something.
        introduced = introduced or (
            language == "de"
            and not current
            and bool(_GERMAN_BARE_PREPOSITION.search(sentence[: token.start()]))
            and following[:1].isupper()
            and _fold(following) not in _NOT_NAMES
            and not sentence[token.end() : tokens[index + 1].start()].strip()
        )
        if (
            introduced
            or _LEGAL_FORM.match(following.strip("."))
            or (_ORG_SUFFIX.match(following.strip(".,")) and not _ORG_SUFFIX.match(word))
            or _is_name(
                word,
                language=language,
                initial=bool(_SENTENCE_START.search(sentence[: token.start()])),
                title_case=title_case,
                next_capitalised=bool(following[:1].isupper()),
            )
        ):
            current.append(token)
            candidates.append(word)
        elif current:
            current.append(token)  # "Orbis Packaging": a known word inside a name run
    close()
    return runs


_GERMAN_BARE_PREPOSITION = re.compile(r"\b(?:von|bei|mit|für|an|aus|zu|nach|über|gegen)\s+$")
_HONORIFIC = re.compile(
    r"(?:\b(?:Mr|Mrs|Ms|Dr|Herr|Frau|Monsieur|Madame|Mme|M|Sr|Sra|Señor|Señora|Don|Doña)\.?|\b(?:colleague|"
    r"Kollegin|Kollege|collègue|compañer[oa]|colega)|" + r"(?:CEO|CFO|COO|CTO|CIO|CRO|CMO|VP)),?\s*$",
    re.IGNORECASE,
)


def _name_type(sentence: str, start: int, end: int) -> str:
    before, after = sentence[:start], sentence[end:]
    if _HONORIFIC.search(before) or re.match(r",?\s*(?:your|Ihr|Ihre|votre|su|tu)?\s*" + _ROLE_WORDS, after):
        return PERSON
    if re.match(r"\s*(?:" + _LEGAL_FORM.pattern.strip("^$") + r")", after) or re.search(
        r"\b(?:at|bei|chez|en|from|von|de|por|par|by|with|mit|avec|con|customers?|clients?|Kunden?|partner|"
        r"Partner|investors?|Investor)\s*$",
        before,
        re.IGNORECASE,
    ):
        return ORGANISATION
    return NAME


def _names(sentence: str, language: str, sources: Sources) -> list[Fact]:
    facts = []
    for start, end, words in name_runs(sentence, language):
        if all(_supported_word(word, sources) for word in words):
            continue
        fact_type = _name_type(sentence, start, end)
        if any(re.search(r"\d", word) for word in words) and fact_type == NAME:
            fact_type = PRODUCT
        facts.append(Fact(type=fact_type, text=sentence[start:end], sentence=sentence))
    return facts


# Amounts ---------------------------------------------------------------------------------------------

_SCALES = {
    "k": 3, "tsd": 3, "thousand": 3, "tausend": 3, "mille": 3, "mil": 3,
    "m": 6, "mm": 6, "mn": 6, "mio": 6, "million": 6, "millions": 6, "millionen": 6, "millones": 6, "millón": 6,
    "millon": 6, "bn": 9, "b": 9, "mrd": 9, "billion": 9, "billions": 9, "milliarde": 9, "milliarden": 9,
    "milliard": 9, "milliards": 9,
}  # fmt: skip
_CURRENCY = r"(?:[$€£¥]|US\$|EUR|USD|GBP|CHF|dollars?|euros?|pounds?|francs?|Franken|dólares)"
_NUMBER_TEXT = r"\d+(?:[.,'’ ]\d{3})*(?:[.,]\d+)?"
_AMOUNT = re.compile(
    rf"(?P<pre>{_CURRENCY})\s?(?P<n1>{_NUMBER_TEXT})\s?(?P<s1>[a-zA-Zñó]+\b\.?)?"
    rf"|(?P<n2>{_NUMBER_TEXT})\s?(?P<s2>[a-zA-Zñó]+\b\.?)?\s?(?:de\s)?(?P<post>{_CURRENCY})"
    rf"|(?P<n3>{_NUMBER_TEXT})\s?(?P<s3>k|M|Mio\.?|million|millions|Millionen|millones|bn|Mrd\.?|billion|milliards?)\b",
    re.IGNORECASE,
)


def number_value(text: str) -> Decimal | None:
    """A number as written in any of our languages: "1,200", "1.200", "12,5", "12.5", "1 200"."""
    text = text.replace("'", "").replace("’", "").replace(" ", "")
    if "," in text and "." in text:
        decimal = "," if text.rfind(",") > text.rfind(".") else "."
        thousands = "." if decimal == "," else ","
        text = text.replace(thousands, "").replace(decimal, ".")
    elif "," in text or "." in text:
        separator = "," if "," in text else "."
        parts = text.split(separator)
        if len(parts) > 2 or (len(parts[-1]) == 3 and parts[0] != "0"):
            text = text.replace(separator, "")
        else:
            text = text.replace(separator, ".")
    try:
        return Decimal(text)
    except InvalidOperation:
        return None


def money_amounts(text: str) -> list[tuple[re.Match, Decimal]]:
    found = []
    for match in _AMOUNT.finditer(text):
        number = match.group("n1") or match.group("n2") or match.group("n3")
        scale_word = (match.group("s1") or match.group("s2") or match.group("s3") or "").rstrip(".").lower()
        value = number_value(number)
        if value is None:
            continue
        exponent = _SCALES.get(scale_word, 0)
        found.append((match, value * (Decimal(10) ** exponent)))
    return found


_CURRENCY_CODES = (
    ("USD", re.compile(r"^(?:\$|US\$|USD|dollars?|d[oó]lar(?:es)?|dollars)$", re.IGNORECASE)),
    ("EUR", re.compile(r"^(?:€|EUR|euros?)$", re.IGNORECASE)),
    ("GBP", re.compile(r"^(?:£|GBP|pounds?)$", re.IGNORECASE)),
    ("CHF", re.compile(r"^(?:CHF|francs?|Franken)$", re.IGNORECASE)),
)


def currency_of(match: re.Match) -> str | None:
    """The ISO code of an amount's currency ("$", "dólares" → USD), or None when it names none ("18M")."""
    written = (match.group("pre") or match.group("post") or "").strip()
    if written.lower().startswith("eur"):
        return "EUR"  # "EUR", "euros" (the pattern may stop at "eur")
    return next((code for code, pattern in _CURRENCY_CODES if pattern.match(written)), None)


def _same_amount(value: Decimal, known: Decimal) -> bool:
    return abs(value - known) <= abs(known) * Decimal("0.01")


def _wrong_amounts(sentence: str, sources: Sources) -> list[Fact]:
    facts = []
    for match, value in money_amounts(sentence):
        if any(_same_amount(value, known) for known in sources.amounts):
            currency = currency_of(match)
            known_currencies = {code for known, code in sources.amounts_with_currency if _same_amount(value, known)}
            if currency is None or None in known_currencies or currency in known_currencies:
                continue
            facts.append(
                Fact(
                    type=AMOUNT,
                    text=match.group(0).strip(),
                    sentence=sentence,
                    contradicted=True,
                    detail=f"the sources give it in {', '.join(sorted(known_currencies))}",
                )  # fmt: skip
            )
            continue
        # An amount whose number is in no source is reported by the number checks already.
        if not any(value_without_scale(match) == known_number for known_number in _plain_numbers(sources)):
            continue
        facts.append(
            Fact(
                type=AMOUNT,
                text=match.group(0).strip(),
                sentence=sentence,
                contradicted=True,
                detail="the sources give another scale",
            )  # fmt: skip
        )
    return facts


def value_without_scale(match: re.Match) -> Decimal | None:
    return number_value(match.group("n1") or match.group("n2") or match.group("n3"))


def _plain_numbers(sources: Sources) -> set[Decimal]:
    return {value for value in (number_value(token) for token in re.findall(_NUMBER_TEXT, sources.all_text)) if value}


# Dates and periods -----------------------------------------------------------------------------------

_MONTHS = {
    1: "january jan januar janvier enero ene jänner",
    2: "february feb februar février fevrier febrero",
    3: "march mar märz maerz mars marzo",
    4: "april apr avril abril",
    5: "may mai mayo",
    6: "june jun juni juin junio",
    7: "july jul juli juillet julio",
    8: "august aug août aout agosto",
    9: "september sep sept septembre septiembre setiembre",
    10: "october oct oktober okt octobre octubre",
    11: "november nov novembre noviembre",
    12: "december dec dezember dez décembre decembre diciembre dic",
}
_MONTH_OF = {name: number for number, names in _MONTHS.items() for name in names.split()}
# "May" and "mar" are words too: a month name counts when it is capitalised (English, German) or
# follows a day number or "in/en/im/de".
_MONTH_MENTION = re.compile(
    r"\b(?:" + "|".join(sorted((name for name in _MONTH_OF if len(name) > 3), key=len, reverse=True)) + r")\b",
    re.IGNORECASE,
)
_WEEKDAYS = {
    "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday", "montag", "dienstag",
    "mittwoch", "donnerstag", "freitag", "samstag", "sonntag", "lundi", "mardi", "mercredi", "jeudi", "vendredi",
    "samedi", "dimanche", "lunes", "martes", "miércoles", "miercoles", "jueves", "viernes", "sábado", "sabado",
    "domingo",
}  # fmt: skip
_YEAR = re.compile(r"(?<![\d.,])(?:19[5-9]\d|20[0-4]\d)(?![\d.,]\d)")


def _month_number(word: str) -> int | None:
    return _MONTH_OF.get(_fold(word)) if len(word) > 3 else None


def _is_weekday(word: str) -> bool:
    return _fold(word) in {_fold(day) for day in _WEEKDAYS}


def _month_mentions(text: str) -> list[tuple[re.Match, int]]:
    found = []
    for match in _MONTH_MENTION.finditer(text):
        word = match.group(0)
        if word.lower() == "may" and not word[0].isupper():
            continue  # "may" the verb
        if word.lower() == "mars" and not re.search(r"\b(?:en|de|\d{1,2})\s*$", text[: match.start()]):
            continue
        found.append((match, _MONTH_OF[_fold(word)]))
    return found


# Past periods a sentence may date an event by, with the largest age (days) a cited signal may have.
_RELATIVE_PERIODS = [
    (re.compile(r"\b(?:yesterday|gestern|hier|ayer)\b", re.IGNORECASE), 3),
    (
        re.compile(
            r"\b(?:this|last|past) week\b|\b(?:diese|letzte[nr]?|vergangene[nr]?) Woche\b"
            r"|\bla semaine (?:dernière|passée)\b|\bcette semaine\b|\besta semana\b|\bla semana pasada\b",
            re.IGNORECASE,
        ),
        14,
    ),  # fmt: skip
    (
        re.compile(
            r"\b(?:this|last|past) month\b|\b(?:diese[nr]?|letzte[nr]?|vergangene[nr]?) Monat\b"
            r"|\ble mois (?:dernier|passé)\b|\bce mois-ci\b|\beste mes\b|\bel mes pasado\b",
            re.IGNORECASE,
        ),
        62,
    ),  # fmt: skip
    (
        re.compile(
            r"\b(?:last|past) year\b|\b(?:letzte[sn]?|vergangene[sn]?) Jahr\b"
            r"|\bl'an(?:née)? (?:dernier|dernière|passée)\b"
            r"|\bel año pasado\b",
            re.IGNORECASE,
        ),
        400,
    ),  # fmt: skip
]
# A sentence proposing a meeting names times that are no facts ("Thursday", "early December?").
_PROPOSAL = re.compile(
    r"\?|\b(?:call|chat|talk|meet|meeting|walkthrough|demo|slot|calendar|Termin|Gespräch|appel|rendez-vous|"
    r"échange|créneau|llamada|reunión|videollamada|hueco)\b",
    re.IGNORECASE,
)


# How long someone has been in a role: "for over a year as CRO", "seit zwei Jahren als", "depuis plus d'un
# an comme", "lleva más de un año como". A job change the sources date weeks ago contradicts it.
_TENURE_UNIT = {"year": 365, "years": 365, "jahr": 365, "jahren": 365, "jahre": 365, "an": 365, "ans": 365,
                "année": 365, "années": 365, "año": 365, "años": 365, "month": 30, "months": 30, "monat": 30,
                "monaten": 30, "monate": 30, "mois": 30, "mes": 30, "meses": 30}  # fmt: skip
_TENURE_COUNT = {"a": 1, "an": 1, "one": 1, "ein": 1, "einem": 1, "einen": 1, "un": 1, "une": 1, "uno": 1, "una": 1,
                 "two": 2, "zwei": 2, "deux": 2, "dos": 2, "three": 3, "drei": 3, "trois": 3, "tres": 3,
                 "several": 2, "mehreren": 2, "plusieurs": 2, "varios": 2, "varias": 2}  # fmt: skip
_TENURE = re.compile(
    r"\b(?:for|seit|depuis|lleva(?:s|n)?(?:\s+ya)?|llevas?\s+ya|desde\s+hace)\s+(?:over|more than|almost|nearly|über"
    r"|mehr als|fast|knapp|plus d['’]|près d['’]|presque|más de|casi)?\s*(?P<count>\d+|[^\W\d_]+)\s+"
    r"(?P<unit>"
    + "|".join(_TENURE_UNIT)
    + r")\b(?:\s+\w+){0,3}?\s+(?:as|als|comme|en tant que|como|in (?:the|your) role"
    r"|in der Rolle|au poste|en el (?:puesto|cargo))\b",
    re.IGNORECASE,
)


def _tenures(sentence: str, sources: Sources) -> list[Fact]:
    if "job_change" not in sources.signal_kinds or not sources.signal_times:
        return []
    newest_role = max(age for _occurred, age in sources.signal_times)
    facts = []
    for match in _TENURE.finditer(sentence):
        token = match.group("count").lower()
        count = int(token) if token.isdigit() else _TENURE_COUNT.get(token)
        if count is None:
            continue
        claimed = count * _TENURE_UNIT[match.group("unit").lower()]
        if claimed > 2 * newest_role + 45:
            detail = f"the job change the draft cites is {newest_role} days old"
            facts.append(Fact(type=DATE, text=match.group(0), sentence=sentence, contradicted=True, detail=detail))
    return facts


def _dates(sentence: str, sources: Sources) -> list[Fact]:
    if _PROPOSAL.search(sentence):
        return []
    facts = []
    for match, month in _month_mentions(sentence):
        if (None, month) not in sources.months:
            facts.append(Fact(type=DATE, text=match.group(0), sentence=sentence))
    for match in _YEAR.finditer(sentence):
        if int(match.group(0)) not in sources.years:
            facts.append(Fact(type=DATE, text=match.group(0), sentence=sentence))
    ages = [age for _occurred, age in sources.signal_times]
    if ages:
        for pattern, limit in _RELATIVE_PERIODS:
            match = pattern.search(sentence)
            if match and min(ages) > limit and not pattern.search(sources.all_text):
                facts.append(
                    Fact(
                        type=DATE,
                        text=match.group(0),
                        sentence=sentence,
                        contradicted=True,
                        detail=f"the cited signal is {min(ages)} days old",
                    )  # fmt: skip
                )
    return facts + _tenures(sentence, sources)


# Titles and roles ------------------------------------------------------------------------------------

# Role heads by family: a title in one language supports the same family in another.
_ROLE_FAMILIES = {
    "ceo": "ceo chief-executive geschäftsführer geschäftsführerin pdg dg director-general directora-general",
    "coo": "coo chief-operating",
    "cfo": "cfo chief-financial daf finanzvorstand",
    "cto": "cto chief-technology",
    "cio": "cio chief-information",
    "cro": "cro chief-revenue",
    "cmo": "cmo chief-marketing",
    "cpo": "cpo chief-procurement chief-product",
    "vp": "vp svp evp vice-president vizepräsident vice-présidente vice-président vicepresidente",
    "head": "head leiter leiterin leitung responsable jefe jefa chef cheffe",
    "director": "director directora directeur directrice direktor direktorin",
    "manager": "manager managerin gerente",
    "founder": "founder co-founder cofounder gründer gründerin fondateur fondatrice cofondateur fundador fundadora",
    "president": "president präsident präsidentin président présidente presidente presidenta",
    "lead": "lead",
    "owner": "owner inhaber inhaberin propriétaire propietario",
}
_FAMILY_OF = {word: family for family, words in _ROLE_FAMILIES.items() for word in words.split()}
_ROLE_WORDS = (
    r"(?:" + "|".join(sorted((re.escape(w).replace(r"\-", r"[- ]") for w in _FAMILY_OF), key=len, reverse=True)) + r")"
)
_ROLE_HEAD = re.compile(_ROLE_WORDS, re.IGNORECASE)
# A role said of a particular person: "as COO", "als Werksleiterin", "en tant que directrice", "your CFO".
_ROLE_OF_A_PERSON = re.compile(
    r"(?:\b(?:as|als|como|in (?:your|her|his) (?:new )?role as|en tant que|comme|your new|your|Ihr(?:e|er|em)?"
    r"(?: neue[nrm]?)?|votre(?: nouveau| nouvelle)?|su(?: nuevo| nueva)?|tu(?: nuevo| nueva)?|nouvelle? |nuev[oa] )\s+"
    r"(?:(?-i:[A-Z][\w&.-]*)['’]s\s+)?(?:(?:new|neue[nr]?|nouvelle?|nuev[oa]|poste de|cargo de|rol de)\s+)?)"
    r"(?P<title>(?-i:(?:[A-Z][\w&-]*\s+){0,3}?)"
    + _ROLE_WORDS
    + r"(?:\s+(?:of|for|für|de|des|du|del|de la|d')\s*[\w&-]+"
    r"|\s+(?!(?:en|in|at|since|seit|depuis|desde|with|mit|avec|con|and|und|et|y|is|ist|est|es|to|zu|para|pour"
    r"|por|bei|chez|a|à|am|im|au|al|the|der|die|das|le|la|el|who|der|qui|que|now|jetzt|maintenant|ahora)\b)"
    r"[\w&-]+){0,3})",
    re.IGNORECASE,
)
_TITLE_STOPWORDS = {"of", "for", "für", "de", "des", "du", "del", "la", "le", "d", "the", "and", "und", "et", "y"}


def _title_words(title: str) -> list[str]:
    return [_fold(word) for word in re.findall(r"[\w&]+", title) if _fold(word) not in _TITLE_STOPWORDS]


def _families(text: str) -> set[str]:
    folded = " ".join(_fold(word) for word in re.findall(r"[\w-]+", text))
    found = set()
    for word, family in _FAMILY_OF.items():
        if re.search(rf"(?<![\w-]){re.escape(_fold(word)).replace(r'\-', '[- ]')}(?![\w-])", folded):
            found.add(family)
    # "Werksleiterin", "Betriebsleiter": a German compound ending in a role.
    for token in re.findall(r"\w+", folded):
        for word in ("leiterin", "leiter", "direktorin", "direktor", "managerin", "manager"):
            if token.endswith(word) and token != word:
                found.add(_FAMILY_OF[word])
    return found


def _similar(word: str, words: frozenset[str]) -> bool:
    """ "operations" meets "opérations" and "operaciones"; "supply" meets "supply"."""
    return word in words or (len(word) >= 5 and any(other[:5] == word[:5] for other in words if len(other) >= 5))


def _titles(sentence: str, sources: Sources) -> list[Fact]:
    facts = []
    title_sources = (sources.recipient_title, *sources.texts)
    supported_families = set().union(*(_families(text) for text in title_sources))
    for match in _ROLE_OF_A_PERSON.finditer(sentence):
        title = match.group("title").strip()
        families = _families(title)
        if not families:
            continue
        words = [word for word in _title_words(title) if word not in _FAMILY_OF]
        if families <= supported_families and all(_similar(word, sources.words) for word in words):
            continue
        on_file = sources.recipient_title
        facts.append(
            Fact(
                type=TITLE,
                text=title,
                sentence=sentence,
                contradicted=bool(on_file),
                detail=f"the title on file is {on_file!r}" if on_file else "",
            )  # fmt: skip
        )
    return facts


# Events and relationships ----------------------------------------------------------------------------


def _rx(pattern: str) -> re.Pattern:
    return re.compile(pattern, re.IGNORECASE)


_CONCEPTS: dict[str, re.Pattern] = {
    "funding": _rx(
        r"\b(?:fund(?:ing|ed|raise)|raised?|raising|(?:funding|financing|investment|seed|series [a-f]) round"
        r"|round of (?:funding|financing)|series [a-f]\b|seed|invest(?:or|ors|ed|ment)|backed by|valuation"
        r"|Finanzierung\w*|finanziert|Investor(?:en)?|Kapital(?:runde|erhöhung)|eingesammelt"
        r"|lev[ée]e de fonds|lev[ée]|lève|tour de table|financement|investisseurs?"
        r"|ronda|financiaci[oó]n|inversi[oó]n|inversor(?:es)?|capt[oó]|levant[oó]|recaud)\w*"
    ),
    "job_change": _rx(
        # Joining a webinar or a call is no new role.
        r"\b(?:(?:joined|(?<!for )joining)(?!\s+(?:[\"“'‘]|(?:the|our|us|a|an|us for)\s+(?:\w+\s+)?"
        r"(?:webinar|call|event|session|demo|meetup|workshop|conference|talk)))"
        r"|new role|new position|new job|promot(?:ed|ion)|appointed|took over as|stepped into"
        r"|started as|move to|welcome (?:aboard|to)|neue[nr]? (?:Rolle|Position|Aufgabe|Stelle)|gewechselt"
        r"|ernannt|befördert|Wechsel|angetreten|nouveau poste|nouvelles fonctions|(?:a |avez )?rejoint|nomm[ée]e?"
        r"|promue?|prise de poste|nuev[oa] (?:puesto|cargo|rol|posición|etapa)|incorporaci[oó]n|(?:se )?(?:unió|"
        r"incorporó)|nombrad[oa]|ascendid[oa]|ascenso)\b"
    ),
    "hiring": _rx(
        r"\b(?:hiring|open (?:roles|positions|jobs)|job (?:ads|posts|postings|openings)|recruit\w*"
        r"|stellt \w+ ein|Stellen(?:anzeigen|ausschreibungen)?|ausgeschrieben|einstellen|sucht \w+"
        r"|recrute\w*|postes? (?:ouverts|à pourvoir)|embauche\w*|contrata\w*|vacantes|ofertas de empleo"
        r"|busca(?:n|ndo)? \w+|selecciona\w*)\b"
    ),
    "award": _rx(
        r"\b(?:awards?|awarded|prizes?|winners?|won(?!['’]t)|finalists?|shortlisted|nominated|nominee"
        r"|recogni[sz]ed as|ranked|Preis(?:träger\w*)?|Auszeichnung\w*|ausgezeichnet|prämiert|gewonnen|Gewinner\w*"
        r"|Finalist\w*|nominiert|prix|laur[ée]ate?s?|r[ée]compens\w*|prim[ée]e?s?|finalistes?|remport\w*"
        r"|premios?|galard[oó]n\w*|ganador\w*|ganó|premiad[oa]s?|finalistas?|nominad[oa])\b"
    ),
    "referral": _rx(
        r"\b(?:suggested (?:that )?I|recommended (?:that )?I|recommended (?:you|reaching)|referred (?:me|you)|"
        r"pointed me|introduced (?:me|us)|passed (?:on )?your|mentioned (?:you|your name)|told me to|asked me to"
        r" (?:reach|contact|write|get in touch)|empfahl|empfohlen|Empfehlung|verwiesen|hat mich \w+ gebeten"
        r"|m'a (?:conseillé|recommandé|suggéré|orienté|parlé|donné vos)|de la part de|sur (?:les )?conseils? de"
        r"|me (?:recomendó|sugirió|pasó|habló|dio tu)|de parte de|por recomendaci[oó]n)"
    ),
    "partnership": _rx(
        r"\b(?:partner(?:s|ed|ship|schaft)?(?!\s+(?:with|for|to) (?:you|your))|Partner(?:in|schaft)?"
        r"|partenaire\w*|partenariat|socio\w*|alianza|aliad[oa]s?)\b"
    ),
    "acquisition": _rx(
        r"\b(?:acqui(?:red|res|sition)|merger|merged|bought|takeover|Übernahme|Zukauf|gekauft|akquiriert|fusion\w*"
        r"|rachat|rachet[ée]|racheté|acquis|adquiri\w*|adquisici[oó]n|fusi[oó]n|compró)\b"
    ),
    "expansion": _rx(
        r"\b(?:new (?:[\w-]+ ){0,2}(?:plant|site|factory|facility|warehouse|office|line|hub|depot|store|branch)s?"
        r"|expan\w*"
        r"|neue[snm]? (?:Werk|Standort|Halle|Linie|Lager)\w*|eröffnet\w*|Erweiterung|Expansion"
        r"|nouvel(?:le)? (?:usine|site|ligne|entrepôt)s?|inaugur\w*|agrandi\w*"
        r"|nuev[oa]s? (?:planta|fábrica|línea|sede|nave|centro)s?|ampliaci[oó]n|expansi[oó]n)\b"
    ),
}
# What in a source bears out an event a draft asserts: broader than what a draft's sentence must say
# to assert it ("opens a second plant" bears out "your new plant"; "was named VP" bears out "new role").
_EVIDENCE: dict[str, re.Pattern] = {
    "expansion": _rx(
        r"\b(?:open\w*|build\w*|construct\w*|second|third|new|launch\w*|eröffn\w*|baut|zweite[snmr]?|dritte[snmr]?"
        r"|neue[snmr]?|ouvr\w*|ouvert\w*|construi\w*|deuxième|troisième|nouvel\w*|abr\w*|constru\w*|segund[ao]s?"
        r"|tercer[ao]?|nuev[oa]s?|inaugur\w*)\b"
    ),
    "job_change": _rx(
        r"\b(?:join\w*|appoint\w*|named|hired|started|starts|promot\w*|moves?|moved|new|ernannt|neue[rn]?|beginnt"
        r"|übernimmt|nomm[ée]\w*|rejoin\w*|arriv\w*|nouve\w*|nombrad\w*|incorpor\w*|nuev[oa]|ficha\w*|llega\w*)\b"
    ),
    "hiring": _rx(r"\b(?:roles?|positions?|openings?|jobs?|Stellen?|postes?|puestos?|vacantes?|plazas?|offres?)\b"),
    "acquisition": _rx(
        r"\b(?:acquir\w*|takes? over|took over|buys|übernimm\w*|übernommen|übernahm\w*|kauft|rachèt\w*|rachet\w*"
        r"|reprend\w*|repris\w*|adquier\w*|compra\w*)\b"
    ),
}
_CONCEPT_OF_SIGNAL_KIND = {"funding": "funding", "job_change": "job_change", "hiring": "hiring"}
_CONCEPT_TYPE = {"award": AWARD, "referral": REFERRAL}
_WON = _rx(
    r"\b(?:won(?!['’]t)|winn(?:ing|ers?)|wins|awarded|gewinnt|gagn[ée]|gewonnen|Gewinner\w*|laur[ée]ate?s?|remport\w*|ganador\w*|ganó)\b"
)
_SHORTLISTED = _rx(
    r"\b(?:finalists?|shortlisted|nominated|nominee|Finalist\w*|nominiert|finalistes?|finalistas?|nominad[oa])\b"
)
# A sentence that asks, supposes or generalises asserts no event: "Are you hiring?", "If you raise…".
_NOT_ASSERTED = _rx(r"\?\s*$|^\s*(?:if|when|whether|wenn|falls|ob|si|cuando)\b|\b(?:most|many|often|usually|typically"
                    r"|meist|oft|häufig|souvent|la plupart|muchas veces|a menudo|suelen)\b")  # fmt: skip


# People counted or plural just before "joining": hires, not one person's new role.
_HIRES_BEFORE = _rx(
    r"(?:\b(?:\d+|two|three|four|five|six|seven|eight|nine|ten|twelve|several|new|zwei|drei|vier|fünf|sechs|sieben|acht"
    r"|neun|zehn|mehrere|neue|deux|trois|quatre|cinq|six|sept|huit|neuf|dix|plusieurs|nouveaux|nouvelles|dos|tres"
    r"|cuatro|cinco|seis|siete|ocho|nueve|diez|varios|varias|nuevos|nuevas)\b[^.!?]{0,40})$"
)


def _events(sentence: str, sources: Sources) -> list[Fact]:
    if _NOT_ASSERTED.search(sentence):
        return []
    facts = []
    for concept, pattern in _CONCEPTS.items():
        match = pattern.search(sentence)
        if not match:
            continue
        fact_type = _CONCEPT_TYPE.get(concept, EVENT)
        if concept == "job_change" and "hiring" in sources.concepts and _HIRES_BEFORE.search(sentence[: match.start()]):
            continue  # "four new SDRs joining your team": the hiring news, told from the hires' side
        if concept not in sources.concepts:
            facts.append(Fact(type=fact_type, text=match.group(0), sentence=sentence, detail=concept))
        elif concept == "award" and _WON.search(sentence) and not _WON.search(sources.all_text):
            facts.append(
                Fact(
                    type=AWARD,
                    text=_WON.search(sentence).group(0),
                    sentence=sentence,
                    contradicted=True,
                    detail="the sources say finalist or nominee, not winner",
                )  # fmt: skip
            )
    return facts


# Who led a round: a draft that names another leader than the source contradicts it.

_NAME_RUN = r"[A-Z][\w&'’-]*(?:\s+(?:&\s+)?[A-Z][\w&'’-]*)*"
_LEADER = [
    re.compile(
        r"(?i:\b(?:led|leading|angeführt|geführt|menée|dirigée|liderada|encabezada)\b(?:\s+\w+){0,3}?\s+(?:by|von|par|por))\s+"
        rf"(?P<name>{_NAME_RUN})"
    ),
    re.compile(
        rf"(?P<name>{_NAME_RUN})\s+"
        r"(?i:(?:led|leads|lead|leading|is leading|co-led|co-leading)\s+(?:the|your|this|their|its)\b)"
    ),
    # "con Faro Ventures al frente", "mit Lindenhof an der Spitze", "avec Serac en tête".
    re.compile(rf"(?P<name>{_NAME_RUN})\s+(?i:al frente|a la cabeza|an der Spitze|en t[eê]te|à la tête)\b"),
]


def _leaders(text: str) -> set[str]:
    return {_fold(match.group("name")) for pattern in _LEADER for match in pattern.finditer(text)}


def _wrong_leaders(sentence: str, sources: Sources) -> list[Fact]:
    claimed = {
        match.group("name"): _fold(match.group("name")) for pattern in _LEADER for match in pattern.finditer(sentence)
    }
    if not claimed:
        return []
    known = _leaders(sources.all_text)
    return [
        Fact(
            type="relationship",
            text=name,
            sentence=sentence,
            contradicted=True,
            detail="the source names another lead investor",
        )  # fmt: skip
        for name, folded in claimed.items()
        if known and not any(folded in leader or leader in folded for leader in known)
    ]


# Relationships between parties ---------------------------------------------------------------------
#
# A relationship is true when one source holds both its parties: "Isar Ventures invested in Kinetic
# Freight" needs a source naming both, not a signal naming the one and a proof point the other. And that a
# company is a customer of ours rests on the proof library alone, however true its name is to a signal (a
# contact's former employer is no customer for being in the job-change news).

# Where a clause ends: a party of one clause is no party of the next one's relationship.
_CLAUSE_END = re.compile(r"[,;:()—–]\s|\s[-–—]\s|\b(?:so|which|who|because|weil|denn|parce que|car|porque|donc)\b")
# What joins the names of a list of parties ("Finory und die Kontorbank", "X, Y and Z").
_PARTY_LIST = _rx(
    r"^(?:\s*(?:,|and|und|et|y|e|&|or|oder|ou|o|die|der|das|den|dem|the|la|le|les|el|los|las|l['’])\s*)*$"
)
# Introducing a customer after the words that say it is one: "our customers like Brightline".
_CUSTOMER_INTRO = re.compile(
    r"^\s*(?:,\s*)?(?:(?:such as|like|including|as|wie|etwa|comme|tels? que|como|tales como|among them)\s+)?"
    r"(?:the|die|der|den|dem|la|le|les|el|los|las|l['’])?\s*$",
    re.IGNORECASE,
)
_OUR_CUSTOMERS = (
    r"\b(?:our|unser\w*|nos|notre|nuestr[oa]s?)\s+(?:\w+\s+){{0,2}}?(?:customers?|clients?|users?|Kund(?:e|en|in|innen)"
    r"|Nutzer\w*|clientes?|clientèle|usuarios?|utilisateurs?)\b"
    r"|\b(?:customers?|clients?|users?|Kund(?:e|en|in)|clientes?|usuarios?|utilisateurs?)\s+(?:of|von|bei|de|chez|d['’])"
    r"\s*{us}\b"
    r"|\b(?:customers?|clients?) of ours\b|\bbei\s+uns\s+(?:\w+\s+)?Kund\w*"
)
_USES_US = (
    r"\b(?:uses?|used|using|r[au]n(?:s|ning)?\s+on|rel(?:y|ies|ied|ying)\s+on|work(?:s|ed|ing)?\s+with"
    r"|switch(?:ed|es|ing)?\s+to|mov(?:e|es|ed|ing)\s+to|sign(?:s|ed)?\s+(?:up\s+)?with|cho(?:se|sen|oses?)|picked"
    r"|went\s+with|trust(?:s|ed)?|roll(?:s|ed)?\s+out|deploy(?:s|ed)?|adopt(?:s|ed)?"
    r"|(?:is|are|been)\s+(?:\w+\s+){{0,2}}?on|nutz\w*|verwend\w*|arbeite\w*\s+(?:\w+\s+){{0,2}}?mit|vertrau\w*\s+(?:\w+\s+){{0,2}}?auf"
    r"|utilis\w*|travaill\w*\s+(?:\w+\s+){{0,2}}?avec|(?:a|ont|avons)\s+choisi|fai(?:t|s|ont)\s+confiance\s+à"
    r"|s['’]appuie\w*\s+sur|usa|usan|usaba|utiliz\w*|trabaj\w*\s+(?:\w+\s+){{0,2}}?con|confí\w*\s+en|eligi\w*)"
    r"\s+(?:\w+\s+){{0,3}}?{us}\b"
    r"|\bsetz\w*\s+(?:\w+\s+){{0,3}}?{us}\b(?:\s+\w+){{0,3}}?\s+ein\b"
    # Counting on us: "setzt bei seinen 300 Fahrzeugen auf <us>", "mise sur <us>", "apuesta por <us>", "bets on"
    r"|\b(?:setz\w*|baut|bauen)\s+(?:\w+\s+){{0,5}}?auf\s+{us}\b|\bmis\w*\s+(?:\w+\s+){{0,3}}?sur\s+{us}\b"
    r"|\bapuest\w*\s+(?:\w+\s+){{0,3}}?por\s+{us}\b|\b(?:bets?|betting|counts?|counting)\s+on\s+{us}\b"
    r"|\bnous\s+(?:fait|font|faisait|faisaient|ont\s+fait)\s+confiance\b"
)
# Relationships between two other parties: investing in, owning shares of, working for, supplying,
# being a customer, partner or owner of.
_RELATION = _rx(
    r"\b(?:invest(?:ed|s|or|ors)?\s+(?:\w+\s+){0,2}?in|backs|backed|shareholders?|stake\s+in|owns|owned\s+by"
    r"|investiert|beteiligt|Anteilseigner\w*|Gesellschafter\w*|Investor\w*\s+(?:bei|von|in)"
    r"|actionnaires?|investi\w*\s+(?:dans|chez)|participation\s+(?:dans|au capital)|au capital de"
    r"|accionistas?|invirti\w*\s+en|invierte\w*\s+en|participad\w*|inversor\w*\s+(?:de|en)"
    r"|runs?\s+(?:\w+\s+){0,3}?for|supplies|supplier\s+(?:to|of|for)|provides?\s+(?:\w+\s+){0,3}?(?:for|to)"
    r"|delivers?\s+(?:\w+\s+){0,2}?for|(?:customer|client|partner|subsidiary|parent)\s+of"
    r"|liefert\w*\s+(?:\w+\s+){0,3}?(?:für|an)|Lieferant\w*|(?:Kunde|Partner|Tochter)\w*\s+von|für\s+\w+\s+(?:den|die|das)\s+\w+"
    r"|fournisseur\w*|fournit\w*|(?:client|partenaire|filiale)\w*\s+de|pour le compte de"
    r"|proveedor\w*|suministra\w*|(?:cliente|socio|filial)\w*\s+de|para\s+(?:la\s+)?tienda"
    r"|acquired|bought|übernommen|gekauft|rachet[ée]\w*|adquiri\w*|compró)\b"
)


@functools.cache
def _customer_claim(our_names: tuple[str, ...]) -> re.Pattern:
    """A sentence saying a company is a customer of ours, in the four languages."""
    names = [re.escape(name) for name in sorted(our_names, key=len, reverse=True) if name]
    us = r"(?:(?-i:us|uns|nous|nosotros)" + "".join(f"|{name}" for name in names) + ")"
    return _rx(_OUR_CUSTOMERS.format(us=us) + "|" + _USES_US.format(us=us))


def _clause_at(sentence: str, start: int, end: int) -> tuple[int, int]:
    left = max((match.end() for match in _CLAUSE_END.finditer(sentence, 0, start)), default=0)
    right = next((match.start() for match in _CLAUSE_END.finditer(sentence, end)), len(sentence))
    return left, right


def _party_runs(sentence: str, language: str) -> list[tuple[int, int]]:
    """Where the sentence names a party: its name runs, the capitalised words no dictionary knows as
    they stand ("Parcelnet" opening a sentence), and in German the nouns ending in a word that names an
    organisation ("die Kontorbank")."""
    runs = [(start, end) for start, end, _words in name_runs(sentence, language)]
    for token in _TOKEN.finditer(sentence):
        word = token.group(0)
        if not word[:1].isupper() or any(start <= token.start() < end for start, end in runs):
            continue
        folded = _fold(word)
        if folded in _NOT_NAMES or _ROLE_HEAD.fullmatch(word) or _month_number(word) or _is_weekday(word):
            continue
        if not _known(word, language) and not _known(word, "en") or (language == "de" and _ORG_HEAD.search(word)):
            runs.append((token.start(), token.end()))
    if language == "de":
        runs += [run for run in _german_capitalised_runs(sentence) if not any(_overlap(run, other) for other in runs)]
    runs.sort()
    return runs


def _overlap(one: tuple[int, int], other: tuple[int, int]) -> bool:
    return one[0] < other[1] and other[0] < one[1]


def _german_capitalised_runs(sentence: str) -> list[tuple[int, int]]:
    """Capitalised words side by side with no article or adjective between them ("Sauerland Recycling"):
    German nouns stand after a lower-case word, so two in a row are a name even when a dictionary knows
    each. A word opening the sentence before two more is left out ("Auch Sauerland Recycling …")."""
    found = []
    for match in re.finditer(r"(?:[A-ZÄÖÜ][\w&'’.-]*)(?:[ ]+[A-ZÄÖÜ][\w&'’.-]*)+", sentence):
        tokens = list(re.finditer(r"\S+", match.group(0)))
        words = [token.group(0).strip(".") for token in tokens]
        start = 0
        if _SENTENCE_START.search(sentence[: match.start()]) and len(tokens) >= 3:
            start = 1
        while start < len(words) and (_fold(words[start]) in _NOT_NAMES or _ROLE_HEAD.fullmatch(words[start])):
            start += 1
        if len(tokens) - start >= 2:
            found.append((match.start() + tokens[start].start(), match.start() + tokens[-1].end()))
    return found


_ORG_HEAD = re.compile(r"(?<=[a-zäöü])(?:bank|versicherung|werke?|gruppe|logistik|software|kasse|holding|reederei)$")


_FOLDED_LEGAL_FORMS = frozenset(_fold(form) for form in _LEGAL_FORM.pattern.strip("^$()?:.\\").split("|"))


@functools.cache
def _party_words(text: str) -> frozenset[str]:
    words = {_fold(word) for word in _TOKEN.findall(text)} - {""}
    return frozenset(word for word in words if word not in _FOLDED_LEGAL_FORMS and word not in {"the", "die", "der"})


def _names_meet(party: str, names: Iterable[str]) -> bool:
    """Whether a party is one of the names (or named in a text): the words of either hold the other's."""
    words = _party_words(party)
    for name in names:
        other = _party_words(name)
        if words and other and (words <= other or other <= words):
            return True
    return False


def _customers_claimed(sentence: str, sources: Sources, language: str) -> list[Fact]:
    if not sources.our_names:
        return []
    claim = _customer_claim(tuple(sources.our_names))
    runs = _party_runs(sentence, language)
    facts = []
    for match in claim.finditer(sentence):
        left, right = _clause_at(sentence, match.start(), match.end())
        # The subject before the words of the claim ("Parcelnet is one of our customers", "Finory und die
        # Kontorbank setzen salesops ein"), or the name right after them ("our customer Brightline").
        before = [run for run in runs if left <= run[0] and run[1] <= match.start()]
        while before and len(before) > 1 and not _PARTY_LIST.match(sentence[before[-2][1] : before[-1][0]]):
            before = before[-1:]
        after = [run for run in runs if run[0] >= match.end() and run[1] <= right]
        after = after[:1] if after and _CUSTOMER_INTRO.match(sentence[match.end() : after[0][0]]) else []
        for start, end in before + after:
            party = sentence[start:end]
            if _names_meet(party, (*sources.our_names, *sources.our_customers, sources.account_name)):
                continue
            if _names_meet(party, sources.context[:2]):
                continue  # the recipient by name
            detail = "no customer of ours the proof library names"
            facts.append(Fact(type="relationship", text=party, sentence=sentence, detail=detail))
    return facts


def _relationships(sentence: str, sources: Sources, language: str) -> list[Fact]:
    """Two parties a sentence relates (one invested in, works for, supplies or owns the other) are
    named together by one cited source."""
    if not sources.party_texts or _NOT_ASSERTED.search(sentence):
        return []
    runs = _party_runs(sentence, language)
    facts = []
    for match in _RELATION.finditer(sentence):
        left, right = _clause_at(sentence, match.start(), match.end())
        parties = [sentence[start:end] for start, end in runs if left <= start and end <= right]
        parties = [party for party in parties if not _names_meet(party, sources.our_names)]
        for index, first in enumerate(parties):
            for second in parties[index + 1 :]:
                if _names_meet(first, (second,)):
                    continue
                if not any(_names_meet(first, [text]) and _names_meet(second, [text]) for text in sources.party_texts):
                    facts.append(
                        Fact(
                            type="relationship",
                            text=sentence[left:right].strip(),
                            sentence=sentence,
                            detail="no cited source names both",
                        )
                    )
    return facts


# All together ----------------------------------------------------------------------------------------


_LINK = re.compile(r"(?:https?://|www\.)\S+", re.IGNORECASE)


def _facts(sentence: str, sources: Sources, language: str) -> list[Fact]:
    # A link states nothing the checks read (the link checks see it), and ends what stands before it.
    sentence = _LINK.sub(lambda match: "." + " " * (len(match.group(0)) - 1), sentence)
    facts = _events(sentence, sources) + _titles(sentence, sources) + _dates(sentence, sources)
    facts += _wrong_amounts(sentence, sources) + _wrong_leaders(sentence, sources)
    facts += _customers_claimed(sentence, sources, language) + _relationships(sentence, sources, language)
    covered = [fact.text for fact in facts]
    facts += [fact for fact in _names(sentence, language, sources) if not any(fact.text in text for text in covered)]
    return facts


def ungrounded_facts(sentence: str, sources: Sources, *, language: str = "en") -> list[Fact]:
    """The facts of one sentence that no cited source or allowed context supports; those a signal of
    the lead the draft does not cite supports come back marked `uncited`."""
    language = language if language in LANGUAGES else "en"
    facts = _facts(sentence, sources, language)
    if not facts or not sources.uncited_texts:
        return facts
    still_unsupported = {(fact.type, fact.text) for fact in _facts(sentence, sources.widened(), language)}
    return [
        fact if (fact.type, fact.text) in still_unsupported else dataclasses.replace(fact, uncited=True)
        for fact in facts
    ]
