"""The planner's ranking of a campaign's audience: fit, intent and timing, with a one-line reason per lead.

The audience (campaigns.audience) says who may be picked and how well each person fits the ICP. Ranking
adds what the signals say: intent (the ICP version's weight per signal kind, decayed with age and raised
a little by repeats) and timing (new in role, just raised, hiring). A lead without signals is ranked on
fit alone. A manager's pins come first and exclusions are gone.

Reads are constant in the audience's size: one query for the manager's choices, one aggregate of the
signals by account, contact and kind, one for each account's and contact's freshest signal title.
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Protocol

from django.db import connection
from django.db.models import Count, F, Max, Window
from django.db.models.functions import RowNumber
from django.utils import timezone

from campaigns.models import Campaign, CampaignLeadChoice, Signal

# How fast a signal's pull fades: it counts half after this many days.
INTENT_HALF_LIFE_DAYS = 14
# Repeats of a kind raise its pull from 60% (one signal) to 100% (five or more).
INTENSITY_CAP = 5
# A signal kind's weight when the ICP version names no weights at all (0 to 10).
DEFAULT_SIGNAL_WEIGHT = 5
# Timing windows and what each adds to the timing score (0 to 100, capped).
NEW_IN_ROLE_DAYS, NEW_IN_ROLE_POINTS = 90, 40
JUST_RAISED_DAYS, JUST_RAISED_POINTS = 60, 35
HIRING_POINTS = 25
# The score's blend of fit, intent and timing (each 0 to 100).
FIT_SHARE, INTENT_SHARE, TIMING_SHARE = 0.5, 0.3, 0.2
# Below this many accounts the signal queries name them; above it they read the workspace's recent
# signals and keep the audience's (a long IN list costs more than it saves, and SQLite caps parameters).
ACCOUNTS_NAMED_IN_QUERY = 500
SIGNAL_TITLE_CHARS = 60
NO_SIGNAL = "none"


class Member(Protocol):
    """What ranking reads of an audience member (campaigns.audience.AudienceMember)."""

    contact_id: int
    account_id: int
    fit: int
    fit_reasons: tuple[str, ...]
    industry: str
    size_band: str
    persona: str


@dataclass(frozen=True)
class RankedLead:
    contact_id: int
    account_id: int
    score: float  # 0 to 100
    fit: int
    intent: int
    timing: int
    segment: str  # industry|size band|persona|lead signal kind (see segment_key)
    reason: str
    pinned: bool = False


@dataclass
class _KindFacts:
    count: int = 0
    latest: datetime | None = None

    def add(self, count: int, latest: datetime) -> None:
        self.count += count
        self.latest = latest if self.latest is None or latest > self.latest else self.latest


@dataclass(frozen=True)
class _Freshest:
    occurred_at: datetime
    title: str


def segment_key(*, industry: str, size_band: str, persona: str, lead_signal: str) -> str:
    """A segment as stored on the enrolment and learned over: industry × size band × persona × lead signal."""
    return "|".join(part.replace("|", "/") for part in (industry, size_band, persona, lead_signal))[:200]


def signal_weight(weights: dict, kind: str) -> float:
    if not weights:
        return DEFAULT_SIGNAL_WEIGHT
    try:
        return min(10.0, max(0.0, float(weights.get(kind, 0))))
    except (TypeError, ValueError):
        return 0.0


def _reference_time(today: date, now: datetime | None) -> datetime:
    if now is not None:
        return now
    if today == timezone.localdate():
        return timezone.now()
    return timezone.make_aware(datetime.combine(today, time(12)))


def _recent_signals(*, campaign: Campaign, account_ids: set[int], since: datetime, until: datetime):
    signals = Signal.objects.filter(workspace_id=campaign.workspace_id, occurred_at__gte=since, occurred_at__lte=until)
    if len(account_ids) <= ACCOUNTS_NAMED_IN_QUERY:
        signals = signals.filter(account_id__in=account_ids)
    return signals


def _signal_facts(signals, *, account_ids: set[int], contact_ids: set[int]):
    """Per account (signals about no one in particular) and per contact: each kind's count and latest date."""
    by_account: dict[int, dict[str, _KindFacts]] = defaultdict(lambda: defaultdict(_KindFacts))
    by_contact: dict[int, dict[str, _KindFacts]] = defaultdict(lambda: defaultdict(_KindFacts))
    rows = (
        signals.values_list("account_id", "contact_id", "kind")
        .annotate(count=Count("id"), latest=Max("occurred_at"))
        .order_by()
    )
    for account_id, contact_id, kind, count, latest in rows:
        if contact_id is None:
            if account_id in account_ids:
                by_account[account_id][kind].add(count, latest)
        elif contact_id in contact_ids:
            by_contact[contact_id][kind].add(count, latest)
    return by_account, by_contact


def _freshest_titles(signals, *, weights: dict, account_ids: set[int], contact_ids: set[int]):
    """The freshest signal with any pull, per account (about no one) and per contact: what the reason quotes."""
    pulling = signals.filter(kind__in=[kind for kind in Signal.Kind.values if signal_weight(weights, kind) > 0])
    if connection.features.can_distinct_on_fields:  # PostgreSQL: DISTINCT ON reads the freshest row per group
        rows = (
            pulling.order_by("account_id", "contact_id", "-occurred_at", "-id")
            .distinct("account_id", "contact_id")
            .values_list("account_id", "contact_id", "occurred_at", "title")
        )
    else:
        rows = (
            pulling.annotate(
                freshness=Window(
                    RowNumber(),
                    partition_by=[F("account_id"), F("contact_id")],
                    order_by=[F("occurred_at").desc(), F("id").desc()],
                )
            )
            .filter(freshness=1)
            .values_list("account_id", "contact_id", "occurred_at", "title")
        )
    by_account: dict[int, _Freshest] = {}
    by_contact: dict[int, _Freshest] = {}
    for account_id, contact_id, occurred_at, title in rows:
        if contact_id is None:
            if account_id in account_ids:
                by_account[account_id] = _Freshest(occurred_at, title)
        elif contact_id in contact_ids:
            by_contact[contact_id] = _Freshest(occurred_at, title)
    return by_account, by_contact


def _age_days(when: datetime, reference: datetime) -> float:
    return max(0.0, (reference - when).total_seconds() / 86400)


def _ago(days: float) -> str:
    whole = int(days)
    if whole == 0:
        return "today"
    if whole == 1:
        return "yesterday"
    return f"{whole} days ago"


def _clip(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _intent(kinds: dict[str, _KindFacts], *, kind_weights: dict[str, float], reference: datetime) -> tuple[int, str]:
    """Intent 0 to 100 and the kind that pulls most ("none" without any)."""
    total, lead_kind, lead_pull = 0.0, NO_SIGNAL, 0.0
    for kind, facts in kinds.items():
        weight = kind_weights.get(kind, 0.0)
        if weight <= 0:
            continue
        decay = 0.5 ** (_age_days(facts.latest, reference) / INTENT_HALF_LIFE_DAYS)
        intensity = 0.6 + 0.4 * (min(facts.count, INTENSITY_CAP) - 1) / (INTENSITY_CAP - 1)
        pull = weight * decay * intensity
        total += pull
        if pull > lead_pull or (pull == lead_pull and kind < lead_kind):
            lead_kind, lead_pull = kind, pull
    return min(100, round(10 * total)), lead_kind


def _timing(kinds: dict[str, _KindFacts], *, reference: datetime) -> tuple[int, list[str]]:
    points, notes = 0, []
    job_change = kinds.get(Signal.Kind.JOB_CHANGE)
    if job_change and _age_days(job_change.latest, reference) <= NEW_IN_ROLE_DAYS:
        points, notes = points + NEW_IN_ROLE_POINTS, [*notes, "new in role"]
    funding = kinds.get(Signal.Kind.FUNDING)
    if funding and _age_days(funding.latest, reference) <= JUST_RAISED_DAYS:
        points, notes = points + JUST_RAISED_POINTS, [*notes, "just raised"]
    if kinds.get(Signal.Kind.HIRING):
        points, notes = points + HIRING_POINTS, [*notes, "hiring"]
    return min(100, points), notes


def _merged(account_kinds: dict[str, _KindFacts], own_kinds: dict[str, _KindFacts]) -> dict[str, _KindFacts]:
    """An account's kinds with a contact's own added (new objects: the account's are shared by colleagues)."""
    merged = dict(account_kinds)
    for kind, facts in own_kinds.items():
        mine = merged.get(kind)
        merged[kind] = facts if mine is None else _KindFacts(mine.count + facts.count, max(mine.latest, facts.latest))
    return merged


def _signals_reason(*, freshest: _Freshest | None, timing_notes: list[str], reference: datetime) -> str:
    """The reason's second half ("intent: …; timing: …"): the same for every contact read through one account."""
    if freshest is not None:
        ago = _ago(_age_days(freshest.occurred_at, reference))
        text = f"intent: {_clip(freshest.title, SIGNAL_TITLE_CHARS)}, {ago}"
    else:
        text = "no recent signals"
    return f"{text}; timing: {', '.join(timing_notes)}" if timing_notes else text


def _reason(member: Member, signals_reason: str) -> str:
    fits = f"fits: {', '.join(member.fit_reasons)}" if member.fit_reasons else "fits the audience"
    return f"{fits}; {signals_reason}"[:500]


def rank_audience(
    *, campaign: Campaign, members: Iterable[Member], today: date, now: datetime | None = None
) -> list[RankedLead]:
    """The audience in the order the planner would take it by score: pins first, exclusions removed."""
    members = list(members)
    if not members:
        return []
    reference = _reference_time(today, now)
    weights = (campaign.icp_version.signal_weights if campaign.icp_version_id else {}) or {}
    choices = dict(CampaignLeadChoice.objects.filter(campaign=campaign).values_list("contact_id", "choice"))
    account_ids = {member.account_id for member in members}
    contact_ids = {member.contact_id for member in members}
    signals = _recent_signals(
        campaign=campaign,
        account_ids=account_ids,
        since=reference - timedelta(days=campaign.stale_signal_days),
        until=reference,
    )
    kinds_by_account, kinds_by_contact = _signal_facts(signals, account_ids=account_ids, contact_ids=contact_ids)
    titles_by_account, titles_by_contact = _freshest_titles(
        signals, weights=weights, account_ids=account_ids, contact_ids=contact_ids
    )
    kind_weights = {kind: signal_weight(weights, kind) for kind in Signal.Kind.values}
    # Most contacts have no signal of their own: their account's reading is computed once and shared.
    by_account: dict[int, tuple] = {}

    def reading(member: Member) -> tuple[int, str, int, str]:
        own_kinds, own_title = kinds_by_contact.get(member.contact_id), titles_by_contact.get(member.contact_id)
        if own_kinds is None and own_title is None and member.account_id in by_account:
            return by_account[member.account_id]
        account_kinds = kinds_by_account.get(member.account_id, {})
        kinds = account_kinds if own_kinds is None else _merged(account_kinds, own_kinds)
        intent, lead_kind = _intent(kinds, kind_weights=kind_weights, reference=reference)
        timing, timing_notes = _timing(kinds, reference=reference)
        candidates = [own_title, titles_by_account.get(member.account_id)]
        freshest = max((c for c in candidates if c), key=lambda c: c.occurred_at, default=None)
        result = (
            intent,
            lead_kind,
            timing,
            _signals_reason(freshest=freshest, timing_notes=timing_notes, reference=reference),
        )
        if own_kinds is None and own_title is None:
            by_account[member.account_id] = result
        return result

    segments: dict[tuple[str, str, str, str], str] = {}
    ranked = []
    for member in members:
        choice = choices.get(member.contact_id)
        if choice == CampaignLeadChoice.Choice.EXCLUDE:
            continue
        intent, lead_kind, timing, signals_reason = reading(member)
        parts = (member.industry, member.size_band, member.persona, lead_kind)
        segment = segments.get(parts)
        if segment is None:
            segment = segments[parts] = segment_key(
                industry=parts[0], size_band=parts[1], persona=parts[2], lead_signal=parts[3]
            )
        ranked.append(
            RankedLead(
                contact_id=member.contact_id,
                account_id=member.account_id,
                score=round(FIT_SHARE * member.fit + INTENT_SHARE * intent + TIMING_SHARE * timing, 1),
                fit=member.fit,
                intent=intent,
                timing=timing,
                segment=segment,
                reason=_reason(member, signals_reason),
                pinned=choice == CampaignLeadChoice.Choice.PIN,
            )
        )
    ranked.sort(key=lambda lead: (not lead.pinned, -lead.score, lead.contact_id))
    return ranked
