"""Reads of the dashboards: a campaign's goal, funnel, autonomy, quality, deliverability and cost, the
workspace overview, and the examples the writer learns from. Every function takes its workspace or
campaign explicitly and runs a fixed number of queries, whatever the data size."""

import statistics
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.db import connection
from django.db.models import Avg, Count, F, Q, Sum
from django.db.models.functions import TruncDate, TruncWeek
from django.utils import timezone

from agents.conversations.models import InboundMessage
from agents.delivery.models import Mailbox, MailboxDay, OutboundMessage, Suppression
from agents.delivery.selectors import campaign_send_blockers
from agents.delivery.suppression import suppressions_covering
from agents.insights.models import DraftEdit
from agents.labels import finding_label
from agents.meetings.models import Meeting
from agents.models import AgentRun, AgentStep, Handoff
from agents.outreach import planning
from campaigns.models import Campaign, Contact, ContactBlock, Enrolment, Signal
from salesops.models import Workspace
from salesops.time_zones import RECIPIENT_ZONE_SOURCES, recipient_zone

# Drafts a person decides on (what autonomy and the edit rate are measured over).
DRAFT_KINDS = [Handoff.Kind.DRAFT_REVIEW, Handoff.Kind.ESCALATION]
EDIT_TREND_WEEKS = 12
CAP_USE_DAYS = 30


def _rate(part, whole) -> float | None:
    return (part / whole) if whole else None


# Goal -----------------------------------------------------------------------------------------------


@dataclass
class Goal:
    """A campaign's goal as the dashboards draw it: the planner's verdict (agents.outreach.planning, the
    same one the campaign page shows and the escalation follows) and the burn-up's points."""

    target: int
    qualified: int
    start: date | None
    end: date | None
    today: date
    verdict: planning.GoalVerdict
    # (day, cumulative qualified meetings) from the start to today.
    points: list[tuple[date, int]] = field(default_factory=list)

    @classmethod
    def of_plan(cls, plan: planning.PlanFigures, today: date) -> "Goal":
        facts = plan.facts
        return cls(
            target=facts.target,
            qualified=facts.qualified,
            start=facts.start,
            end=facts.end,
            today=today,
            verdict=plan.verdict,
        )

    @property
    def forecast(self) -> int | None:
        return self.verdict.forecast

    @property
    def expected_today(self) -> float | None:
        """Where the straight target line stands today."""
        if not (self.start and self.end and self.target) or self.end <= self.start:
            return None
        elapsed = min(max((self.today - self.start).days, 0), (self.end - self.start).days)
        return self.target * elapsed / (self.end - self.start).days


# The campaign dashboard -----------------------------------------------------------------------------


@dataclass
class FunnelStage:
    key: str
    label: str
    count: int
    conversion: float | None  # from the stage before


@dataclass
class Dashboard:
    campaign: Campaign
    goal: Goal
    funnel: list[FunnelStage]
    autonomy: dict
    quality: dict
    deliverability: list[dict]
    cost: dict
    # What keeps the campaign's emails from leaving today, as the campaign page says it too.
    send_blockers: list[str]


FUNNEL_LABELS = [
    ("leads", "Leads worked"),
    ("qualified_leads", "Qualified leads"),
    ("contacted", "Contacted"),
    ("replied", "Replied"),
    ("positive", "Positive replies"),
    ("booked", "Meetings booked"),
    ("held", "Meetings held"),
    ("qualified_meetings", "Qualified meetings"),
]


def campaign_get(*, workspace: Workspace, campaign_id: int) -> Campaign:
    return Campaign.objects.get(workspace=workspace, pk=campaign_id)


def campaign_dashboard(*, campaign: Campaign, today: date | None = None) -> Dashboard:
    """Everything the campaign page shows, in a fixed number of queries."""
    today = today or timezone.localdate()
    # 1. Leads worked and qualified (first-touch runs; answers to replies are not new leads).
    leads = AgentRun.objects.filter(campaign=campaign, inbound_message__isnull=True).aggregate(
        leads=Count("contact", distinct=True),
        qualified=Count("contact", distinct=True, filter=Q(qualification__verdict="qualified")),
    )
    # 2. Messages: contacted people, emails sent, sent without a person.
    messages = OutboundMessage.objects.filter(campaign=campaign).aggregate(
        contacted=Count("contact", distinct=True, filter=Q(status=OutboundMessage.Status.SENT)),
        sent=Count("pk", filter=Q(status=OutboundMessage.Status.SENT)),
        sent_alone=Count("pk", filter=Q(status=OutboundMessage.Status.SENT, sent_without_person=True)),
    )
    # 3. Replies (any, and interested).
    replies = InboundMessage.objects.filter(thread__campaign=campaign, contact__isnull=False).aggregate(
        replied=Count("contact", distinct=True),
        positive=Count("contact", distinct=True, filter=Q(category="interested")),
    )
    # 4. Meetings.
    meetings = Meeting.objects.filter(campaign=campaign).aggregate(
        booked=Count("pk", filter=~Q(status=Meeting.Status.CANCELLED)),
        held=Count("pk", filter=Q(status=Meeting.Status.HELD)),
    )
    # 5-9. The goal: the planner's facts and verdict (qualified meetings, leads contacted, the mailboxes'
    # links, the mailboxes, the steps), the same the campaign page and the escalation decide from.
    goal = Goal.of_plan(planning.plan_figures(campaign=campaign, today=today), today)
    counts = {
        "leads": leads["leads"],
        "qualified_leads": leads["qualified"],
        "contacted": messages["contacted"],
        "replied": replies["replied"],
        "positive": replies["positive"],
        "booked": meetings["booked"],
        "held": meetings["held"],
        "qualified_meetings": goal.qualified,
    }
    funnel, previous = [], None
    for key, label in FUNNEL_LABELS:
        funnel.append(
            FunnelStage(key, label, counts[key], _rate(counts[key], previous) if previous is not None else None)
        )
        previous = counts[key]

    # 10. The burn-up: qualified meetings by the day they were held.
    goal.points = _burnup_points(campaign, goal)

    return Dashboard(
        campaign=campaign,
        goal=goal,
        funnel=funnel,
        autonomy=_autonomy(campaign, sent=messages["sent"], sent_alone=messages["sent_alone"]),  # 11-12
        quality=_quality(campaign, today),  # 13-15
        deliverability=_deliverability(campaign, today),  # 16-18
        cost=_cost(campaign, leads=counts["leads"], sent=messages["sent"], meetings=counts["booked"]),  # 19
        send_blockers=campaign_send_blockers(campaign=campaign, today=today),  # 20-21
    )


def _burnup_points(campaign: Campaign, goal: Goal) -> list[tuple[date, int]]:
    if goal.start is None:
        return []
    by_day = dict(
        planning.goal_meetings(Meeting.objects.filter(campaign=campaign))
        .annotate(day=TruncDate("start"))
        .values("day")
        .annotate(count=Count("pk"))
        .values_list("day", "count")
    )
    return _burnup_from(by_day, goal)


def _burnup_from(by_day: dict[date, int], goal: Goal) -> list[tuple[date, int]]:
    """Cumulative qualified meetings from the goal's start to today (or its end), from counts by day."""
    if goal.start is None:
        return []
    last = min(goal.today, goal.end or goal.today)
    running = sum(count for day, count in by_day.items() if day < goal.start)
    points = []
    day = goal.start
    # Weekly points keep the chart readable over long periods; the last point is today.
    step = 1 if (last - goal.start).days <= 31 else 7
    while day <= last:
        points.append(day)
        day += timedelta(days=step)
    if not points or points[-1] != last:
        points.append(last)
    result, cursor = [], goal.start
    for point in points:
        running += sum(count for d, count in by_day.items() if cursor <= d <= point)
        cursor = point + timedelta(days=1)
        result.append((point, running))
    return result


def _median_seconds(queryset, expression) -> float | None:
    """The median of a duration over a queryset: PostgreSQL computes it; elsewhere Python does."""
    if connection.vendor == "postgresql":
        from django.db.models import Aggregate, FloatField
        from django.db.models.functions import Extract

        class Median(Aggregate):
            function = "percentile_cont"
            template = "%(function)s(0.5) WITHIN GROUP (ORDER BY %(expressions)s)"
            output_field = FloatField()

        return queryset.aggregate(median=Median(Extract(expression, "epoch")))["median"]
    durations = [value.total_seconds() for value in queryset.annotate(d=expression).values_list("d", flat=True)]
    return statistics.median(durations) if durations else None


def _autonomy(campaign: Campaign, *, sent: int, sent_alone: int) -> dict:
    drafts = Handoff.objects.filter(campaign=campaign, kind__in=DRAFT_KINDS)
    decided = drafts.aggregate(
        approved=Count("pk", filter=Q(decision=Handoff.Decision.APPROVED)),
        edited=Count("pk", filter=Q(decision=Handoff.Decision.EDITED)),
        rejected=Count("pk", filter=Q(decision=Handoff.Decision.REJECTED)),
        other=Count(
            "pk", filter=Q(status=Handoff.Status.RESOLVED) & ~Q(decision__in=["approved", "edited", "rejected"])
        ),
        waiting=Count("pk", filter=~Q(status=Handoff.Status.RESOLVED)),
    )
    decided_total = decided["approved"] + decided["edited"] + decided["rejected"] + decided["other"]
    median = _median_seconds(
        drafts.filter(status=Handoff.Status.RESOLVED, decided_at__isnull=False), F("decided_at") - F("created_at")
    )
    return {
        "sent": sent,
        "sent_alone": sent_alone,
        "sent_alone_rate": _rate(sent_alone, sent),
        "decided": decided_total,
        "approved": decided["approved"],
        "approved_rate": _rate(decided["approved"], decided_total),
        "edited": decided["edited"],
        "edited_rate": _rate(decided["edited"], decided_total),
        "rejected": decided["rejected"],
        "rejected_rate": _rate(decided["rejected"], decided_total),
        "other": decided["other"],
        "waiting": decided["waiting"],
        "median_inbox_seconds": median,
    }


FINDINGS_SQL = {
    "postgresql": """
        SELECT finding->>'kind' AS kind, COUNT(*) FROM agents_agentstep step
        JOIN agents_agentrun run ON run.id = step.run_id
        CROSS JOIN LATERAL jsonb_array_elements(
            CASE WHEN jsonb_typeof(step.output->'findings') = 'array' THEN step.output->'findings' ELSE '[]' END
        ) AS finding
        WHERE run.campaign_id = %s AND step.agent = 'verify'
        GROUP BY 1 ORDER BY 2 DESC, 1
    """,
    "sqlite": """
        SELECT json_extract(finding.value, '$.kind') AS kind, COUNT(*) FROM agents_agentstep step
        JOIN agents_agentrun run ON run.id = step.run_id, json_each(step.output, '$.findings') AS finding
        WHERE run.campaign_id = %s AND step.agent = 'verify'
        GROUP BY 1 ORDER BY 2 DESC, 1
    """,
}


def _quality(campaign: Campaign, today: date) -> dict:
    # 8. Verifier findings by kind, over every verification (rewrites included).
    with connection.cursor() as cursor:
        cursor.execute(FINDINGS_SQL[connection.vendor], [campaign.pk])
        findings = [(finding_label(kind or ""), count) for kind, count in cursor.fetchall()]
    # 9. Reject reasons.
    labels = dict(Handoff.RejectReason.choices)
    reasons = [
        (labels.get(row["reject_reason"], "Not given"), row["count"])
        for row in Handoff.objects.filter(campaign=campaign, decision=Handoff.Decision.REJECTED)
        .values("reject_reason")
        .annotate(count=Count("pk"))
        .order_by("-count", "reject_reason")
    ]
    # 10. The weekly edit rate and how much edits change (from the DraftEdit rollup).
    since = today - timedelta(weeks=EDIT_TREND_WEEKS)
    weeks = [
        {
            "week": row["week"].date() if isinstance(row["week"], datetime) else row["week"],
            "decided": row["decided"],
            "edited": row["edited_count"],
            "edit_rate": _rate(row["edited_count"], row["decided"]),
            "change": (1 - row["mean_similarity"]) if row["mean_similarity"] is not None else None,
        }
        for row in DraftEdit.objects.filter(campaign=campaign, decided_at__date__gte=since)
        .annotate(week=TruncWeek("decided_at"))
        .values("week")
        .annotate(
            decided=Count("pk"),
            edited_count=Count("pk", filter=Q(edited=True)),
            mean_similarity=Avg("similarity", filter=Q(edited=True)),
        )
        .order_by("week")
    ]
    trend = ""
    if len(weeks) >= 2 and weeks[0]["edit_rate"] is not None and weeks[-1]["edit_rate"] is not None:
        first, last = weeks[0]["edit_rate"], weeks[-1]["edit_rate"]
        trend = "falling" if last < first else ("rising" if last > first else "flat")
    return {"findings": findings, "reject_reasons": reasons, "weeks": weeks, "edit_trend": trend}


def _deliverability(campaign: Campaign, today: date) -> list[dict]:
    # 11. Per mailbox: sent, bounced, complained, unsubscribed (people emailed from it who opted out).
    rows = {
        row["mailbox"]: row
        for row in OutboundMessage.objects.filter(campaign=campaign, status=OutboundMessage.Status.SENT)
        .values("mailbox")
        .annotate(
            sent=Count("pk"),
            bounced=Count("pk", filter=Q(bounced_at__isnull=False)),
            complained=Count("pk", filter=Q(complained_at__isnull=False)),
            unsubscribed=Count("contact", distinct=True, filter=Q(contact__status=Contact.Status.UNSUBSCRIBED)),
        )
    }
    # 12. The campaign's mailboxes (and any that sent for it before leaving it).
    mailboxes = list(Mailbox.objects.filter(Q(campaigns=campaign) | Q(pk__in=[pk for pk in rows if pk])).distinct())
    # 13. Cap use over the last days: emails sent against each day's allowance.
    since = today - timedelta(days=CAP_USE_DAYS)
    days_by_mailbox: dict[int, list] = {}
    for day in MailboxDay.objects.filter(mailbox__in=mailboxes, day__gte=since, day__lte=today):
        days_by_mailbox.setdefault(day.mailbox_id, []).append(day)
    result = []
    for mailbox in mailboxes:
        row = rows.get(mailbox.pk, {})
        days = days_by_mailbox.get(mailbox.pk, [])
        allowed = sum(mailbox.allowed_on(day.day) for day in days)
        result.append(_deliverability_row(str(mailbox), mailbox.get_status_display(), row, allowed, days))
    if None in rows:
        result.append(_deliverability_row("No mailbox recorded", "", rows[None], 0, []))
    return result


def _deliverability_row(name: str, status: str, row: dict, allowed: int, days: list) -> dict:
    sent = row.get("sent", 0)
    day_sent = sum(day.sent for day in days)
    return {
        "name": name,
        "status": status,
        "sent": sent,
        "bounced": row.get("bounced", 0),
        "bounce_rate": _rate(row.get("bounced", 0), sent),
        "complained": row.get("complained", 0),
        "complaint_rate": _rate(row.get("complained", 0), sent),
        "unsubscribed": row.get("unsubscribed", 0),
        "unsubscribe_rate": _rate(row.get("unsubscribed", 0), sent),
        "cap_sent": day_sent,
        "cap_allowed": allowed,
        "cap_use": _rate(day_sent, allowed),
    }


def _cost(campaign: Campaign, *, leads: int, sent: int, meetings: int) -> dict:
    # 14. Tokens and money by agent and model.
    rows = list(
        AgentStep.objects.filter(run__campaign=campaign)
        .values("agent", "model")
        .annotate(
            steps=Count("pk"),
            tokens=Sum(F("input_tokens") + F("output_tokens") + F("cache_write_tokens") + F("cache_read_tokens")),
            cost=Sum("cost_usd"),
        )
        .order_by("agent", "model")
    )
    tokens = sum(row["tokens"] or 0 for row in rows)
    cost = sum((row["cost"] or Decimal(0) for row in rows), Decimal(0))

    def per(total, count):
        return (total / count) if count else None

    return {
        "rows": rows,
        "tokens": tokens,
        "cost": cost,
        "per_lead": {"tokens": per(tokens, leads), "cost": per(cost, leads), "count": leads},
        "per_sent": {"tokens": per(tokens, sent), "cost": per(cost, sent), "count": sent},
        "per_meeting": {"tokens": per(tokens, meetings), "cost": per(cost, meetings), "count": meetings},
    }


# The workspace overview ------------------------------------------------------------------------------


@dataclass
class CampaignSummary:
    campaign: Campaign
    goal: Goal  # with its burn-up points when the campaign has a goal period
    sent: int
    cost: Decimal


@dataclass
class DailyActivity:
    days: list[date]
    sent: list[int]
    replies: list[int]

    @property
    def rows(self) -> list[tuple[date, int, int]]:
        return list(zip(self.days, self.sent, self.replies, strict=True))

    @property
    def total_sent(self) -> int:
        return sum(self.sent)

    @property
    def total_replies(self) -> int:
        return sum(self.replies)

    @property
    def busiest_day(self) -> date | None:
        """The day with the most emails and replies (the latest such day); None without any."""
        best = max(self.rows, key=lambda row: (row[1] + row[2], row[0]), default=None)
        return best[0] if best and best[1] + best[2] else None


@dataclass
class Overview:
    summaries: list[CampaignSummary]
    activity: DailyActivity
    inbox_age: list[tuple[str, int]]

    @property
    def burnups(self) -> list[CampaignSummary]:
        """The campaigns whose goal can be drawn: a target and a period."""
        return [
            s for s in self.summaries if s.goal.target and s.goal.start and s.goal.end and s.goal.end > s.goal.start
        ]


ACTIVITY_DAYS = 30
# Open inbox items by how long they have waited: (label, at least so many days, under so many days).
INBOX_AGE_BUCKETS = [
    ("Under a day", 0, 1),
    ("1–2 days", 1, 3),
    ("3–6 days", 3, 7),
    ("1–2 weeks", 7, 14),
    ("2 weeks or more", 14, None),
]


def workspace_overview(*, workspace: Workspace, today: date | None = None, now: datetime | None = None) -> Overview:
    """Every campaign with its goal verdict and burn-up, emails sent and model cost; emails sent and
    replies a day over the last 30 days; open inbox items by age. Twelve queries, whatever the number of campaigns."""
    now = now or timezone.now()
    today = today or timezone.localdate(now)
    campaigns = list(Campaign.objects.filter(workspace=workspace).order_by("status", "name"))
    # The planner's facts of every campaign (5 queries), so that each verdict is the one its plan shows.
    facts = planning.goal_facts_of_campaigns(campaigns, today)
    sent = dict(
        OutboundMessage.objects.filter(workspace=workspace, status=OutboundMessage.Status.SENT)
        .values("campaign")
        .annotate(count=Count("pk"))
        .values_list("campaign", "count")
    )
    cost = dict(
        AgentStep.objects.filter(workspace=workspace, run__isnull=False)
        .values("run__campaign")
        .annotate(total=Sum("cost_usd"))
        .values_list("run__campaign", "total")
    )
    # The burn-ups: qualified meetings by campaign and the day they were held, one query for all.
    by_campaign_day: dict[int, dict[date, int]] = {}
    for campaign_id, day, count in (
        planning.goal_meetings(Meeting.objects.filter(workspace=workspace, campaign__isnull=False))
        .annotate(day=TruncDate("start"))
        .values("campaign", "day")
        .annotate(count=Count("pk"))
        .values_list("campaign", "day", "count")
    ):
        by_campaign_day.setdefault(campaign_id, {})[day] = count
    summaries = []
    for campaign in campaigns:
        goal = Goal.of_plan(planning.plan_from_facts(facts=facts[campaign.pk], today=today), today)
        goal.points = _burnup_from(by_campaign_day.get(campaign.pk, {}), goal)
        summaries.append(
            CampaignSummary(
                campaign=campaign, goal=goal, sent=sent.get(campaign.pk, 0), cost=cost.get(campaign.pk) or Decimal(0)
            )
        )
    return Overview(
        summaries=summaries,
        activity=_daily_activity(workspace, today),
        inbox_age=_inbox_age(workspace, now),
    )


def _daily_activity(workspace: Workspace, today: date) -> DailyActivity:
    """Emails sent and replies received (matched to a prospect) each day, in the workspace's time zone."""
    days = [today - timedelta(days=offset) for offset in range(ACTIVITY_DAYS - 1, -1, -1)]
    sent = dict(
        OutboundMessage.objects.filter(
            workspace=workspace,
            status=OutboundMessage.Status.SENT,
            sent_at__date__gte=days[0],
            sent_at__date__lte=today,
        )
        .annotate(day=TruncDate("sent_at"))
        .values("day")
        .annotate(count=Count("pk"))
        .values_list("day", "count")
    )
    replies = dict(
        InboundMessage.objects.filter(
            workspace=workspace, contact__isnull=False, received_at__date__gte=days[0], received_at__date__lte=today
        )
        .annotate(day=TruncDate("received_at"))
        .values("day")
        .annotate(count=Count("pk"))
        .values_list("day", "count")
    )
    return DailyActivity(days=days, sent=[sent.get(d, 0) for d in days], replies=[replies.get(d, 0) for d in days])


def _inbox_age(workspace: Workspace, now: datetime) -> list[tuple[str, int]]:
    """What waits in the inbox (open, or snoozed until a time that has passed, as the inbox counts it)."""
    waiting = Handoff.objects.filter(workspace=workspace).filter(
        Q(status=Handoff.Status.OPEN) | Q(status=Handoff.Status.SNOOZED, snoozed_until__lte=now)
    )
    buckets = {}
    for index, (_, at_least, under) in enumerate(INBOX_AGE_BUCKETS):
        condition = Q(created_at__lte=now - timedelta(days=at_least))
        if under is not None:
            condition &= Q(created_at__gt=now - timedelta(days=under))
        buckets[f"bucket_{index}"] = Count("pk", filter=condition)
    counts = waiting.aggregate(**buckets)
    return [(label, counts[f"bucket_{index}"]) for index, (label, _, _) in enumerate(INBOX_AGE_BUCKETS)]


# The contact page ------------------------------------------------------------------------------------

CONTACT_SIGNALS_SHOWN = 50
# Statuses after which no campaign writes to the person again.
OPTED_OUT_STATUSES = (Contact.Status.UNSUBSCRIBED, Contact.Status.BOUNCED, Contact.Status.DO_NOT_CONTACT)


@dataclass
class ThreadEntry:
    """One email of the conversation, either way."""

    direction: str  # "out" (to the contact) or "in" (from the contact)
    at: datetime
    subject: str
    text: str
    campaign: Campaign | None
    state: str  # the outbound message's status or the reply's category
    note: str = ""


@dataclass
class ContactPage:
    contact: Contact
    suppressions: list[Suppression]
    signals: list[Signal]
    signal_count: int
    runs: list[AgentRun]
    thread: list[ThreadEntry]
    time_zone: str  # the zone the person is emailed and offered meeting times in
    time_zone_source: str  # where that zone came from, in words
    enrolments: list[Enrolment] = field(default_factory=list)  # the campaigns' sequences, newest first
    blocks: list[ContactBlock] = field(default_factory=list)  # the standing block first, then lifted ones

    @property
    def standing_block(self) -> ContactBlock | None:
        return next((block for block in self.blocks if block.lifted_at is None), None)

    @property
    def lifted_blocks(self) -> list[ContactBlock]:
        return [block for block in self.blocks if block.lifted_at is not None]

    @property
    def may_be_emailed(self) -> bool:
        return not self.suppressions and self.contact.status not in OPTED_OUT_STATUSES


def contact_get(*, workspace: Workspace, contact_id: int) -> Contact:
    return Contact.objects.select_related("workspace", "account__owner", "referred_by", "take_over__user").get(
        workspace=workspace, pk=contact_id
    )


def contact_page(*, contact: Contact) -> ContactPage:
    """Everything the contact page shows but the audit history: eight queries, whatever the data size."""
    domain = contact.email.rpartition("@")[2]
    # 1. Whether the workspace's suppression list covers the address or its domain.
    suppressions = list(suppressions_covering(workspace_id=contact.workspace_id, email=contact.email, domain=domain))
    # 2-3. Signals of the account (each says whom it is about, if anyone), newest first; the count says
    # how many are not shown.
    signals = Signal.objects.filter(account_id=contact.account_id)
    shown = list(signals.select_related("contact").order_by("-occurred_at", "-pk")[:CONTACT_SIGNALS_SHOWN])
    count = len(shown) if len(shown) < CONTACT_SIGNALS_SHOWN else signals.count()
    # 4. The campaigns' runs on this person.
    runs = list(
        AgentRun.objects.filter(contact=contact)
        .select_related("campaign")
        .only(
            "campaign__name",
            "campaign__status",
            "step_position",
            "status",
            "outcome",
            "created_at",
            "inbound_message_id",
            "contact_id",
        )  # fmt: skip
        .order_by("-created_at", "-pk")
    )
    # 5-6. The conversation: emails to the person and replies from them, oldest first.
    thread = [
        ThreadEntry(
            direction="out",
            at=message.sent_at or message.created_at,
            subject=message.subject,
            text=message.text_as_sent or message.body_text,
            campaign=message.campaign,
            state=message.get_status_display(),
            note=(
                f"approved by {message.approved_by}"
                if message.approved_by
                else ("sent without review" if message.sent_without_person else "")
            ),
        )
        for message in OutboundMessage.objects.filter(contact=contact).select_related("campaign", "approved_by")
    ]
    thread += [
        ThreadEntry(
            direction="in",
            at=reply.received_at,
            subject=reply.subject,
            text=reply.text,
            campaign=reply.thread.campaign if reply.thread else None,
            state=reply.category or "not classified",
        )
        for reply in InboundMessage.objects.filter(contact=contact).select_related("thread__campaign").defer("raw")
    ]
    thread.sort(key=lambda entry: entry.at)
    # 7. The person's enrolments in the campaigns' sequences (why each ended, a move between accounts).
    enrolments = list(
        Enrolment.objects.filter(workspace_id=contact.workspace_id, contact=contact)
        .select_related("campaign", "account")
        .order_by("-started_at", "-pk")
    )
    # 8. "Do not contact" and "off-target" blocks: the standing one, and those a manager lifted.
    blocks = list(
        ContactBlock.objects.filter(workspace_id=contact.workspace_id, contact=contact)
        .select_related("created_by", "lifted_by")
        .order_by(F("lifted_at").desc(nulls_first=True), "-created_at")
    )
    zone, source = recipient_zone(
        contact_time_zone=contact.time_zone,
        account_country=contact.account.country,
        workspace_time_zone=contact.workspace.default_time_zone,
    )
    return ContactPage(
        contact=contact,
        suppressions=suppressions,
        signals=shown,
        signal_count=count,
        runs=runs,
        thread=thread,
        time_zone=zone.key,
        time_zone_source=RECIPIENT_ZONE_SOURCES[source],
        enrolments=enrolments,
        blocks=blocks,
    )
