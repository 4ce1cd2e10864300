"""The deliverability agent: when, and from which mailbox, each queued email leaves.

Rules, all enforced here and again at send time:
- inside the campaign's send window, on its send days, in the recipient's time zone (contact's, else the
  account country's, else the workspace default);
- one mailbox never sends more than its allowance for the day (cap, warm-up ramp, hard maximum of 50);
- one mailbox's emails are at least SALESOPS_DELIVERY_MIN_SPACING_SECONDS apart, with jitter;
- one recipient domain gets at most SALESOPS_DELIVERY_DOMAIN_DAILY_LIMIT emails a day from the workspace;
- an answer in a live conversation (step 0: the agents' answer to a reply, or a person's own email) takes
  the first moment of the window instead, exempt from spacing and the domain limit but not from the cap:
  a prospect who wrote at 10:00 is not answered at 14:00 behind cold mail;
- load is spread over the campaign's mailboxes (the least used that day first); a thread keeps its mailbox.

How spacing is kept cheaply: time is cut into ticks of twice the minimum spacing. A mailbox uses a tick
at most once and sends at a random moment in the tick's first half, so two of its emails are always at
least one spacing apart. The ticks a mailbox holds each day, and the counts, live in `MailboxDay` rows.

Several schedulers can run at once: each locks its workspace's mailbox rows (so one workspace is
scheduled by one scheduler at a time) and claims queued messages with SKIP LOCKED.
"""

import math
import random
import secrets
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Count, F, Q
from django.utils import timezone

from agents.delivery.models import EmailThread, Mailbox, MailboxDay, OutboundMessage
from agents.delivery.suppression import SuppressedAddresses, suppressed_addresses
from agents.handoffs import handoff_open
from agents.models import Handoff, TakeOver
from campaigns.models import Campaign, Contact
from salesops.models import Membership, Workspace
from salesops.time_zones import RECIPIENT_ZONE_SOURCES, recipient_zone, zone_or_utc

DEFAULT_SEND_DAYS = (0, 1, 2, 3, 4)
WEEKDAY_NAMES = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
LEAD_SECONDS = 60  # the earliest slot is a minute from now: time to claim it
STOP_STATUSES = {
    Contact.Status.REPLIED: "replied",
    Contact.Status.MEETING_BOOKED: "meeting_booked",
    Contact.Status.UNSUBSCRIBED: "unsubscribed",
    Contact.Status.BOUNCED: "bounced",
    Contact.Status.DO_NOT_CONTACT: "do_not_contact",
}
# A reply stops the *sequence*; the conversation it starts goes on: answers to the reply (step 0) and
# what a person writes themselves still leave.
SEQUENCE_ONLY_STOPS = {Contact.Status.REPLIED, Contact.Status.MEETING_BOOKED}


def conversation_stop_reason(
    *,
    contact_status,
    take_over: TakeOver | None,
    writer: Membership | None,
    thread_replied: bool,
    step_position: int,
    run_id,
    approved_by_id,
) -> str:
    """Why an email must not leave now ("" when it may). Shared by the scheduler and the sender.
    `writer` is the membership of the person who wrote it (see `take_overs_and_writers`): in a
    taken-over conversation only the emails of someone who may write there leave."""
    written_by_person = run_id is None and approved_by_id is not None
    in_conversation = step_position == 0 or written_by_person
    if contact_status in STOP_STATUSES and not (in_conversation and contact_status in SEQUENCE_ONLY_STOPS):
        return STOP_STATUSES[contact_status]
    if take_over is not None and not (written_by_person and take_over.writable_by(writer)):
        return "taken_over"
    if thread_replied and not in_conversation:
        return "thread_replied"
    return ""


def take_overs_and_writers(
    emails: list[tuple[int, int | None]],
) -> tuple[dict[int, TakeOver], dict[tuple[int, int], Membership]]:
    """For `emails` as (contact id, approved-by user id) pairs: the take-overs of their contacts by contact
    id, and the memberships of the people who wrote emails to a taken-over contact by (workspace id, user
    id). One query, and a second only when a person wrote to a taken-over contact."""
    take_overs = {
        take_over.contact_id: take_over
        for take_over in TakeOver.objects.filter(contact_id__in={contact_id for contact_id, _ in emails})
    }
    wanted = {
        (take_overs[contact_id].workspace_id, user_id)
        for contact_id, user_id in emails
        if user_id is not None and contact_id in take_overs
    }
    if not wanted:
        return take_overs, {}
    memberships = Membership.objects.filter(
        workspace_id__in={workspace_id for workspace_id, _ in wanted}, user_id__in={user_id for _, user_id in wanted}
    )
    return take_overs, {(member.workspace_id, member.user_id): member for member in memberships}


CANCEL_TEXT = {
    "suppressed": "Cancelled: the address or its domain is on the suppression list.",
    "replied": "Cancelled: the contact replied.",
    "meeting_booked": "Cancelled: a meeting is booked.",
    "unsubscribed": "Cancelled: the contact unsubscribed.",
    "bounced": "Cancelled: the address bounced.",
    "do_not_contact": "Cancelled: the contact is marked do-not-contact.",
    "taken_over": "Cancelled: a person took over this conversation.",
    "thread_replied": "Cancelled: the contact replied in this thread.",
}


@dataclass
class ScheduleReport:
    scheduled: int = 0
    waiting: int = 0
    cancelled: int = 0
    examined: int = 0
    chunks: int = 0


def tick_seconds() -> int:
    return 2 * settings.SALESOPS_DELIVERY_MIN_SPACING_SECONDS


def recipient_domain(email: str) -> str:
    return email.rpartition("@")[2].strip().lower()


@dataclass
class _MailboxState:
    mailbox: Mailbox
    position: int  # 1-based among the campaign's mailboxes (for the decision record)
    ticks: set[int] = field(default_factory=set)
    counts: dict[date, int] = field(default_factory=dict)
    allowed: dict[date, int] = field(default_factory=dict)
    changed_days: set[date] = field(default_factory=set)
    ticks_by_day: dict[date, list[int]] = field(default_factory=lambda: defaultdict(list))

    def allowance(self, day: date) -> int:
        if day not in self.allowed:
            self.allowed[day] = self.mailbox.allowed_on(day)
        return self.allowed[day]

    def load(self, day: date) -> float:
        return self.counts.get(day, 0) / max(1, self.allowance(day))


class _Scheduler:
    """One pass over one chunk of one workspace's queue, inside the transaction holding the locks."""

    def __init__(self, *, workspace: Workspace, now: datetime, horizon_days: int, rng: random.Random):
        self.workspace = workspace
        self.now = now
        self.now_epoch = now.timestamp()
        self.horizon_days = horizon_days
        self.rng = rng
        self.tick = tick_seconds()
        self.spacing = settings.SALESOPS_DELIVERY_MIN_SPACING_SECONDS
        self.domain_limit = settings.SALESOPS_DELIVERY_DOMAIN_DAILY_LIMIT
        self.workspace_zone = zone_or_utc(workspace.default_time_zone)
        self._day_cache: dict[int, date] = {}
        self._window_cache: dict[tuple, list[tuple[date, int, int]]] = {}
        self._full_windows: dict[tuple, int] = {}
        self._generations: dict[int, int] | None = None
        self.states: dict[int, _MailboxState] = {}
        self.domain_counts: dict[tuple[str, date], int] = {}
        self.domains_loaded: set[str] = set()

    # State -------------------------------------------------------------------------------------

    def load_mailboxes(self) -> None:
        """Lock the workspace's mailboxes (one scheduler per workspace at a time) and bring the counters
        up to date: kept from the previous chunk when nobody else scheduled since, else read again."""
        mailboxes = list(Mailbox.objects.select_for_update().filter(workspace=self.workspace).order_by("pk"))
        self.mailboxes = {mailbox.pk: mailbox for mailbox in mailboxes}
        links = Mailbox.campaigns.through.objects.filter(mailbox__workspace=self.workspace).values_list(
            "campaign_id", "mailbox_id"
        )
        self.campaign_mailboxes: dict[int, list[int]] = defaultdict(list)
        for campaign_id, mailbox_id in sorted(links, key=lambda pair: pair[1]):
            self.campaign_mailboxes[campaign_id].append(mailbox_id)
        generations = {mailbox.pk: mailbox.schedule_generation for mailbox in mailboxes}
        if self._generations == generations:
            for pk, mailbox in self.mailboxes.items():  # settings may have changed: caps, status
                self.states[pk].mailbox, self.states[pk].allowed = mailbox, {}
            return
        self.states = {pk: _MailboxState(mailbox=mailbox, position=0) for pk, mailbox in self.mailboxes.items()}
        self.domain_counts, self.domains_loaded = {}, set()
        self._full_windows.clear()
        first_day = self.now.astimezone(self.workspace_zone).date() - timedelta(days=1)
        last_day = first_day + timedelta(days=self.horizon_days + 3)
        for row in MailboxDay.objects.filter(mailbox_id__in=self.states, day__range=(first_day, last_day)):
            state = self.states[row.mailbox_id]
            state.counts[row.day] = row.scheduled
            state.ticks.update(row.ticks)
            state.ticks_by_day[row.day] = list(row.ticks)

    def load_domain_counts(self, domains: set[str]) -> dict:
        """Emails per (recipient domain, day) already holding a slot, for the domains not known yet."""
        missing = domains - self.domains_loaded
        if missing:
            first_day = self.now.date() - timedelta(days=1)
            for item in (
                OutboundMessage.objects.filter(
                    workspace=self.workspace,
                    recipient_domain__in=missing,
                    send_day__range=(first_day, first_day + timedelta(days=self.horizon_days + 3)),
                    status__in=OutboundMessage.LIVE_STATUSES,
                )
                .values("recipient_domain", "send_day")
                .annotate(n=Count("id"))
            ):
                self.domain_counts[(item["recipient_domain"], item["send_day"])] = item["n"]
            self.domains_loaded |= missing
        return self.domain_counts

    def finish_chunk(self) -> None:
        """Write the day counters and mark the workspace's mailboxes as scheduled by this pass."""
        self.save_days()
        Mailbox.objects.filter(pk__in=self.mailboxes).update(schedule_generation=F("schedule_generation") + 1)
        self._generations = {pk: mailbox.schedule_generation + 1 for pk, mailbox in self.mailboxes.items()}

    def day_of_tick(self, tick: int) -> date:
        day = self._day_cache.get(tick)
        if day is None:
            day = datetime.fromtimestamp(tick * self.tick, self.workspace_zone).date()
            self._day_cache[tick] = day
        return day

    def windows(self, campaign: Campaign, recipient: ZoneInfo, earliest_epoch: float) -> list[tuple[date, int, int]]:
        """The recipient's send windows in the horizon as (local date, first tick, last tick), in order."""
        key = (campaign.pk, recipient.key, int(earliest_epoch) // self.tick)
        cached = self._window_cache.get(key)
        if cached is not None:
            return cached
        send_days = set(campaign.send_days or DEFAULT_SEND_DAYS)
        local_today = self.now.astimezone(recipient).date()
        found = []
        for offset in range(self.horizon_days + 1):
            day = local_today + timedelta(days=offset)
            if day.weekday() not in send_days:
                continue
            start = datetime.combine(day, campaign.send_start, tzinfo=recipient).timestamp()
            end = datetime.combine(day, campaign.send_end, tzinfo=recipient).timestamp()
            first = math.ceil(max(start, earliest_epoch) / self.tick)
            last = math.floor(end / self.tick) - 1  # the whole tick lies inside the window
            if first <= last:
                found.append((day, first, last))
        self._window_cache[key] = found
        return found

    # One message -----------------------------------------------------------------------------------

    def place(self, *, domain: str, candidates: list[int], windows, domain_counts) -> tuple | None:
        """The first window with a free tick in one of the candidate mailboxes; (state, tick, day) or None.

        Capacity is never freed during a pass, so a window found full for a set of mailboxes (for a
        reason other than the recipient's domain) is skipped by every later message of that pass."""
        skip_key = (tuple(candidates), id(windows))
        start = self._full_windows.get(skip_key, 0)
        self.last_obstacle = "cap" if start else "window"
        for index in range(start, len(windows)):
            _local_day, first, last = windows[index]
            probe_day = self.day_of_tick(first)
            ordered = sorted(
                (self.states[pk] for pk in candidates), key=lambda state: (state.load(probe_day), state.mailbox.pk)
            )
            domain_blocked = False
            for state in ordered:
                tick, blocked = self._free_tick(state, first, last, domain, domain_counts)
                if tick is not None:
                    return state, tick, self.day_of_tick(tick)
                domain_blocked = domain_blocked or blocked
            if not domain_blocked and self._full_windows.get(skip_key, 0) == index:
                self._full_windows[skip_key] = index + 1
        return None

    def _free_tick(self, state: _MailboxState, first: int, last: int, domain: str, domain_counts):
        """A free tick of the mailbox inside [first, last], and whether the recipient's domain limit
        (rather than the mailbox) stood in the way."""
        first_day, last_day = self.day_of_tick(first), self.day_of_tick(last)
        if all(state.counts.get(day, 0) >= state.allowance(day) for day in {first_day, last_day}):
            self.last_obstacle = "cap"
            return None, False
        days = {first_day, last_day}
        blocked_days = {day for day in days if domain_counts.get((domain, day), 0) >= self.domain_limit}
        if len(blocked_days) == len(days):
            self.last_obstacle = "domain"
            return None, True
        span = last - first + 1
        for _ in range(6):  # random tries first: the jitter that spreads emails over the window
            tick = first + self.rng.randrange(span)
            if self._usable(state, tick, domain, domain_counts):
                return tick, False
        start = self.rng.randrange(span)
        for offset in range(span):
            tick = first + (start + offset) % span
            if self._usable(state, tick, domain, domain_counts):
                return tick, False
        return None, bool(blocked_days)

    def _usable(self, state: _MailboxState, tick: int, domain: str, domain_counts) -> bool:
        if tick in state.ticks:
            return False
        day = self.day_of_tick(tick)
        if state.counts.get(day, 0) >= state.allowance(day):
            self.last_obstacle = "cap"
            return False
        if domain_counts.get((domain, day), 0) >= self.domain_limit:
            self.last_obstacle = "domain"
            return False
        return True

    def place_at_once(self, *, candidates: list[int], windows) -> tuple | None:
        """An answer in a live conversation: the first moment of the first window (within minutes when the
        recipient's business hours are on), in the least loaded candidate mailbox still under its daily cap.
        Cold-email spacing and the jitter do not apply: it is not queued behind cold mail. (state, tick,
        day) or None when every candidate's cap is reached that day."""
        if not windows:
            return None
        _local_day, first, _last = windows[0]
        day = self.day_of_tick(first)
        ordered = sorted((self.states[pk] for pk in candidates), key=lambda state: (state.load(day), state.mailbox.pk))
        for state in ordered:
            if state.counts.get(day, 0) < state.allowance(day):
                return state, first, day
        self.last_obstacle = "cap"
        return None

    def take_at_once(self, state: _MailboxState, tick: int, day: date, domain: str, domain_counts) -> datetime:
        """Count an answer placed by place_at_once against the day's cap and domain, at the tick's start.
        Its tick is marked used, so cold mail scheduled later keeps its spacing from it."""
        if tick not in state.ticks:
            state.ticks.add(tick)
            state.ticks_by_day[day].append(tick)
        state.counts[day] = state.counts.get(day, 0) + 1
        state.changed_days.add(day)
        domain_counts[(domain, day)] = domain_counts.get((domain, day), 0) + 1
        return datetime.fromtimestamp(tick * self.tick, UTC)

    def take(self, state: _MailboxState, tick: int, day: date, domain: str, domain_counts) -> datetime:
        state.ticks.add(tick)
        state.ticks_by_day[day].append(tick)
        state.counts[day] = state.counts.get(day, 0) + 1
        state.changed_days.add(day)
        domain_counts[(domain, day)] = domain_counts.get((domain, day), 0) + 1
        # A random moment in the first half of the tick: the second half keeps the next email away.
        offset = self.rng.uniform(0, self.tick - self.spacing)
        return datetime.fromtimestamp(tick * self.tick + offset, UTC)

    def save_days(self) -> None:
        rows = [
            MailboxDay(mailbox_id=pk, day=day, scheduled=state.counts[day], ticks=sorted(state.ticks_by_day[day]))
            for pk, state in self.states.items()
            for day in state.changed_days
        ]
        if rows:
            MailboxDay.objects.bulk_create(
                rows, update_conflicts=True, unique_fields=["mailbox", "day"], update_fields=["scheduled", "ticks"]
            )
        for state in self.states.values():
            state.changed_days.clear()


def _decision(*, slot: datetime, recipient: ZoneInfo, source: str, state: _MailboxState, total: int, day) -> str:
    local = slot.astimezone(recipient)
    used, allowed = state.counts[day], state.allowance(day)
    return (
        f"{WEEKDAY_NAMES[local.weekday()]} {local:%d %b %H:%M} {recipient.key} ({RECIPIENT_ZONE_SOURCES[source]}), "
        f"mailbox {state.position} of {total} ({state.mailbox.from_address}), {used} of {allowed} used that day"
    )[:300]


WAIT_TEXT = {
    "window": "no send window left in the next {days} days",
    "cap": "its mailboxes are full for the next {days} days",
    "domain": "the recipient's domain reached its daily limit for the next {days} days",
}


def _update_queued(messages: list[OutboundMessage], field_names: list[str]) -> None:
    """Write the chosen fields of many still-queued rows in one round of statements.

    One parametrised UPDATE per row, sent with executemany (pipelined by psycopg): `bulk_update` builds a
    CASE expression per field that costs more than the whole scheduling pass at 100,000 rows."""
    if not messages:
        return
    meta = OutboundMessage._meta
    quote = connection.ops.quote_name
    fields = [meta.get_field(name.removesuffix("_id") if name.endswith("_id") else name) for name in field_names]
    assignments = ", ".join(f"{quote(field.column)} = %s" for field in fields)
    table, key, status = quote(meta.db_table), quote(meta.pk.column), quote("status")
    # Identifiers come from the model; every value is a parameter.
    sql = f"UPDATE {table} SET {assignments} WHERE {key} = %s AND {status} = %s"  # noqa: S608
    params = [
        [field.get_db_prep_save(getattr(message, field.attname), connection) for field in fields]
        + [message.pk, OutboundMessage.Status.QUEUED]
        for message in messages
    ]
    with connection.cursor() as cursor:
        cursor.executemany(sql, params)


def _chunk(workspace: Workspace, *, after_pk: int, size: int, now: datetime):
    return list(
        OutboundMessage.objects.select_for_update(skip_locked=True, of=("self",))
        .filter(workspace=workspace, status=OutboundMessage.Status.QUEUED, pk__gt=after_pk)
        .filter(Q(not_before__isnull=True) | Q(not_before__lte=now))
        .order_by("pk")
        .values(
            "pk",
            "campaign_id",
            "contact_id",
            "step_position",
            "run_id",
            "approved_by_id",
            "not_before",
            "recipient_domain",
            "contact__email",
            "contact__time_zone",
            "contact__status",
            "contact__account__country",
        )[:size]
    )


@dataclass
class _Chunk:
    """One chunk of the queue: what deciding its messages reads (loaded up front, a fixed number of
    queries whatever its size) and what they become (written together at the end)."""

    campaigns: dict[int, Campaign]
    threads: dict[tuple[int, int], EmailThread]
    suppressed: SuppressedAddresses
    take_overs: dict[int, TakeOver]  # by contact id
    writers: dict[tuple[int, int], Membership]  # (workspace id, user id) -> who wrote to a taken-over contact
    earlier_pending: set[tuple[int, int, int]]  # (campaign, contact, step) of emails not sent yet
    domain_counts: dict[tuple[str, date], int]
    new_threads: dict[tuple[int, int], EmailThread] = field(default_factory=dict)
    assigned: list[OutboundMessage] = field(default_factory=list)
    waiting: list[OutboundMessage] = field(default_factory=list)
    cancelled: list[OutboundMessage] = field(default_factory=list)

    def thread(self, pair: tuple[int, int]) -> EmailThread | None:
        return self.threads.get(pair) or self.new_threads.get(pair)

    def cancel(self, row: dict, reason: str) -> None:
        status, text = OutboundMessage.Status.CANCELLED, CANCEL_TEXT[reason]
        self.cancelled.append(OutboundMessage(pk=row["pk"], status=status, cancel_reason=reason, decision=text))

    def wait(self, row: dict, text: str) -> None:
        self.waiting.append(OutboundMessage(pk=row["pk"], decision=text[:300], recipient_domain=row["domain"]))


def _load_chunk(workspace: Workspace, rows: list[dict], scheduler: _Scheduler) -> _Chunk:
    """Read what the chunk's decisions need; each row gets its recipient's domain."""
    campaign_ids = {row["campaign_id"] for row in rows}
    contact_ids = {row["contact_id"] for row in rows}
    campaigns = {campaign.pk: campaign for campaign in Campaign.objects.filter(pk__in=campaign_ids)}
    threads = {
        (thread.campaign_id, thread.contact_id): thread
        for thread in EmailThread.objects.filter(campaign_id__in=campaign_ids, contact_id__in=contact_ids)
    }
    for row in rows:
        row["domain"] = row["recipient_domain"] or recipient_domain(row["contact__email"])
    domains = {row["domain"] for row in rows}
    suppressed = suppressed_addresses(
        workspace_ids=[workspace.pk], emails=[row["contact__email"] for row in rows], domains=domains
    )
    take_overs, writers = take_overs_and_writers([(row["contact_id"], row["approved_by_id"]) for row in rows])
    earlier_pending = _earlier_pending(rows)
    domain_counts = scheduler.load_domain_counts(domains)
    return _Chunk(
        campaigns=campaigns,
        threads=threads,
        suppressed=suppressed,
        take_overs=take_overs,
        writers=writers,
        earlier_pending=earlier_pending,
        domain_counts=domain_counts,
    )


def _earlier_pending(rows: list[dict]) -> set[tuple[int, int, int]]:
    """(campaign, contact, step) of the emails not sent yet of the contacts whose follow-ups are in the chunk:
    a follow-up waits for every earlier step of its sequence."""
    follow_up_pairs = {(row["campaign_id"], row["contact_id"]) for row in rows if row["step_position"] > 1}
    if not follow_up_pairs:
        return set()
    return set(
        OutboundMessage.objects.filter(
            campaign_id__in={pair[0] for pair in follow_up_pairs},
            contact_id__in={pair[1] for pair in follow_up_pairs},
            status__in=["queued", "scheduled", "sending", "unknown"],
        ).values_list("campaign_id", "contact_id", "step_position")
    )


def _cancel_reason(workspace: Workspace, row: dict, chunk: _Chunk, thread: EmailThread | None) -> str:
    """Why the message must never leave ("" when it may): a suppression, or the conversation's state."""
    if chunk.suppressed.covers(workspace_id=workspace.pk, email=row["contact__email"], domain=row["domain"]):
        return "suppressed"
    return conversation_stop_reason(
        contact_status=row["contact__status"],
        take_over=chunk.take_overs.get(row["contact_id"]),
        writer=chunk.writers.get((workspace.pk, row["approved_by_id"])),
        thread_replied=thread is not None and thread.replied_at is not None,
        step_position=row["step_position"],
        run_id=row["run_id"],
        approved_by_id=row["approved_by_id"],
    )


def _wait_reason(row: dict, campaign: Campaign, chunk: _Chunk) -> str:
    """Why the message waits whatever the mailboxes ("" when it need not): a paused campaign, an earlier step."""
    if campaign.status != Campaign.Status.ACTIVE:
        return f"Waiting: the campaign is {campaign.get_status_display().lower()}."
    pair = (row["campaign_id"], row["contact_id"])
    if any((*pair, step) in chunk.earlier_pending for step in range(1, row["step_position"])):
        return "Waiting: an earlier email of this sequence has not been sent yet."
    return ""


def _candidate_mailboxes(
    workspace: Workspace, campaign: Campaign, thread: EmailThread | None, scheduler: _Scheduler
) -> tuple[list[int], str]:
    """The mailboxes the message may leave from, or why there is none: a thread keeps its mailbox; a first
    email may use any active mailbox of the campaign (a campaign without one is an exception for an admin)."""
    if thread is not None:
        mailbox = scheduler.mailboxes.get(thread.mailbox_id)
        if mailbox is None or mailbox.status != Mailbox.Status.ACTIVE:
            name = mailbox.from_address if mailbox else "its mailbox"
            return [], f"Waiting: the thread's mailbox {name} is not active (replies must stay in one thread)."
        return [mailbox.pk], ""
    campaign_boxes = scheduler.campaign_mailboxes.get(campaign.pk, [])
    candidates = [pk for pk in campaign_boxes if scheduler.mailboxes[pk].status == Mailbox.Status.ACTIVE]
    if not candidates:
        handoff_open(
            run=None,
            workspace_id=workspace.pk,
            campaign_id=campaign.pk,
            kind=Handoff.Kind.EXCEPTION,
            reason=f"{campaign.name} has approved emails but no active mailbox to send them from. "
            "An admin can add or resume one under Settings → Mailboxes.",
            dedupe_key=f"no-mailbox:{campaign.pk}",
        )
        return [], "Waiting: the campaign has no active mailbox. Add one under Settings → Mailboxes."
    return candidates, ""


def _place_message(
    workspace: Workspace, row: dict, campaign: Campaign, candidates: list[int], scheduler: _Scheduler, chunk: _Chunk
) -> OutboundMessage | None:
    """Give the message the first free slot in the recipient's send windows (None when there is none in the
    horizon; `scheduler.last_obstacle` says what stood in the way)."""
    mailbox_pks = scheduler.campaign_mailboxes.get(campaign.pk, []) or candidates
    for position, mailbox_pk in enumerate(mailbox_pks, start=1):  # for the decision record
        scheduler.states[mailbox_pk].position = position
    recipient, source = recipient_zone(
        contact_time_zone=row["contact__time_zone"],
        account_country=row["contact__account__country"],
        workspace_time_zone=workspace.default_time_zone,
    )
    earliest = scheduler.now_epoch + LEAD_SECONDS
    if row["not_before"] is not None:
        earliest = max(earliest, row["not_before"].timestamp())
    windows = scheduler.windows(campaign, recipient, earliest)
    # An answer in a conversation (the agents' to a reply, or a person's own) leaves at once; cold mail
    # and follow-ups are spread over the window.
    at_once = row["step_position"] == 0 or (row["run_id"] is None and row["approved_by_id"] is not None)
    placed = scheduler.place_at_once(candidates=candidates, windows=windows) if at_once else None
    if placed is not None:
        state, tick, day = placed
        slot = scheduler.take_at_once(state, tick, day, row["domain"], chunk.domain_counts)
    else:
        placed = scheduler.place(
            domain=row["domain"], candidates=candidates, windows=windows, domain_counts=chunk.domain_counts
        )
        if placed is None:
            return None
        state, tick, day = placed
        slot = scheduler.take(state, tick, day, row["domain"], chunk.domain_counts)
    pair = (row["campaign_id"], row["contact_id"])
    if chunk.thread(pair) is None:
        chunk.new_threads[pair] = EmailThread(
            workspace=workspace,
            campaign_id=campaign.pk,
            contact_id=row["contact_id"],
            mailbox_id=state.mailbox.pk,
            reply_token=secrets.token_hex(10),
        )
    message = OutboundMessage(
        pk=row["pk"],
        status=OutboundMessage.Status.SCHEDULED,
        mailbox_id=state.mailbox.pk,
        scheduled_for=slot,
        send_day=day,
        recipient_domain=row["domain"],
        decision=_decision(slot=slot, recipient=recipient, source=source, state=state, total=len(mailbox_pks), day=day),
    )
    message._thread_key = pair
    return message


def _schedule_message(workspace: Workspace, row: dict, scheduler: _Scheduler, chunk: _Chunk) -> None:
    """Cancel one queued message, leave it waiting (saying why) or give it a slot; the outcome joins the chunk."""
    campaign = chunk.campaigns[row["campaign_id"]]
    thread = chunk.thread((row["campaign_id"], row["contact_id"]))
    reason = _cancel_reason(workspace, row, chunk, thread)
    if reason:
        chunk.cancel(row, reason)
        return
    waits_because = _wait_reason(row, campaign, chunk)
    if waits_because:
        chunk.wait(row, waits_because)
        return
    candidates, waits_because = _candidate_mailboxes(workspace, campaign, thread, scheduler)
    if waits_because:
        chunk.wait(row, waits_because)
        return
    message = _place_message(workspace, row, campaign, candidates, scheduler, chunk)
    if message is None:
        chunk.wait(row, "Waiting: " + WAIT_TEXT[scheduler.last_obstacle].format(days=scheduler.horizon_days) + ".")
        return
    chunk.assigned.append(message)


def _save_chunk(chunk: _Chunk) -> None:
    """The new threads first (the scheduled messages point at them), then every message's outcome."""
    if chunk.new_threads:
        EmailThread.objects.bulk_create(chunk.new_threads.values())
    for message in chunk.assigned:
        message.thread_id = chunk.thread(message._thread_key).pk
    _update_queued(
        chunk.assigned,
        ["status", "mailbox_id", "thread_id", "scheduled_for", "send_day", "recipient_domain", "decision"],
    )
    _update_queued(chunk.waiting, ["decision", "recipient_domain"])
    _update_queued(chunk.cancelled, ["status", "cancel_reason", "decision"])


def _schedule_chunk(workspace: Workspace, rows: list[dict], scheduler: _Scheduler, report: ScheduleReport) -> None:
    scheduler.load_mailboxes()
    chunk = _load_chunk(workspace, rows, scheduler)
    for row in rows:
        report.examined += 1
        _schedule_message(workspace, row, scheduler, chunk)
    _save_chunk(chunk)
    scheduler.finish_chunk()
    report.scheduled += len(chunk.assigned)
    report.waiting += len(chunk.waiting)
    report.cancelled += len(chunk.cancelled)


def delivery_schedule(
    *,
    workspace: Workspace,
    now: datetime | None = None,
    horizon_days: int | None = None,
    chunk_size: int = 5000,
    rng: random.Random | None = None,
) -> ScheduleReport:
    """Give every queued email of the workspace a slot and a mailbox (or say why it waits)."""
    scheduler = _Scheduler(
        workspace=workspace,
        now=now or timezone.now(),
        horizon_days=horizon_days or settings.SALESOPS_DELIVERY_HORIZON_DAYS,
        rng=rng or random.Random(),
    )
    report = ScheduleReport()
    after_pk = 0
    while True:
        with transaction.atomic():
            rows = _chunk(workspace, after_pk=after_pk, size=chunk_size, now=scheduler.now)
            if not rows:
                break
            _schedule_chunk(workspace, rows, scheduler, report)
        after_pk = rows[-1]["pk"]
        report.chunks += 1
    return report


def slot_is_inside_window(*, slot: datetime, campaign: Campaign, recipient: ZoneInfo) -> bool:
    """For checks and the benchmark: is this moment inside the campaign's window for the recipient?"""
    local = slot.astimezone(recipient)
    send_days = set(campaign.send_days or DEFAULT_SEND_DAYS)
    start: time = campaign.send_start
    end: time = campaign.send_end
    return local.weekday() in send_days and start <= local.time().replace(tzinfo=None) < end
