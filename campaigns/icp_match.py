"""Whether an account and a person match an ICP's criteria: pure functions on strings and numbers.

No models and no database: the audience (campaigns/audience.py) and the offline qualification agent
(agents/team/qualify.py, which may not import models) both decide with this module, so they agree.
`Matcher` memoises per distinct industry and per distinct (title, department, seniority), because an
audience of 100,000 contacts holds a few hundred of each.

Missing data never excludes: an account without an industry or a size, a person without a title, is
"unknown" on that criterion and scores lower fit instead.
"""

from dataclasses import dataclass, field

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


@dataclass
class Matcher:
    criteria: Criteria
    _industries: dict[str, Check] = field(default_factory=dict, repr=False)
    _excluded_industries: dict[str, bool] = field(default_factory=dict, repr=False)
    _personas: dict[tuple[str, str, str], Check] = field(default_factory=dict, repr=False)

    # Domains --------------------------------------------------------------------------------

    def excluded_domain(self, domain: str, email: str = "") -> bool:
        """The account's domain, or the address's, is an excluded domain or under one."""
        excluded = self.criteria.excluded_domains
        if not excluded:
            return False
        candidates = {_normal(domain)}
        if "@" in email:
            candidates.add(_normal(email.rsplit("@", 1)[1]))
        return any(
            candidate and (candidate == entry or candidate.endswith("." + entry))
            for candidate in candidates
            for entry in excluded
        )

    # Industry -------------------------------------------------------------------------------

    def excluded_industry(self, industry: str) -> bool:
        if not self.criteria.excluded_industries or not _normal(industry):
            return False
        if industry not in self._excluded_industries:
            self._excluded_industries[industry] = self._industry_key(industry, self.criteria.excluded_industries) != ""
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
        """The ICP entry `industry` is, normalised; "" when none."""
        value = _normal(industry)
        for entry in entries:
            if _normal(entry) == value:
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
        criteria = self.criteria
        if not criteria.has_persona:
            return Check(True, OTHER, "")
        if not (_normal(title) or _normal(department) or _normal(seniority)):
            return Check(None, OTHER, "")
        for persona in criteria.persona_titles:
            if _normal(persona) == _normal(title):
                return Check(True, _normal(persona), title.strip())
        seniorities = {_normal(item) for item in criteria.persona_seniorities}
        departments = {_normal(item) for item in criteria.persona_departments}
        if (
            seniorities
            and _normal(seniority) in seniorities
            and (not departments or _normal(department) in departments)
        ):
            return Check(True, f"{_normal(seniority)} {_normal(department)}".strip(), title.strip() or seniority)
        return Check(False, OTHER, title.strip() or department.strip() or seniority.strip())

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
        checks = {
            INDUSTRY: self.industry(industry),
            SIZE: self.size(employees),
            COUNTRY: self.country(country),
            PERSONA: self.persona(title, department, seniority),
        }
        excluded_by, detail = None, ""
        if self.excluded_domain(domain, email):
            excluded_by, detail = EXCLUDED_DOMAIN, domain
        elif self.excluded_industry(industry):
            excluded_by, detail = EXCLUDED_INDUSTRY, industry.strip()
        else:
            for reason, check in checks.items():
                if check.outcome is False:
                    excluded_by, detail = reason, check.phrase
                    break
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
