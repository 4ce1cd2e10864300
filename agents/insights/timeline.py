"""The admins' audit timeline: agent steps and recorded actions (AuditEvents) merged newest first, with
filters, keyset pagination and exports.

Both sources are read newest first, each with the same cursor, one bounded query each; the pages are
merged in Python. The order is (time, source, id) descending, so the cursor is exact across sources."""

import base64
import csv
import difflib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import CharField, Q, QuerySet
from django.db.models.functions import Cast
from django.utils.dateparse import parse_datetime

from agents.conversations.models import InboundMessage
from agents.delivery.models import OutboundMessage
from agents.meetings.models import Meeting
from agents.models import AgentRun, AgentStep, Handoff
from campaigns.models import Contact
from salesops.models import AuditEvent, Workspace

PAGE_SIZE = 50
EXPORT_CHUNK = 1000
# Ties at the same instant: recorded actions come before agent steps (order: time, source, id descending).
STEP, EVENT = 0, 1


@dataclass(frozen=True)
class Filters:
    actor: str = ""
    agent: str = ""
    verb: str = ""
    campaign_id: int | None = None
    contact_id: int | None = None
    since: datetime | None = None
    until: datetime | None = None

    def wants_steps(self) -> bool:
        if self.verb:
            return False  # verbs belong to recorded actions
        actor = self.actor.lower()
        return not actor or actor.startswith("agent") or "agent:".startswith(actor)

    def step_agent_from_actor(self) -> str:
        actor = self.actor.lower()
        return actor.split(":", 1)[1] if actor.startswith("agent:") else ""


@dataclass(frozen=True)
class Cursor:
    at: datetime
    source: int
    pk: int

    def encode(self) -> str:
        raw = f"{self.at.isoformat()}|{self.source}|{self.pk}"
        return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")

    @classmethod
    def decode(cls, value: str) -> "Cursor | None":
        try:
            raw = base64.urlsafe_b64decode(value + "=" * (-len(value) % 4)).decode()
            at, source, pk = raw.split("|")
            parsed = parse_datetime(at)
            if parsed is None or source not in ("0", "1"):
                return None
            return cls(parsed, int(source), int(pk))
        except (ValueError, UnicodeDecodeError):
            return None


@dataclass
class Entry:
    source: int
    at: datetime
    pk: int
    step: AgentStep | None = None
    event: AuditEvent | None = None

    @property
    def is_step(self) -> bool:
        return self.source == STEP

    @property
    def actor(self) -> str:
        return f"agent:{self.step.agent}" if self.step else self.event.actor

    @property
    def verb(self) -> str:
        if self.step:
            return f"step.{self.step.agent}" + (f" → {self.step.decision}" if self.step.decision else "")
        return self.event.verb

    @property
    def cursor(self) -> Cursor:
        return Cursor(self.at, self.source, self.pk)


def _as_text_ids(queryset: QuerySet) -> QuerySet:
    return queryset.annotate(text_id=Cast("pk", CharField())).values("text_id")


def _event_subjects(workspace: Workspace, *, campaign_id: int | None, contact_id: int | None) -> Q:
    """Recorded actions about a campaign or a contact: the row itself, or its handoffs, messages,
    meetings and replies."""
    scope = Q(workspace=workspace)
    if campaign_id:
        scope &= Q(campaign_id=campaign_id)
    if contact_id:
        scope &= Q(contact_id=contact_id)
    condition = Q(target_type="agents.handoff", target_id__in=_as_text_ids(Handoff.objects.filter(scope)))
    condition |= Q(
        target_type="agents.outboundmessage", target_id__in=_as_text_ids(OutboundMessage.objects.filter(scope))
    )
    meetings = Meeting.objects.filter(scope)
    condition |= Q(target_type="meetings.meeting", target_id__in=_as_text_ids(meetings))
    replies = InboundMessage.objects.filter(workspace=workspace)
    if campaign_id:
        replies = replies.filter(thread__campaign_id=campaign_id)
    if contact_id:
        replies = replies.filter(contact_id=contact_id)
    condition |= Q(target_type="conversations.inboundmessage", target_id__in=_as_text_ids(replies))
    if contact_id:
        condition |= Q(target_type="campaigns.contact", target_id=str(contact_id))
    elif campaign_id:
        condition |= Q(target_type="campaigns.campaign", target_id=str(campaign_id))
    return condition


def steps_queryset(*, workspace: Workspace, filters: Filters) -> QuerySet[AgentStep] | None:
    if not filters.wants_steps():
        return None
    steps = AgentStep.objects.filter(workspace=workspace)
    agent = filters.agent or filters.step_agent_from_actor()
    if agent:
        steps = steps.filter(agent=agent)
    if filters.campaign_id:
        steps = steps.filter(run__campaign_id=filters.campaign_id)
    if filters.contact_id:
        steps = steps.filter(
            run_id__in=AgentRun.objects.filter(workspace=workspace, contact_id=filters.contact_id).values("pk")
        )
    if filters.since:
        steps = steps.filter(created_at__gte=filters.since)
    if filters.until:
        steps = steps.filter(created_at__lt=filters.until)
    return steps


def events_queryset(*, workspace: Workspace, filters: Filters) -> QuerySet[AuditEvent]:
    events = AuditEvent.objects.filter(workspace=workspace)
    if filters.actor:
        events = events.filter(actor__icontains=filters.actor)
    if filters.agent:
        events = events.filter(actor=f"agent:{filters.agent}")
    if filters.verb:
        events = events.filter(verb__startswith=filters.verb)
    if filters.campaign_id or filters.contact_id:
        events = events.filter(
            _event_subjects(workspace, campaign_id=filters.campaign_id, contact_id=filters.contact_id)
        )
    if filters.since:
        events = events.filter(created_at__gte=filters.since)
    if filters.until:
        events = events.filter(created_at__lt=filters.until)
    return events


def timeline_page(
    *, workspace: Workspace, filters: Filters, cursor: Cursor | None = None, limit: int = PAGE_SIZE, full: bool = False
) -> tuple[list[Entry], Cursor | None]:
    """One page, newest first, and the cursor of the next page (None on the last). Two queries (one
    when the filters exclude agent steps). `full` loads steps' inputs and outputs (exports)."""
    entries: list[Entry] = []
    steps = steps_queryset(workspace=workspace, filters=filters)
    if steps is not None:
        steps = steps.filter(_after_step(cursor)).select_related("run__contact", "run__campaign")
        if not full:
            steps = steps.defer("input", "output", "run__brief", "run__qualification", "run__draft",
                                "run__verification", "run__decision", "run__reply_context")  # fmt: skip
        else:
            steps = steps.defer("run__brief", "run__qualification", "run__draft", "run__verification",
                                "run__decision", "run__reply_context")  # fmt: skip
        for step in steps.order_by("-created_at", "-pk")[: limit + 1]:
            entries.append(Entry(STEP, step.created_at, step.pk, step=step))
    events = events_queryset(workspace=workspace, filters=filters).filter(_after_event(cursor))
    if not full:
        events = events.defer("before", "after")
    for event in events.order_by("-created_at", "-pk")[: limit + 1]:
        entries.append(Entry(EVENT, event.created_at, event.pk, event=event))
    entries.sort(key=lambda entry: (entry.at, entry.source, entry.pk), reverse=True)
    page = entries[:limit]
    next_cursor = page[-1].cursor if len(entries) > limit else None
    return page, next_cursor


def _after_step(cursor: Cursor | None) -> Q:
    if cursor is None:
        return Q()
    if cursor.source == STEP:
        return Q(created_at__lt=cursor.at) | Q(created_at=cursor.at, pk__lt=cursor.pk)
    # The cursor is an event; steps at the same instant sort after every event.
    return Q(created_at__lte=cursor.at)


def _after_event(cursor: Cursor | None) -> Q:
    if cursor is None:
        return Q()
    if cursor.source == EVENT:
        return Q(created_at__lt=cursor.at) | Q(created_at=cursor.at, pk__lt=cursor.pk)
    return Q(created_at__lt=cursor.at)


def timeline_iter(*, workspace: Workspace, filters: Filters) -> Iterator[Entry]:
    """Every entry matching the filters, newest first, read in keyset chunks (for exports)."""
    cursor = None
    while True:
        page, cursor = timeline_page(workspace=workspace, filters=filters, cursor=cursor, limit=EXPORT_CHUNK, full=True)
        yield from page
        if cursor is None:
            return


# Details ----------------------------------------------------------------------------------------------


def step_get(*, workspace: Workspace, step_id: int) -> AgentStep:
    return AgentStep.objects.select_related("run__contact", "run__campaign").get(workspace=workspace, pk=step_id)


def event_get(*, workspace: Workspace, event_id: int) -> AuditEvent:
    return AuditEvent.objects.get(workspace=workspace, pk=event_id)


def event_diff(event: AuditEvent) -> list[tuple[str, str]]:
    """A line diff of before and after (("+"/"-"/" ", line) pairs), for edited drafts mostly: when the
    event targets a handoff with a draft and a final body, the draft is compared with what was sent."""
    before, after = event.before, event.after
    if event.target_type == "agents.handoff" and event.target_id.isdigit():
        handoff = Handoff.objects.filter(workspace_id=event.workspace_id, pk=int(event.target_id)).first()
        if handoff and handoff.final_body:
            draft = (handoff.proposal or {}).get("draft") or {}
            before = f"{draft.get('subject', '')}\n\n{draft.get('body', '')}"
            after = f"{handoff.final_subject}\n\n{handoff.final_body}"
    if before is None and after is None:
        return []
    old = _as_lines(before)
    new = _as_lines(after)
    lines = []
    for line in difflib.ndiff(old, new):
        if line.startswith("? "):
            continue
        lines.append((line[:1], line[2:]))
    return lines


def _as_lines(value) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return value.splitlines()
    return json.dumps(value, indent=2, sort_keys=True, cls=DjangoJSONEncoder).splitlines()


def contact_get(*, workspace: Workspace, contact_id: int) -> Contact:
    return Contact.objects.select_related("account").get(workspace=workspace, pk=contact_id)


# Exports ------------------------------------------------------------------------------------------------

CSV_COLUMNS = ["time", "source", "id", "actor", "verb", "campaign", "contact", "model", "prompt_version",
               "input_tokens", "output_tokens", "cost_usd", "decision", "confidence", "target", "detail"]  # fmt: skip
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n")


def csv_safe(value) -> str:
    """A cell a spreadsheet will not run as a formula (OWASP: prefix a quote to =, +, -, @, tab, CR)."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def _entry_record(entry: Entry) -> dict:
    if entry.step:
        step = entry.step
        run = step.run
        return {
            "time": step.created_at.isoformat(),
            "source": "agent_step",
            "id": step.pk,
            "actor": f"agent:{step.agent}",
            "verb": f"step.{step.agent}",
            "campaign": run.campaign.name if run else "",
            "contact": run.contact.email if run else "",
            "model": step.model,
            "prompt_version": step.prompt_version,
            "input_tokens": step.input_tokens,
            "output_tokens": step.output_tokens,
            "cost_usd": str(step.cost_usd),
            "decision": step.decision,
            "confidence": None if step.confidence is None else str(step.confidence),
            "target": f"agents.agentrun:{step.run_id}" if step.run_id else "",
            "detail": {"input": step.input, "output": step.output, "error": step.error},
        }
    event = entry.event
    return {
        "time": event.created_at.isoformat(),
        "source": "audit_event",
        "id": event.pk,
        "actor": event.actor,
        "verb": event.verb,
        "campaign": "",
        "contact": "",
        "model": "",
        "prompt_version": "",
        "input_tokens": None,
        "output_tokens": None,
        "cost_usd": None,
        "decision": "",
        "confidence": None,
        "target": f"{event.target_type}:{event.target_id}" if event.target_type else "",
        "detail": {"sequence": event.sequence, "before": event.before, "after": event.after, "hash": event.hash},
    }


class _Echo:
    def write(self, value):
        return value


def csv_lines(entries: Iterator[Entry]) -> Iterator[str]:
    writer = csv.writer(_Echo())
    yield writer.writerow(CSV_COLUMNS)
    for entry in entries:
        record = _entry_record(entry)
        record["detail"] = json.dumps(record["detail"], cls=DjangoJSONEncoder, sort_keys=True)
        yield writer.writerow([csv_safe(record[column]) for column in CSV_COLUMNS])


def jsonl_lines(entries: Iterator[Entry]) -> Iterator[str]:
    for entry in entries:
        yield json.dumps(_entry_record(entry), cls=DjangoJSONEncoder, sort_keys=True) + "\n"
