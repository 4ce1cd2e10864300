"""Reads of the review inbox: queues, filters, counts, one item with everything behind it.

Every function takes the workspace (through the membership) explicitly. The open list is ordered by
urgency — negotiations, then exceptions and escalations, then the rest — and within each tier by
age (oldest first). It is paged with a keyset cursor, never an offset, so page 200 costs what page
1 costs. The query is one UNION ALL of one small index range scan per (kind, status) on
`handoff_queue_idx` (workspace, status, kind, created_at), each stopping after a page of rows.
"""

import re
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from urllib.parse import urlencode

from django.db import connection
from django.db.models import Count, Q, QuerySet, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from agents.delivery.models import OutboundMessage
from agents.delivery.send_now import SENDABLE_STATUSES, may_send_now
from agents.models import AgentStep, Handoff, TakeOver
from campaigns.models import Campaign, ProofPoint, Signal
from salesops.models import Membership, Role

PAGE_SIZE = 25
BULK_LIMIT = 500  # "all in this filter" acts on at most this many items per request
AGED_AFTER = timedelta(days=1)
OLD_AFTER = timedelta(days=3)

Kind = Handoff.Kind
# Lower tiers come first: a negotiation is a buyer waiting, an exception or escalation is a stuck lead.
URGENCY_TIER = {
    Kind.NEGOTIATION: 0,
    Kind.EXCEPTION: 1,
    Kind.ESCALATION: 1,
    Kind.REPLY_REVIEW: 2,
    Kind.DRAFT_REVIEW: 2,
}
KINDS_BY_URGENCY = sorted(URGENCY_TIER, key=lambda kind: (URGENCY_TIER[kind], kind))
# Conversations a person took over come after every item that waits for a decision, in their owner's
# "Mine" queue only: they stay there (for the owner to write from) until handed back.
TAKEN_OVER_TIER = 3

QUEUES = {"mine": "Mine", "unassigned": "Unassigned", "all": "All"}
STATES = {"open": "Open", "snoozed": "Snoozed", "done": "Done"}
BANDS = {"high": "High (80% and up)", "medium": "Medium (50–79%)", "low": "Low (under 50%)", "none": "Not scored"}
AGES = {"new": "Under a day", "aged": "1–3 days", "old": "Over 3 days"}
EPOCH, MICROSECOND = datetime(1970, 1, 1, tzinfo=UTC), timedelta(microseconds=1)
HIGH_CONFIDENCE, MEDIUM_CONFIDENCE = Decimal("0.800"), Decimal("0.500")


@dataclass(frozen=True)
class InboxFilters:
    queue: str = "all"
    kind: str = ""
    campaign_id: int | None = None
    band: str = ""
    age: str = ""
    state: str = "open"

    def querystring(self, **changes) -> str:
        """The filters as URL parameters (defaults left out), for links and form actions."""
        filters = replace(self, **changes) if changes else self
        pairs = {
            "queue": filters.queue if filters.queue != "all" else "",
            "kind": filters.kind,
            "campaign": filters.campaign_id or "",
            "band": filters.band,
            "age": filters.age,
            "state": filters.state if filters.state != "open" else "",
        }
        return urlencode({key: value for key, value in pairs.items() if value})

    @property
    def is_default(self) -> bool:
        return self == InboxFilters(queue=self.queue)


@dataclass(frozen=True)
class Cursor:
    """Where a page ends: (urgency tier, a timestamp, id). Encoded as three integers."""

    tier: int
    at: datetime
    pk: int

    def encode(self) -> str:
        return f"{self.tier}.{(self.at - EPOCH) // MICROSECOND}.{self.pk}"

    @classmethod
    def decode(cls, raw: str) -> "Cursor | None":
        try:
            tier, micros, pk = (int(part) for part in raw.split("."))
            at = EPOCH + micros * MICROSECOND
        except (ValueError, OverflowError, OSError):
            return None
        return cls(tier=tier, at=at, pk=pk)


@dataclass
class InboxPage:
    items: list[Handoff]
    next_cursor: Cursor | None


@dataclass
class InboxCounts:
    mine: int
    unassigned: int
    all: int
    snoozed: int
    aged: int
    by_kind: list[tuple[str, str, int]]  # (kind, label, count) in urgency order


@dataclass
class Citation:
    ref: str  # "signal:12", "proof:3", "offer"
    kind: str  # "signal", "proof", "offer" or "missing"
    signal: Signal | None = None
    proof: ProofPoint | None = None
    offer_text: str = ""


@dataclass
class ClaimView:
    text: str
    citations: list[Citation]


@dataclass(frozen=True)
class BlockedEdit:
    """A person's edit of the draft that the verifier blocked, kept on the handoff until the draft is
    approved or written again (agents.decisions keeps and clears it)."""

    subject: str
    body: str
    findings: list[dict]
    overrides: dict[str, str]
    by: str  # the person's email
    by_name: str
    by_id: int | None
    at: datetime | None


@dataclass
class ItemDetail:
    handoff: Handoff
    draft: dict
    verification: dict
    findings: list[dict]
    claims: list[ClaimView]
    finding_citations: dict[str, Citation]
    brief: dict
    qualification: dict
    steps: list[AgentStep]
    thread: list[OutboundMessage]
    take_over: TakeOver | None
    error: str = ""
    reply: dict = field(default_factory=dict)  # the prospect's email a reply or negotiation item is about
    email: dict = field(default_factory=dict)  # the queued email a delivery exception is about
    blocked_edit: BlockedEdit | None = None


# Scopes ------------------------------------------------------------------------------------------


def is_manager(membership: Membership) -> bool:
    return membership.has_role(Role.MANAGER)


def can_act(membership: Membership, handoff: Handoff) -> bool:
    """Reps act on items assigned to them or to nobody, except those only a manager can answer (a
    campaign's goal, the model budget); managers and admins act on all of them."""
    if is_manager(membership):
        return True
    return handoff.assignee_id in (None, membership.user_id) and not handoff.is_for_managers


def sendable_now_ids(*, membership: Membership, messages) -> set[int]:
    """Which of these emails the member may hurry with "Send now": one a person wrote, still waiting to
    leave, and theirs (a manager or an admin may hurry anyone's). No query: the messages are loaded."""
    return {
        message.pk
        for message in messages
        if message.status in SENDABLE_STATUSES and may_send_now(message=message, actor=membership)
    }


def _queue_q(membership: Membership, queue: str) -> Q:
    scope = Q() if is_manager(membership) else ~Handoff.for_managers_q()
    if queue == "mine":
        return scope & Q(assignee_id=membership.user_id)
    if queue == "unassigned":
        return scope & Q(assignee__isnull=True)
    if is_manager(membership):
        return scope
    return scope & (Q(assignee_id=membership.user_id) | Q(assignee__isnull=True))


def _taken_over_q(membership: Membership) -> Q:
    """Items whose conversation the member took over (and has not handed back)."""
    owned = TakeOver.objects.filter(workspace_id=membership.workspace_id, user_id=membership.user_id)
    return Q(
        workspace_id=membership.workspace_id,
        status=Handoff.Status.RESOLVED,
        decision=Handoff.Decision.TAKEN_OVER,
        contact_id__in=owned.values("contact_id"),
    )


def open_q(now: datetime) -> Q:
    """Open, or snoozed until a time that has passed (a snooze ends by itself)."""
    return Q(status=Handoff.Status.OPEN) | Q(status=Handoff.Status.SNOOZED, snoozed_until__lte=now)


def _filtered(membership: Membership, filters: InboxFilters, now: datetime) -> QuerySet[Handoff]:
    handoffs = Handoff.objects.filter(workspace_id=membership.workspace_id).filter(_queue_q(membership, filters.queue))
    return _narrowed(handoffs, filters, now)


def _narrowed(handoffs: QuerySet[Handoff], filters: InboxFilters, now: datetime) -> QuerySet[Handoff]:
    """`handoffs` narrowed by the kind, campaign, confidence and age filters."""
    if filters.kind:
        handoffs = handoffs.filter(kind=filters.kind)
    if filters.campaign_id:
        handoffs = handoffs.filter(campaign_id=filters.campaign_id)
    if filters.band == "high":
        handoffs = handoffs.filter(confidence__gte=HIGH_CONFIDENCE)
    elif filters.band == "medium":
        handoffs = handoffs.filter(confidence__gte=MEDIUM_CONFIDENCE, confidence__lt=HIGH_CONFIDENCE)
    elif filters.band == "low":
        handoffs = handoffs.filter(confidence__lt=MEDIUM_CONFIDENCE)
    elif filters.band == "none":
        handoffs = handoffs.filter(confidence__isnull=True)
    if filters.age == "new":
        handoffs = handoffs.filter(created_at__gt=now - AGED_AFTER)
    elif filters.age == "aged":
        handoffs = handoffs.filter(created_at__gt=now - OLD_AFTER, created_at__lte=now - AGED_AFTER)
    elif filters.age == "old":
        handoffs = handoffs.filter(created_at__lte=now - OLD_AFTER)
    return handoffs


ROW_FIELDS = [
    *("kind", "reason", "confidence", "status", "snoozed_until", "decision", "created_at", "decided_at"),
    *("workspace_id", "assignee_id", "decided_by_id", "campaign_id", "contact_id", "campaign__name"),
    *("contact__first_name", "contact__last_name", "contact__account__name"),
    *("assignee__email", "decided_by__email", "contact__take_over__user__email"),
]


def _for_rows(ids: list[int]) -> list[Handoff]:
    """The rows of one page, in the order of `ids`, with what a list row shows (not the proposal)."""
    if not ids:
        return []
    rows = (
        Handoff.objects.filter(pk__in=ids)
        .select_related("campaign", "contact__account", "contact__take_over__user", "assignee", "decided_by")
        .only(*ROW_FIELDS)
    )
    by_id = {row.pk: row for row in rows}
    return [by_id[pk] for pk in ids if pk in by_id]


# The list ----------------------------------------------------------------------------------------


def cursor_for(handoff: Handoff, state: str = "open") -> Cursor:
    if state == "snoozed":
        return Cursor(tier=0, at=handoff.snoozed_until, pk=handoff.pk)
    if state == "done":
        return Cursor(tier=0, at=handoff.decided_at or handoff.created_at, pk=handoff.pk)
    if handoff.decision == Handoff.Decision.TAKEN_OVER:
        return Cursor(tier=TAKEN_OVER_TIER, at=handoff.created_at, pk=handoff.pk)
    return Cursor(tier=URGENCY_TIER[handoff.kind], at=handoff.created_at, pk=handoff.pk)


def _where(handoffs: QuerySet[Handoff]) -> tuple[str, list]:
    """The WHERE clause the ORM compiles for `handoffs` (filters on agents_handoff's own columns only),
    to be reused inside hand-written SQL: compiled once instead of once per part of a UNION."""
    query = handoffs.query
    sql, params = query.get_compiler(using=handoffs.db).compile(query.where)
    return sql, list(params)


def _open_keys(
    handoffs: QuerySet[Handoff],
    *,
    kinds,
    now: datetime,
    after: Cursor | None,
    limit: int,
    owned: QuerySet[Handoff] | None = None,
) -> list:
    """(tier, created_at, id) of the next `limit` open items in urgency order, in one SQL statement.

    One part per (kind, status) — status "open", or "snoozed" with its time passed — each an index range
    scan of handoff_queue_idx (workspace, status, kind, created_at) that stops after `limit` rows; the
    outer ORDER BY merges them. The cursor bounds the parts of its own tier; earlier tiers are skipped.
    `owned` (the member's taken-over conversations) is one more part, after every tier."""
    base_sql, base_params = _where(handoffs)
    table = connection.ops.quote_name(Handoff._meta.db_table)
    parts, params = [], []
    sources = [
        (URGENCY_TIER[kind], base_sql, [*base_params], status_sql, [*status_params, kind])
        for kind in kinds
        for status_sql, status_params in (
            ("status = %s AND kind = %s", ["open"]),
            ("status = %s AND snoozed_until <= %s AND kind = %s", ["snoozed", _sql_datetime(now)]),
        )
    ]
    if owned is not None:
        owned_sql, owned_params = _where(owned)
        sources.append((TAKEN_OVER_TIER, owned_sql, owned_params, "1 = 1", []))
    for tier, where_sql, where_params, status_sql, status_params in sources:
        if after is not None and tier < after.tier:
            continue
        # Only fixed text and the ORM's compiled WHERE are interpolated; every value is a parameter.
        select = f"SELECT {int(tier)} AS tier, created_at, id FROM {table}"  # noqa: S608
        sql = f"{select} WHERE ({where_sql}) AND {status_sql}"
        part_params = [*where_params, *status_params]
        if after is not None and tier == after.tier:
            # `>=` lets the index range start at the cursor; the OR breaks ties on the id.
            sql += " AND created_at >= %s AND (created_at > %s OR id > %s)"
            at = _sql_datetime(after.at)
            part_params += [at, at, after.pk]
        # A derived table, not a parenthesised SELECT: SQLite (`make run`) accepts only this form.
        parts.append(f"SELECT * FROM ({sql} ORDER BY created_at, id LIMIT %s) AS part_{len(parts)}")  # noqa: S608  (fixed text and the compiled WHERE only)
        params += [*part_params, limit]
    if not parts:
        return []
    with connection.cursor() as cursor:
        cursor.execute(" UNION ALL ".join(parts) + " ORDER BY tier, created_at, id LIMIT %s", [*params, limit])
        return [(tier, _aware_datetime(at), pk) for tier, at, pk in cursor.fetchall()]


def _sql_datetime(value: datetime):
    """A datetime as the backend stores it: raw SQL bypasses the field's conversion (SQLite keeps
    naive UTC text, so an aware parameter would compare as a different string)."""
    return connection.ops.adapt_datetimefield_value(value)


def _aware_datetime(value) -> datetime:
    """A timestamp read by raw SQL, made what the ORM would return: SQLite gives naive UTC (or text)."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value if timezone.is_aware(value) else value.replace(tzinfo=UTC)


def _page_keys(
    *, membership: Membership, filters: InboxFilters, now: datetime, after: Cursor | None, limit: int
) -> list[tuple[int, datetime, int]]:
    """(tier, timestamp, id) of up to `limit` items of the filter after `after`, in the list's order."""
    handoffs = _filtered(membership, filters, now)
    if filters.state == "snoozed":
        handoffs = handoffs.filter(status=Handoff.Status.SNOOZED, snoozed_until__gt=now)
        if after is not None:
            handoffs = handoffs.filter(snoozed_until__gte=after.at).filter(
                Q(snoozed_until__gt=after.at) | Q(pk__gt=after.pk)
            )
        keys = handoffs.order_by("snoozed_until", "pk").values_list("snoozed_until", "pk")
        return [(0, at, pk) for at, pk in keys[:limit]]
    if filters.state == "done":
        handoffs = handoffs.filter(status=Handoff.Status.RESOLVED)
        if after is not None:
            handoffs = handoffs.filter(decided_at__lte=after.at).filter(Q(decided_at__lt=after.at) | Q(pk__lt=after.pk))
        keys = handoffs.order_by("-decided_at", "-pk").values_list("decided_at", "pk")
        return [(0, at, pk) for at, pk in keys[:limit]]
    kinds = [filters.kind] if filters.kind else KINDS_BY_URGENCY
    owned = None
    if filters.queue == "mine":
        owned = _narrowed(Handoff.objects.filter(_taken_over_q(membership)), filters, now)
    return _open_keys(handoffs, kinds=kinds, now=now, after=after, limit=limit, owned=owned)


def inbox_page(
    *, membership: Membership, filters: InboxFilters, now: datetime, after: Cursor | None = None, limit=PAGE_SIZE
) -> InboxPage:
    """One page of the inbox (2 queries: the keys, then the rows)."""
    keys = _page_keys(membership=membership, filters=filters, now=now, after=after, limit=limit + 1)
    more = len(keys) > limit
    keys = keys[:limit]
    next_cursor = Cursor(tier=keys[-1][0], at=keys[-1][1], pk=keys[-1][2]) if more else None
    return InboxPage(items=_for_rows([pk for _, _, pk in keys]), next_cursor=next_cursor)


def inbox_next_id(*, membership: Membership, filters: InboxFilters, now: datetime, after: Handoff) -> int | None:
    """The id of the item to open after acting on `after`: the next one in the list's order, else the
    first one (one query; two when `after` was the last)."""
    if filters.state != "open":
        return None
    keys = _page_keys(membership=membership, filters=filters, now=now, after=cursor_for(after), limit=1)
    if not keys:
        keys = _page_keys(membership=membership, filters=filters, now=now, after=None, limit=1)
    return keys[0][2] if keys else None


def inbox_new_since(*, membership: Membership, filters: InboxFilters, now: datetime, since: datetime) -> list[Handoff]:
    """Open items that arrived after `since` (for polling), newest last, at most a page of them."""
    if filters.state != "open":
        return []
    handoffs = _filtered(membership, filters, now).filter(open_q(now), created_at__gt=since)
    ids = list(handoffs.order_by("created_at", "pk").values_list("pk", flat=True)[:PAGE_SIZE])
    return _for_rows(ids)


def inbox_ids_in_filter(*, membership: Membership, filters: InboxFilters, now: datetime) -> list[int]:
    """Every open item of the filter, in urgency order, up to BULK_LIMIT (for "all in this filter")."""
    kinds = [filters.kind] if filters.kind else KINDS_BY_URGENCY
    keys = _open_keys(_filtered(membership, filters, now), kinds=kinds, now=now, after=None, limit=BULK_LIMIT)
    return [pk for _, _, pk in keys]


def inbox_counts(*, membership: Membership, filters: InboxFilters, now: datetime) -> InboxCounts:
    """Every count the inbox shows, in one aggregate query over the unresolved items the member may
    act on (written out: the ORM's version compiled slower than the query ran)."""
    handoffs = Handoff.objects.filter(workspace_id=membership.workspace_id).filter(_queue_q(membership, "all"))
    base_sql, params = _where(handoffs)
    me = membership.user_id
    is_open = "(status = 'open' OR (status = 'snoozed' AND snoozed_until <= %s))"
    in_queue = {"mine": "assignee_id = %s", "unassigned": "assignee_id IS NULL"}.get(filters.queue, "TRUE")
    queue_params = [me] if filters.queue == "mine" else []
    at_now, aged_before = _sql_datetime(now), _sql_datetime(now - AGED_AFTER)
    columns = [
        (f"{is_open} AND assignee_id = %s", [at_now, me]),
        (f"{is_open} AND assignee_id IS NULL", [at_now]),
        (is_open, [at_now]),
        (f"status = 'snoozed' AND snoozed_until > %s AND {in_queue}", [at_now, *queue_params]),
        (f"{is_open} AND {in_queue} AND created_at <= %s", [at_now, *queue_params, aged_before]),
        *[(f"{is_open} AND {in_queue} AND kind = %s", [at_now, *queue_params, kind]) for kind in KINDS_BY_URGENCY],
    ]
    select = ", ".join(f"COUNT(*) FILTER (WHERE {condition})" for condition, _ in columns)
    select_params = [param for _, column_params in columns for param in column_params]
    table = connection.ops.quote_name(Handoff._meta.db_table)
    # The member's taken-over conversations are in their "Mine" queue too: counted by a subquery.
    owned_sql, owned_params = _where(Handoff.objects.filter(_taken_over_q(membership)))
    owned = f"(SELECT COUNT(*) FROM {table} WHERE {owned_sql})"  # noqa: S608  (the compiled WHERE only)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {owned}, {select} FROM {table} WHERE ({base_sql}) AND status IN ('open', 'snoozed')",  # noqa: S608
            [*owned_params, *select_params, *params],
        )
        owned_count, mine, unassigned, everything, snoozed, aged, *by_kind = cursor.fetchone()
    mine += owned_count
    labels = dict(Handoff.Kind.choices)
    return InboxCounts(
        mine=mine,
        unassigned=unassigned,
        all=everything,
        snoozed=snoozed,
        aged=aged,
        by_kind=[(kind, labels[kind], count) for kind, count in zip(KINDS_BY_URGENCY, by_kind, strict=True)],
    )


def inbox_workload(*, membership: Membership, now: datetime) -> list[tuple[str, int]]:
    """Who is working on what: open items per assignee ("" for nobody), for managers."""
    rows = (
        Handoff.objects.filter(workspace_id=membership.workspace_id, status__in=["open", "snoozed"])
        .filter(open_q(now))
        .values(email=Coalesce("assignee__email", Value("")))
        .annotate(items=Count("pk"))
        .order_by("-items", "email")
    )
    return [(row["email"], row["items"]) for row in rows]


def campaign_choices(*, membership: Membership) -> list[tuple[int, str]]:
    return list(
        Campaign.objects.filter(workspace_id=membership.workspace_id).order_by("name").values_list("pk", "name")
    )


def workspace_members(*, membership: Membership) -> list[Membership]:
    return list(
        Membership.objects.filter(workspace_id=membership.workspace_id).select_related("user").order_by("user__email")
    )


# One item ----------------------------------------------------------------------------------------


ITEM_RELATED = ("campaign__offer", "contact__account", "contact__take_over__user", "assignee", "decided_by", "run")
# The run is read for what a person answers (the reply an answer is drafted for), not for its stages.
ITEM_RUN_DEFERRED = ("run__brief", "run__qualification", "run__draft", "run__verification", "run__decision")


def _items() -> QuerySet[Handoff]:
    return Handoff.objects.select_related(*ITEM_RELATED).defer(*ITEM_RUN_DEFERRED)


def inbox_item_get(*, membership: Membership, handoff_id: int) -> Handoff:
    """The handoff with what its page shows; Handoff.DoesNotExist outside the member's workspace."""
    return _items().get(workspace_id=membership.workspace_id, pk=handoff_id)


def inbox_items_get(*, membership: Membership, handoff_ids: list[int]) -> dict[int, Handoff]:
    """Several handoffs as `inbox_item_get` reads one, in one query (an acted-on item and the next)."""
    return {
        handoff.pk: handoff
        for handoff in _items().filter(workspace_id=membership.workspace_id, pk__in=set(handoff_ids))
    }


def _source_ids(refs, prefix: str) -> set[int]:
    ids = set()
    for ref in refs:
        if isinstance(ref, str) and ref.startswith(prefix):
            try:
                ids.add(int(ref.removeprefix(prefix)))
            except ValueError:
                continue
    return ids


def _citation(ref: str, signals: dict, proofs: dict, offer_text: str) -> Citation:
    if ref == "offer":
        return Citation(ref=ref, kind="offer", offer_text=offer_text)
    kind, _, raw_id = ref.partition(":")
    found = None
    if raw_id.isdigit():
        found = signals.get(int(raw_id)) if kind == "signal" else proofs.get(int(raw_id)) if kind == "proof" else None
    if found is None:
        return Citation(ref=ref, kind="missing")
    if kind == "signal":
        return Citation(ref=ref, kind="signal", signal=found)
    return Citation(ref=ref, kind="proof", proof=found)


# "On Tue, 3 Mar 2026 at 10:02, Sam <sam@x> wrote:", "Am … schrieb …:", "Le … a écrit :", "El … escribió:"
_QUOTE_HEADER = re.compile(r"^\s*(On\b.*\bwrote|Am\b.*\bschrieb|Le\b.*\ba écrit|El\b.*\bescribió)\s*:?\s*$", re.I)
_ORIGINAL = re.compile(r"^\s*-{2,}\s*(Original Message|Ursprüngliche Nachricht|Message d'origine)", re.I)


def split_quoted(text: str) -> tuple[str, str]:
    """A reply's own words and the quoted history below them (a "> " line, an "On … wrote:" line or an
    "Original Message" rule starts it), so the history can be folded away."""
    lines = (text or "").splitlines()
    for index, line in enumerate(lines):
        if line.lstrip().startswith(">") or _QUOTE_HEADER.match(line) or _ORIGINAL.match(line):
            return "\n".join(lines[:index]).strip(), "\n".join(lines[index:]).strip()
    return (text or "").strip(), ""


def _reply_of(handoff: Handoff, proposal: dict) -> dict:
    """The prospect's email an item is about: in the proposal of a reply or negotiation item, or in the
    run of an answer the agents drafted to a reply (its words, split from the quoted history)."""
    if proposal.get("inbound"):
        classification = proposal.get("classification") or {}
        subject, text = str(proposal.get("subject") or ""), str(proposal.get("text") or "")
        category, confidence = classification.get("category"), classification.get("confidence")
        spans = [str(classification.get(key) or "") for key in ("span", "injection_span")]
    elif handoff.run_id and handoff.run.inbound_message_id and handoff.run.reply_context:
        context = handoff.run.reply_context
        subject, text, category = "", str(context.get("text") or ""), context.get("category")
        confidence, spans = None, []
    else:
        return {}
    own, quoted = split_quoted(text)
    return {
        "subject": subject,
        "text": own,
        "quoted": quoted,
        "category": str(category or ""),
        "confidence": confidence,
        "spans": spans,
    }


def _blocked_edit_of(proposal: dict) -> BlockedEdit | None:
    """The kept blocked edit, read defensively (it is JSON: a field may be missing or of another type)."""
    kept = proposal.get(Handoff.BLOCKED_EDIT)
    if not isinstance(kept, dict):
        return None
    try:
        at = parse_datetime(str(kept.get("at") or ""))
    except ValueError:  # well formed but no real time ("2026-02-30T…")
        at = None
    overrides = kept.get("overrides") if isinstance(kept.get("overrides"), dict) else {}
    return BlockedEdit(
        subject=str(kept.get("subject") or ""),
        body=str(kept.get("body") or ""),
        findings=[finding for finding in kept.get("findings") or [] if isinstance(finding, dict)],
        overrides={str(kind): str(note) for kind, note in overrides.items()},
        by=str(kept.get("by") or ""),
        by_name=str(kept.get("by_name") or ""),
        by_id=kept.get("by_id") if isinstance(kept.get("by_id"), int) else None,
        at=at,
    )


def inbox_item_detail(*, handoff: Handoff) -> ItemDetail:
    """Everything behind one item: at most five queries (signals, proof points, steps, thread, none
    of them repeated per claim)."""
    proposal = handoff.proposal or {}
    draft = proposal.get("draft") or {}
    verification = proposal.get("verification") or {}
    findings = [finding for finding in verification.get("findings") or [] if isinstance(finding, dict)]
    claims = [claim for claim in draft.get("claims") or [] if isinstance(claim, dict)]
    refs = [ref for claim in claims for ref in claim.get("sources") or []]
    refs += [finding.get("source") for finding in findings if finding.get("source")]
    signal_ids, proof_ids = _source_ids(refs, "signal:"), _source_ids(refs, "proof:")
    workspace_id = handoff.workspace_id
    signals = (
        {s.pk: s for s in Signal.objects.filter(workspace_id=workspace_id, pk__in=signal_ids)} if signal_ids else {}
    )
    proofs = (
        {p.pk: p for p in ProofPoint.objects.filter(workspace_id=workspace_id, pk__in=proof_ids)} if proof_ids else {}
    )
    offer = handoff.campaign.offer if handoff.campaign and handoff.campaign.offer_id else None
    offer_text = offer.value_proposition if offer else ""
    claim_views = [
        ClaimView(
            text=str(claim.get("text", "")),
            citations=[_citation(str(ref), signals, proofs, offer_text) for ref in claim.get("sources") or []],
        )
        for claim in claims
    ]
    finding_citations = {
        finding["source"]: _citation(str(finding["source"]), signals, proofs, offer_text)
        for finding in findings
        if finding.get("source")
    }
    steps = []
    if handoff.run_id:
        steps = list(
            AgentStep.objects.filter(workspace_id=workspace_id, run_id=handoff.run_id)
            .defer("input", "output")
            .order_by("created_at", "pk")[:100]
        )
    thread = []
    take_over = None
    if handoff.contact_id:
        thread = list(
            OutboundMessage.objects.filter(workspace_id=workspace_id, contact_id=handoff.contact_id)
            .select_related("approved_by")
            .order_by("created_at", "pk")[:50]
        )
        try:
            take_over = handoff.contact.take_over
        except TakeOver.DoesNotExist:
            take_over = None
    reply = _reply_of(handoff, proposal)
    email = {}
    if proposal.get("message") and "body" in proposal:
        email = {"subject": str(proposal.get("subject") or ""), "body": str(proposal.get("body") or "")}
    return ItemDetail(
        reply=reply,
        email=email,
        handoff=handoff,
        draft=draft,
        verification=verification,
        findings=findings,
        claims=claim_views,
        finding_citations=finding_citations,
        brief=proposal.get("brief") or {},
        qualification=proposal.get("qualification") or {},
        steps=steps,
        thread=thread,
        take_over=take_over,
        error=str(proposal.get("error") or ""),
        blocked_edit=_blocked_edit_of(proposal),
    )
