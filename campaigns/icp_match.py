"""Whether an account and a person match an ICP's criteria: pure functions on strings and numbers.

No models and no database: the audience (campaigns/audience.py) and the offline qualification agent
(agents/team/qualify.py, which may not import models) both decide with this module, so they agree.
`Matcher` memoises per distinct industry and per distinct (title, department, seniority), because an
audience of 100,000 contacts holds a few hundred of each.

Missing data never excludes: an account without an industry or a size, a person without a title, is
"unknown" on that criterion and scores lower fit instead.
"""

import re
import unicodedata
from dataclasses import dataclass, field
from functools import cached_property

# Why a contact falls outside the ICP, in the order they are checked: the first that applies is the reason.
EXCLUDED_DOMAIN = "excluded_domain"
EXCLUDED_INDUSTRY = "excluded_industry"
INDUSTRY = "industry"
SIZE = "size"
COUNTRY = "country"
PERSONA = "persona"
REASONS = (EXCLUDED_DOMAIN, EXCLUDED_INDUSTRY, INDUSTRY, SIZE, COUNTRY, PERSONA)

OTHER = "other"
UNKNOWN_SIZE = "unknown"
SIZE_BANDS = ((1, 49, "1-49"), (50, 199, "50-199"), (200, 999, "200-999"), (1000, None, "1000+"))

# How much each criterion weighs in fit (0..100), where the ICP sets it.
FIT_WEIGHTS = {INDUSTRY: 35, SIZE: 20, COUNTRY: 10, PERSONA: 35}


def size_band(employees: int | None) -> str:
    if employees is None or employees <= 0:
        return UNKNOWN_SIZE
    for low, high, label in SIZE_BANDS:
        if employees >= low and (high is None or employees <= high):
            return label
    return UNKNOWN_SIZE


def _tuple(values) -> tuple[str, ...]:
    return tuple(str(value).strip() for value in (values or ()) if str(value).strip())


@dataclass(frozen=True)
class Criteria:
    """The parts of an ICP version that decide who is in its audience."""

    industries: tuple[str, ...] = ()
    employee_min: int | None = None
    employee_max: int | None = None
    countries: tuple[str, ...] = ()
    persona_titles: tuple[str, ...] = ()
    persona_seniorities: tuple[str, ...] = ()
    persona_departments: tuple[str, ...] = ()
    excluded_domains: tuple[str, ...] = ()
    excluded_industries: tuple[str, ...] = ()

    @classmethod
    def of(cls, icp) -> "Criteria":
        """From anything with the ICP's attribute names: an ICPVersion, the agents' IcpFacts, a namespace."""
        return cls(
            industries=_tuple(getattr(icp, "industries", ())),
            employee_min=getattr(icp, "employee_min", None),
            employee_max=getattr(icp, "employee_max", None),
            countries=tuple(code.upper() for code in _tuple(getattr(icp, "countries", ()))),
            persona_titles=_tuple(getattr(icp, "persona_titles", ())),
            persona_seniorities=_tuple(getattr(icp, "persona_seniorities", ())),
            persona_departments=_tuple(getattr(icp, "persona_departments", ())),
            excluded_domains=tuple(domain.lower() for domain in _tuple(getattr(icp, "excluded_domains", ()))),
            excluded_industries=_tuple(getattr(icp, "excluded_industries", ())),
        )

    @property
    def has_persona(self) -> bool:
        return bool(self.persona_titles or self.persona_seniorities or self.persona_departments)


@dataclass(frozen=True)
class Check:
    """One criterion's answer: True matches, False misses, None when the data to decide is missing.

    `key` is the segment the value falls in (the ICP entry matched, normalised; "other" otherwise);
    `phrase` is what a person reads: "logistics" when it fits, the value that missed otherwise."""

    outcome: bool | None
    key: str = OTHER
    phrase: str = ""


@dataclass(frozen=True)
class Verdict:
    excluded_by: str | None  # one of REASONS, or None when the contact matches
    fit: int
    fit_reasons: tuple[str, ...]
    industry: str
    size_band: str
    persona: str
    # What missed, as a person reads it ("Software", "45 employees", "FR", "Office Manager").
    detail: str = ""

    @property
    def in_audience(self) -> bool:
        return self.excluded_by is None


def _normal(text: str) -> str:
    return " ".join(str(text or "").lower().split())


# Words and phrases ---------------------------------------------------------------------------
#
# Industries and titles are compared as words, not strings: folded to ASCII and lower case, "&" read as
# "and", abbreviations spelt out, plurals made singular, German compounds ending in -leiter split. Every
# vocabulary entry below goes through the same normalisation, so they are written as a person would.

_WORD = re.compile(r"[a-z0-9]+")
_PHRASE_BREAK = re.compile(r"[,;/|()]+|\band\b")
_STOPWORDS = frozenset(
    {"and", "of", "the", "for", "in", "at", "to", "a", "an", "de", "des", "du", "la", "el", "der", "und"}
)
_ABBREVIATIONS = {
    "vp": "vice president",
    "svp": "senior vice president",
    "evp": "executive vice president",
    "avp": "vice president",
    "dir": "director",
    "sr": "senior",
    "snr": "senior",
    "jr": "junior",
    "mgr": "manager",
    "ops": "operations",
    "revops": "revenue operations",
    "gm": "general manager",
    "ceo": "chief executive officer",
    "cfo": "chief financial officer",
    "coo": "chief operating officer",
    "cro": "chief revenue officer",
    "cio": "chief information officer",
    "cto": "chief technology officer",
    "cmo": "chief marketing officer",
    "cmio": "chief medical information officer",
    "ciso": "chief information security officer",
    "chro": "chief human resources officer",
    "cxo": "c level",
    "cofounder": "co founder",
}
# German titles glue the function to "-leiter" (head of): Produktionsleiter, Werksleiter, Betriebsleiter.
_LEITER = re.compile(r"^([a-z]{3,}?)s?(leiter|leiterin|leitung)$")


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", str(text or "").replace("ß", "ss"))
    return "".join(char for char in decomposed if not unicodedata.combining(char)).lower().replace("&", " and ")


def _singular(word: str) -> str:
    if len(word) <= 3 or word.endswith(("ss", "us", "is")):
        return word
    if word.endswith("ies"):
        return word[:-3] + "y"
    if word.endswith("s"):
        return word[:-1]
    return word


def _words(text: str) -> list[str]:
    words: list[str] = []
    for raw in _WORD.findall(_fold(text).replace("_", " ")):
        for word in _ABBREVIATIONS.get(raw, raw).split():
            compound = _LEITER.match(word)
            if compound:
                words.extend([compound.group(1), "leiter"])
            elif word not in _STOPWORDS:
                words.append(_singular(word))
    return words


def _phrase_table(entries: dict[str, tuple[str, ...]]) -> dict[tuple[str, ...], str]:
    """Normalised phrase -> the concept it names, for a longest-first scan."""
    table = {}
    for concept, phrases in entries.items():
        for phrase in (concept, *phrases):
            table[tuple(_words(phrase))] = concept
    return table


def _rewrite(words: list[str], table: dict[tuple[str, ...], str]) -> list[str]:
    """Replace the longest phrases the table names by their concept, left to right."""
    longest = max((len(key) for key in table), default=1)
    out, position = [], 0
    while position < len(words):
        for size in range(min(longest, len(words) - position), 0, -1):
            concept = table.get(tuple(words[position : position + size]))
            if concept is not None:
                out.append(concept)
                position += size
                break
        else:
            out.append(words[position])
            position += 1
    return out


# Industries -------------------------------------------------------------------------------
#
# An industry is one or more phrases ("Transportation, Logistics, Supply Chain and Storage"); a phrase names
# its industry by its last word ("Truck Transportation" is transportation, "Transportation Equipment
# Manufacturing" is manufacturing). Generic words say what kind of business, not which industry: a phrase
# ending in one also names the word before it ("Financial Services" is financial), and alone they match only
# themselves. An ICP entry matches a phrase whose industry is the entry's, with the entry's other specific
# words present ("Medical Practices" needs "medical").

_INDUSTRY_GENERIC = frozenset(
    _words(
        "service solution technology industry product development manufacturing provider company business "
        "industrial management general other"
    )
)
# Names of the same industry that only meaning tells apart; kept short and sparing.
_INDUSTRY_CONCEPTS = _phrase_table(
    {
        "logistic": ("freight", "freight forwarding", "forwarding", "courier", "warehousing", "supply chain"),
        "transportation": ("transport", "trucking", "railroad", "rail"),
        "travel": ("tourism", "airline", "aviation"),
        "finance": ("financial", "capital market", "investment management", "asset management"),
        "fintech": ("financial technology", "payment", "payment processing"),
        "banking": ("bank",),
        "healthcare": ("health care",),
        "software": ("computer software", "saas"),
        "it": ("information technology",),
        "machinery": ("maschinenbau", "machine building"),
        "defense": ("defence",),
        "cryptocurrency": ("crypto",),
        "pharmaceutical": ("pharma",),
        "recruiting": ("recruitment",),
    }
)


def _industry_phrases(text: str) -> list[tuple[str, ...]]:
    phrases = []
    for part in _PHRASE_BREAK.split(_fold(text).replace("_", " ")):
        words = _rewrite(_words(part), _INDUSTRY_CONCEPTS)
        if words:
            phrases.append(tuple(words))
    return phrases


def _heads(phrase: tuple[str, ...]) -> set[str]:
    """The words a phrase's industry is named by: its last, and before a generic last word the one before."""
    heads = set()
    for word in reversed(phrase):
        heads.add(word)
        if word not in _INDUSTRY_GENERIC:
            break
    return heads


def _entry_names(entry: tuple[str, ...]) -> tuple[str, tuple[str, ...]]:
    """An ICP entry's industry word and the specific words a matching phrase must also hold."""
    specific = tuple(word for word in entry if word not in _INDUSTRY_GENERIC) or entry
    return specific[-1], specific[:-1]


def industry_matches(industry: str, entry: str) -> bool:
    """Whether an account's industry, as any CRM spells it, names the industry of one ICP entry."""
    for entry_phrase in _industry_phrases(entry):
        head, specific = _entry_names(entry_phrase)
        for phrase in _industry_phrases(industry):
            if head in _heads(phrase) and all(word in phrase for word in specific):
                return True
    return False


# Titles: seniority and department ---------------------------------------------------------

C_LEVEL, VP, HEAD, MANAGER, SENIOR, ENTRY = 6, 5, 4, 3, 2, 1
RANK_NAMES = {C_LEVEL: "c-level", VP: "vp", HEAD: "head", MANAGER: "manager", SENIOR: "senior", ENTRY: "entry"}
# The seniority ladder. Heads and directors stand on one rung; SVPs and EVPs are VPs.
_RANKS = _phrase_table(
    {
        "rank:6": (
            "chief",
            "c level",
            "c suite",
            "president",
            "founder",
            "co founder",
            "owner",
            "managing director",
            "geschäftsführer",
            "geschäftsführerin",
            "geschäftsführender",
            "vorstand",
            "inhaber",
        ),
        "rank:5": ("vice president", "vizepräsident"),
        "rank:4": (
            "head",
            "director",
            "leiter",
            "leiterin",
            "leitung",
            "directeur",
            "directrice",
            "direktor",
            "directora",
            "general manager",
        ),
        "rank:3": ("manager", "team leiter", "gruppen leiter", "supervisor", "team lead", "lead"),
        "rank:2": ("senior", "principal"),
        "rank:1": (
            "entry",
            "junior",
            "specialist",
            "coordinator",
            "assistant",
            "associate",
            "clerk",
            "sachbearbeiter",
            "sachbearbeiterin",
            "representative",
            "sdr",
            "bdr",
            "analyst",
            "administrator",
            "intern",
            "trainee",
            "referent",
            "agent",
        ),
    }
)
_NOT_A_DEPARTMENT = "-"
# Departments, each with the words titles and CRMs name it by (German, French and Spanish among them).
_DEPARTMENTS = _phrase_table(
    {
        "operations": ("operating", "operational", "betrieb", "operaciones"),
        "logistics": ("logistik", "warehouse", "distribution", "transport", "transportation"),
        "supply chain": ("procurement", "purchasing", "einkauf", "sourcing", "beschaffung"),
        "production": ("manufacturing", "fertigung", "plant", "werk", "factory", "fabrik", "produktion"),
        "sales": ("revenue", "vertrieb", "business development", "commercial", "ventas", "account executive"),
        "revenue operations": ("sales operations",),
        "finance": ("financial", "finanzen", "treasury", "controlling", "controller", "fp and a", "treasurer"),
        "accounting": ("accountant", "buchhaltung", "accounts payable", "accounts receivable", "bookkeeping"),
        "marketing": ("communications", "brand", "demand generation"),
        "it": (
            "information technology",
            "information systems",
            "information",
            "systems",
            "sistemas",
            "informatik",
            "infrastructure",
            "technology",
            "it operations",
        ),
        "clinical informatics": ("informatics", "medical information", "medical informatics"),
        "engineering": ("software engineering", "development", "r and d", "technik"),
        "human resources": ("hr", "people", "personal", "personalwesen", "talent", "recruiting"),
        "nursing": ("pflege",),
        "general management": (
            "chief executive",
            "managing director",
            "geschäftsführer",
            "geschäftsführerin",
            "geschäftsführender",
            "founder",
            "co founder",
            "owner",
            "president",
            "general manager",
            "inhaber",
        ),
        # Not a department: read as one phrase so that a vice president is no president.
        _NOT_A_DEPARTMENT: ("vice president", "vizepräsident"),
    }
)
# A few roles say both rung and department by themselves.
_ROLES = {
    tuple(_words("plant manager")): (HEAD, "production"),
    tuple(_words("werk leiter")): (HEAD, "production"),
    tuple(_words("betrieb leiter")): (HEAD, "production"),
    tuple(_words("controller")): (MANAGER, "finance"),
    tuple(_words("treasurer")): (HEAD, "finance"),
    tuple(_words("account executive")): (ENTRY, "sales"),
}
# "Sales Operations" is both; "Revenue Operations" and "IT Operations" are not operations.
_ALSO = {"revenue operations": ("sales",)}


@dataclass(frozen=True)
class Role:
    """What a title (or a seniority and a department) says: the rung (None when unknown) and departments."""

    rank: int | None
    departments: frozenset[str]


def _scan(words: list[str], table: dict[tuple[str, ...], str]) -> list[str]:
    return [word for word in _rewrite(words, table) if word in set(table.values())]


def departments_of(text: str) -> frozenset[str]:
    """The departments a title or a department field names; an unknown department is its own name."""
    words = _words(text)
    found: set[str] = set()
    for concept in _scan(words, _DEPARTMENTS):
        if concept == _NOT_A_DEPARTMENT:
            continue
        found.add(concept)
        found.update(_ALSO.get(concept, ()))
    for role, (_, department) in _ROLES.items():
        if _contains(words, role):
            found.add(department)
    if not found and words and not _scan(words, _RANKS):
        found.add(" ".join(words))
    return frozenset(found)


# Words in a title that say neither rung nor department: where, how far, for how long.
_NEUTRAL = frozenset(
    _words(
        "officer global group regional region worldwide international executive interim acting deputy "
        "emea apac americas europe nordics dach uk us north south east west central campus enterprise "
        "co corporate"
    )
)
_RANK_WORDS = frozenset(word for phrase in _RANKS for word in phrase)
OTHER_DEPARTMENT = "other"


def _contains(words: list[str], phrase: tuple[str, ...]) -> bool:
    return any(tuple(words[index : index + len(phrase)]) == phrase for index in range(len(words) - len(phrase) + 1))


def rank_of(text: str, *, default: int | None = None) -> int | None:
    """The highest rung a title or seniority names; `default` when it names none."""
    words = _words(text)
    ranks = [int(concept.split(":")[1]) for concept in _scan(words, _RANKS)]
    ranks += [rank for role, (rank, _) in _ROLES.items() if _contains(words, role)]
    return max(ranks) if ranks else default


def title_role(title: str) -> Role:
    """A title without any seniority word is an individual contributor's; one whose function words name no
    department we know is in an "other" department ("Office Manager"), one without any is unknown ("VP")."""
    words = _words(title)
    if not words:
        return Role(None, frozenset())
    departments = departments_of(title) - {" ".join(words)}
    if not departments and any(word not in _RANK_WORDS and word not in _NEUTRAL for word in words):
        departments = frozenset({OTHER_DEPARTMENT})
    return Role(rank_of(title, default=ENTRY), departments)


@dataclass(frozen=True)
class AccountChecks:
    """What an account alone decides: an exclusion or the first criterion it misses, and its checks."""

    excluded_by: str | None
    detail: str
    industry: Check
    size: Check
    country: Check

    @property
    def checks(self) -> tuple[Check, Check, Check]:
        return (self.industry, self.size, self.country)


@dataclass
class Matcher:
    criteria: Criteria
    _industries: dict[str, Check] = field(default_factory=dict, repr=False)
    _excluded_industries: dict[str, bool] = field(default_factory=dict, repr=False)
    _personas: dict[tuple[str, str, str], Check] = field(default_factory=dict, repr=False)
    _verdicts: dict[tuple[int, int], tuple] = field(default_factory=dict, repr=False)
    _excluded_domains: dict[str, bool] = field(default_factory=dict, repr=False)
    _accounts: dict["AccountChecks", "AccountChecks"] = field(default_factory=dict, repr=False)

    # Domains --------------------------------------------------------------------------------

    def excluded_domain(self, domain: str, email: str = "") -> bool:
        """The account's domain, or the address's, is an excluded domain or under one."""
        if not self.criteria.excluded_domains:
            return False
        if "@" in email and self.excluded_domain(email.rsplit("@", 1)[1]):
            return True
        if domain not in self._excluded_domains:
            candidate = _normal(domain)
            self._excluded_domains[domain] = bool(candidate) and any(
                candidate == entry or candidate.endswith("." + entry) for entry in self.criteria.excluded_domains
            )
        return self._excluded_domains[domain]

    # Industry -------------------------------------------------------------------------------

    def excluded_industry(self, industry: str) -> bool:
        if not self.criteria.excluded_industries or not _normal(industry):
            return False
        if industry not in self._excluded_industries:
            self._excluded_industries[industry] = bool(self._industry_key(industry, self.criteria.excluded_industries))
        return self._excluded_industries[industry]

    def industry(self, industry: str) -> Check:
        if industry not in self._industries:
            self._industries[industry] = self._industry_check(industry)
        return self._industries[industry]

    def _industry_check(self, industry: str) -> Check:
        if not _normal(industry):
            return Check(None, OTHER, "")
        if not self.criteria.industries:
            return Check(True, _normal(industry), "")
        key = self._industry_key(industry, self.criteria.industries)
        if key:
            return Check(True, key, key)
        return Check(False, OTHER, industry.strip())

    @staticmethod
    def _industry_key(industry: str, entries: tuple[str, ...]) -> str:
        """The first ICP entry `industry` names, normalised; "" when none."""
        for entry in entries:
            if industry_matches(industry, entry):
                return _normal(entry)
        return ""

    # Size and country -----------------------------------------------------------------------

    def size(self, employees: int | None) -> Check:
        band = size_band(employees)
        low, high = self.criteria.employee_min, self.criteria.employee_max
        if low is None and high is None:
            return Check(True, band, "")
        if employees is None:
            return Check(None, band, "")
        if (low is not None and employees < low) or (high is not None and employees > high):
            return Check(False, band, f"{employees:,} employees")
        return Check(True, band, f"{employees:,} staff")

    def country(self, country: str) -> Check:
        code = (country or "").strip().upper()
        if not self.criteria.countries:
            return Check(True, code or OTHER, "")
        if not code:
            return Check(None, OTHER, "")
        if code in self.criteria.countries:
            return Check(True, code, code)
        return Check(False, code, code)

    # Persona --------------------------------------------------------------------------------

    def persona(self, title: str, department: str = "", seniority: str = "") -> Check:
        key = (title or "", department or "", seniority or "")
        if key not in self._personas:
            self._personas[key] = self._persona_check(*key)
        return self._personas[key]

    def _persona_check(self, title: str, department: str, seniority: str) -> Check:
        """A persona title matches; or the seniority is one of the ICP's and the department one of its
        departments (any department when it lists none). A title naming a persona's function at its rung or
        above is that persona ("EVP Worldwide Sales" is a VP Sales)."""
        criteria = self.criteria
        if not criteria.has_persona:
            return Check(True, OTHER, "")
        if not (_words(title) or _words(department) or _words(seniority)):
            return Check(None, OTHER, "")
        shown = title.strip() or " ".join(part.strip() for part in (seniority, department) if part.strip())
        role = title_role(title)
        for persona in self._persona_roles:
            if (
                role.rank is not None
                and persona.rank is not None
                and role.rank >= persona.rank
                and role.departments & persona.departments
            ):
                department = sorted(role.departments & persona.departments)[0]
                return Check(True, f"{RANK_NAMES[persona.rank]} {department}", shown)
        if not criteria.persona_seniorities:
            # Without seniorities, only a title can match; with no title there is nothing to decide on.
            return Check(False if _words(title) else None, OTHER, shown)
        rank = rank_of(seniority) or role.rank
        departments = role.departments | (departments_of(department) if _words(department) else frozenset())
        if OTHER_DEPARTMENT in departments and len(departments) > 1:
            departments -= {OTHER_DEPARTMENT}
        rank_ok = None if rank is None else rank in self._persona_ranks
        wanted = self._persona_departments
        department_ok = True if not wanted else (bool(departments & wanted) if departments else None)
        if rank_ok is False or department_ok is False:
            return Check(False, OTHER, shown)
        if rank_ok and department_ok:
            matched = sorted(departments & wanted)[0] if wanted else sorted(departments or {OTHER})[0]
            return Check(True, f"{RANK_NAMES[rank]} {matched}", shown)
        return Check(None, OTHER, shown)

    @cached_property
    def _persona_roles(self) -> list[Role]:
        roles = []
        for persona in self.criteria.persona_titles:
            role = title_role(persona)
            roles.append(Role(role.rank, role.departments - {OTHER_DEPARTMENT}))
        return roles

    @cached_property
    def _persona_ranks(self) -> frozenset[int]:
        return frozenset(rank for rank in map(rank_of, self.criteria.persona_seniorities) if rank is not None)

    @cached_property
    def _persona_departments(self) -> frozenset[str]:
        return frozenset().union(*map(departments_of, self.criteria.persona_departments))

    # All of it ------------------------------------------------------------------------------

    def evaluate(
        self,
        *,
        domain: str = "",
        email: str = "",
        industry: str = "",
        employees: int | None = None,
        country: str = "",
        title: str = "",
        department: str = "",
        seniority: str = "",
    ) -> Verdict:
        """The verdict on one contact at one account: the first reason it falls outside, and its fit."""
        account = self.account(domain=domain, industry=industry, employees=employees, country=country)
        return self.verdict(account, self.persona(title, department, seniority), email=email)

    def account(self, *, domain: str, industry: str, employees: int | None, country: str) -> "AccountChecks":
        """The account's half of the verdict, decided once per account however many contacts it has."""
        excluded_by, detail = None, ""
        checks = (self.industry(industry), self.size(employees), self.country(country))
        if self.excluded_domain(domain):
            excluded_by, detail = EXCLUDED_DOMAIN, domain
        elif self.excluded_industry(industry):
            excluded_by, detail = EXCLUDED_INDUSTRY, industry.strip()
        else:
            for reason, check in zip((INDUSTRY, SIZE, COUNTRY), checks, strict=True):
                if check.outcome is False:
                    excluded_by, detail = reason, check.phrase
                    break
        # Accounts that decide alike share one object, so that verdicts are memoised per distinct pair.
        found = AccountChecks(excluded_by, detail, *checks)
        return self._accounts.setdefault(found, found)

    def verdict(self, account: "AccountChecks", persona: Check, *, email: str = "") -> Verdict:
        """An account's checks and a person's persona check, combined. Memoised by the two objects'
        identity: both come from memos, so an audience holds few distinct pairs (the memo keeps them alive,
        so an id is never reused)."""
        if email and self.criteria.excluded_domains and account.excluded_by != EXCLUDED_DOMAIN:
            email_domain = email.rsplit("@", 1)[-1].lower()
            if self.excluded_domain(email_domain):
                account = AccountChecks(EXCLUDED_DOMAIN, email_domain, *account.checks)
        key = (id(account), id(persona))
        known = self._verdicts.get(key)
        if known is None:
            known = self._verdicts[key] = (account, persona, self._combine(account, persona))
        return known[2]

    def _combine(self, account: "AccountChecks", persona: Check) -> Verdict:
        checks = dict(zip((INDUSTRY, SIZE, COUNTRY, PERSONA), (*account.checks, persona), strict=True))
        excluded_by, detail = account.excluded_by, account.detail
        if excluded_by is None and persona.outcome is False:
            excluded_by, detail = PERSONA, persona.phrase
        return Verdict(
            excluded_by=excluded_by,
            fit=self._fit(checks),
            fit_reasons=tuple(check.phrase for check in checks.values() if check.outcome and check.phrase),
            industry=checks[INDUSTRY].key,
            size_band=checks[SIZE].key,
            persona=checks[PERSONA].key,
            detail=detail,
        )

    def _fit(self, checks: dict[str, Check]) -> int:
        """Points for each criterion the ICP sets: all for a match, half when the data is missing."""
        constrained = {
            INDUSTRY: bool(self.criteria.industries),
            SIZE: self.criteria.employee_min is not None or self.criteria.employee_max is not None,
            COUNTRY: bool(self.criteria.countries),
            PERSONA: self.criteria.has_persona,
        }
        total = sum(FIT_WEIGHTS[name] for name, on in constrained.items() if on)
        if not total:
            return 100
        earned = 0.0
        for name, on in constrained.items():
            if not on:
                continue
            outcome = checks[name].outcome
            earned += FIT_WEIGHTS[name] * (1.0 if outcome else 0.5 if outcome is None else 0.0)
        return round(100 * earned / total)
