"""The campaign tick: plan the day toward the goal, start that many new leads, and decide the goal's verdict
(on track, at risk, off track …) that the planner escalates on and every page shows.

The leads are the campaign's audience (campaigns.audience), ranked with reasons (ranking), ordered by what
converts (learning) and enrolled under the enrolment rules (campaigns.enrolment); each new enrolment gets
its first run in the same transaction."""

import math
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone

from agents.delivery.models import Mailbox, OutboundMessage
from agents.handoffs import handoff_open
from agents.labels import GOAL_VERDICT_LABELS
from agents.models import AgentRun, CampaignPlan, Handoff
from agents.outreach.enrolments import enrolments_release_finished
from agents.outreach.learning import SegmentOutcomes, learned_sentence, picks_order, plan_rng, segment_outcomes
from agents.outreach.ranking import RankedLead, rank_audience
from campaigns.audience import campaign_audience
from campaigns.enrolment import EnrolmentCandidate, enrolment_start
from campaigns.models import Campaign, Enrolment, SequenceStep
from salesops.audit import audit_record
from salesops.business_days import business_days_between

# Until a campaign has contacted this many leads, its conversion rate is the default below.
MIN_LEADS_FOR_OBSERVED_CONVERSION = 50
DEFAULT_MEETINGS_PER_LEAD = Decimal("0.03")
# Needing more than this share of the new leads a day the limits allow leaves no room for a slow day.
AT_RISK_SHARE_OF_CAPACITY = Decimal("0.8")
# The pace so far (qualified meetings per business day) is read only once two weeks of business days
# and a third of the period have passed, whichever is later: a meeting is held a week or more after the
# sequence's first email, so an earlier pace is near zero for every campaign (and on day one there is none).
PACE_MIN_BUSINESS_DAYS = 10
PACE_MIN_SHARE_OF_PERIOD = Decimal(1) / 3


@dataclass(frozen=True)
class TickResult:
    plan: CampaignPlan
    started_run_ids: list[int]


def _meeting_model():
    # The meetings step depends on outreach (it books what outreach started), so outreach reaches the
    # table through the campaign's `meetings` relation instead of importing it.
    return Campaign._meta.get_field("meetings").related_model


def goal_meetings(meetings):
    """The meetings that count toward a goal: held, and marked qualified by a person."""
    return meetings.filter(qualified=True, status=_meeting_model().Status.HELD)


def qualified_meetings_booked(campaign: Campaign) -> int:
    """The campaign goal's count: its meetings held and marked qualified."""
    return goal_meetings(campaign.meetings).count()


def leads_contacted(campaign: Campaign) -> int:
    """Leads the campaign has written to (first emails approved to leave): what conversion is measured over."""
    return OutboundMessage.objects.filter(campaign=campaign, step_position=1).count()


@dataclass(frozen=True)
class GoalFacts:
    """What a campaign's plan and goal verdict are decided from: its goal and limits, and what it has done.

    Loaded by `goal_facts_of_campaigns` for one campaign or a page of them alike, so that every page
    and the planner decide from the same numbers; `plan_from_facts` decides without the database."""

    target: int
    start: date | None
    end: date | None
    daily_new_lead_limit: int
    qualified: int
    leads_contacted: int
    # New leads a day the campaign's active mailboxes can carry today; None when it has none.
    mailbox_capacity: int | None


def goal_facts_of_campaigns(campaigns: list[Campaign], today: date) -> dict[int, GoalFacts]:
    """Each campaign's facts by its id, in five queries whatever the number of campaigns."""
    ids = [campaign.pk for campaign in campaigns]
    qualified = dict(
        goal_meetings(_meeting_model().objects.filter(campaign_id__in=ids))
        .values("campaign")
        .annotate(count=Count("pk"))
        .values_list("campaign", "count")
    )
    contacted = dict(
        OutboundMessage.objects.filter(campaign_id__in=ids, step_position=1)
        .values("campaign")
        .annotate(count=Count("pk"))
        .values_list("campaign", "count")
    )
    capacity = _mailbox_capacities(ids, today)
    return {
        campaign.pk: GoalFacts(
            target=campaign.goal_target,
            start=campaign.goal_start,
            end=campaign.goal_end,
            daily_new_lead_limit=campaign.daily_new_lead_limit,
            qualified=qualified.get(campaign.pk, 0),
            leads_contacted=contacted.get(campaign.pk, 0),
            mailbox_capacity=capacity.get(campaign.pk),
        )
        for campaign in campaigns
    }


def _mailbox_capacities(campaign_ids: list[int], today: date) -> dict[int, int]:
    # New leads a day the campaigns' mailboxes can carry: each active mailbox's allowance today (cap and
    # warm-up ramp), shared equally by the active campaigns using it, divided by the sequence's length
    # (in steady state every new lead costs one email per step). Campaigns without an active mailbox
    # are left out: the plan then counts on the daily lead limit (drafts can be reviewed meanwhile, and
    # the send blockers and the scheduler say that nothing can leave).
    links = list(
        Mailbox.campaigns.through.objects.filter(
            campaign_id__in=campaign_ids, mailbox__status=Mailbox.Status.ACTIVE
        ).values_list("campaign_id", "mailbox_id")
    )
    if not links:
        return {}
    mailboxes = {
        mailbox.pk: mailbox
        for mailbox in Mailbox.objects.filter(pk__in={mailbox_id for _, mailbox_id in links}).annotate(
            active_campaigns=Count("campaigns", filter=Q(campaigns__status=Campaign.Status.ACTIVE))
        )
    }
    steps = dict(
        SequenceStep.objects.filter(campaign_id__in=campaign_ids)
        .values("campaign")
        .annotate(count=Count("pk"))
        .values_list("campaign", "count")
    )
    sends: dict[int, float] = {}
    for campaign_id, mailbox_id in links:
        mailbox = mailboxes[mailbox_id]
        sends[campaign_id] = sends.get(campaign_id, 0) + mailbox.allowed_on(today) / max(1, mailbox.active_campaigns)
    return {campaign_id: int(total // max(1, steps.get(campaign_id, 0))) for campaign_id, total in sends.items()}


def _conversion(facts: GoalFacts) -> tuple[Decimal, str]:
    if facts.leads_contacted >= MIN_LEADS_FOR_OBSERVED_CONVERSION:
        return max(Decimal(facts.qualified) / facts.leads_contacted, Decimal("0.005")), "observed"
    return DEFAULT_MEETINGS_PER_LEAD, "default"


@dataclass(frozen=True)
class GoalVerdict:
    """Whether the goal will be met, in one word a page can colour and one sentence with the figures."""

    key: str  # one of agents.labels.GOAL_VERDICT_LABELS
    reason: str
    # Qualified meetings expected by the end at the pace so far; None until there is a pace to read.
    forecast: int | None = None

    @property
    def label(self) -> str:
        return GOAL_VERDICT_LABELS[self.key]


@dataclass(frozen=True)
class PlanFigures:
    """How many new leads to start today toward the goal, why, and whether the goal will be met."""

    remaining_goal: int
    business_days_left: int
    conversion_rate: Decimal
    conversion_source: str  # "default" or "observed"
    leads_needed_per_day: int
    capacity_per_day: int
    daily_new_lead_limit: int
    planned_new_leads: int
    verdict: GoalVerdict
    facts: GoalFacts

    @property
    def reason(self) -> str:
        return self.verdict.reason


def plan_figures(*, campaign: Campaign, today: date | None = None) -> PlanFigures:
    """The day's plan as the tick computes it, without storing anything (the campaign page previews it
    before the tick has run)."""
    today = today or timezone.localdate()
    return plan_from_facts(facts=goal_facts_of_campaigns([campaign], today)[campaign.pk], today=today)


def plan_from_facts(*, facts: GoalFacts, today: date) -> PlanFigures:
    """Today's plan and the goal's verdict from the campaign's facts: the one place either is decided, for
    the planner and its escalation, the campaign page, the dashboard and the overview alike."""
    remaining = max(0, facts.target - facts.qualified)
    days_left = business_days_between(max(today, facts.start or today), facts.end or today)
    conversion, source = _conversion(facts)
    needed = math.ceil(remaining / conversion / days_left) if remaining and days_left else 0
    capacity = facts.daily_new_lead_limit if facts.mailbox_capacity is None else facts.mailbox_capacity
    allowed = min(facts.daily_new_lead_limit, capacity)
    need = _Need(
        remaining=remaining,
        days_left=days_left,
        per_day=needed,
        allowed=allowed,
        limited_by="its mailboxes carry" if capacity < facts.daily_new_lead_limit else "the campaign's limit is",
        conversion=f"{conversion:.1%} meetings per lead ({source})",
    )
    return PlanFigures(
        remaining_goal=remaining,
        business_days_left=days_left,
        conversion_rate=conversion,
        conversion_source=source,
        leads_needed_per_day=needed,
        capacity_per_day=capacity,
        daily_new_lead_limit=facts.daily_new_lead_limit,
        planned_new_leads=min(needed, allowed),
        verdict=goal_verdict(facts=facts, need=need, today=today),
        facts=facts,
    )


@dataclass(frozen=True)
class _Need:
    """What reaching the goal takes from today, as the verdict's sentences name it."""

    remaining: int
    days_left: int
    per_day: int
    allowed: int
    limited_by: str
    conversion: str

    def sentence(self) -> str:
        return f"{self.remaining} meetings to go in {self.days_left} business days at {self.conversion}"


def goal_verdict(*, facts: GoalFacts, need: _Need, today: date) -> GoalVerdict:
    """The goal's verdict, in this order: no goal, reached, over (the period ended short), off track (the
    leads needed a day exceed what the limits and mailboxes allow: what the planner escalates), not
    started (before the first day), at risk (needing over 80% of what is allowed, or a forecast at the
    pace so far below the target), on track."""
    if not facts.target or facts.start is None or facts.end is None:
        return GoalVerdict("no_goal", "Set a target and a goal period on the campaign to track it.")
    of_target = f"{facts.qualified} of {facts.target} qualified meetings"
    if facts.qualified >= facts.target:
        return GoalVerdict("reached", f"{of_target}: the goal is reached.", forecast=facts.qualified)
    if today > facts.end:
        return GoalVerdict("over", f"The goal period ended on {_day(facts.end)} with {of_target}.")
    if need.days_left == 0:
        return GoalVerdict("over", f"The goal period has no business days left, with {of_target}.")
    if need.per_day > need.allowed:
        return GoalVerdict(
            "off_track",
            f"{need.sentence()} needs {need.per_day} new leads a day, but {need.limited_by} {need.allowed}.",
        )
    if today < facts.start:
        return GoalVerdict(
            "not_started",
            f"The goal period starts on {_day(facts.start)}: {need.sentence()} needs {need.per_day} new leads "
            f"a day, within the {need.allowed} allowed.",
        )
    forecast, pace_sentence = _forecast(facts, need, today)
    if forecast is not None and forecast < facts.target:
        return GoalVerdict(
            "at_risk",
            f"{pace_sentence}; the plan needs {need.per_day} new leads a day for the remaining "
            f"{need.days_left} business days.",
            forecast=forecast,
        )
    if need.per_day > need.allowed * AT_RISK_SHARE_OF_CAPACITY:
        return GoalVerdict(
            "at_risk",
            f"{need.sentence()} needs {need.per_day} new leads a day, {need.per_day / need.allowed:.0%} of the "
            f"{need.allowed} allowed: little room for a slow day.",
            forecast=forecast,
        )
    pace_note = f"; {pace_sentence[0].lower()}{pace_sentence[1:]}" if forecast is not None else ""
    return GoalVerdict(
        "on_track",
        f"{need.sentence()}: {need.per_day} new leads a day, within the limit of {need.allowed}{pace_note}.",
        forecast=forecast,
    )


def _forecast(facts: GoalFacts, need: _Need, today: date) -> tuple[int | None, str]:
    """Qualified meetings expected by the end at the pace of the business days so far, and that said in
    words; (None, "") until enough of the period has passed to read a pace."""
    elapsed = business_days_between(facts.start, today - timedelta(days=1))
    period = business_days_between(facts.start, facts.end)
    if elapsed < max(PACE_MIN_BUSINESS_DAYS, math.ceil(period * PACE_MIN_SHARE_OF_PERIOD)):
        return None, ""
    pace = facts.qualified / elapsed
    forecast = facts.qualified + math.floor(pace * need.days_left)
    if facts.qualified == 0:
        return forecast, f"No qualified meeting yet after {elapsed} business days"
    return forecast, (
        f"At {pace * 5:.1f} qualified meetings a week the forecast is {forecast} of {facts.target} by {_day(facts.end)}"
    )


def _day(day: date) -> str:
    return f"{day.day} {day:%b %Y}"


@transaction.atomic
def campaign_plan_day(*, campaign: Campaign, today: date | None = None) -> CampaignPlan:
    """Today's plan: made at the day's first tick; later ticks reuse it unless a manager changed the campaign
    since (then the figures are decided again, keeping the leads already started)."""
    today = today or timezone.localdate()
    existing = CampaignPlan.objects.select_for_update().filter(campaign=campaign, day=today).first()
    if existing and campaign.updated_at <= existing.planned_at:
        return existing
    figures = plan_figures(campaign=campaign, today=today)
    planned, verdict = figures.planned_new_leads, figures.verdict
    if existing:
        return _replan(existing, campaign=campaign, figures=figures)
    plan = CampaignPlan.objects.create(
        workspace_id=campaign.workspace_id,
        campaign=campaign,
        day=today,
        remaining_goal=figures.remaining_goal,
        business_days_left=figures.business_days_left,
        conversion_rate=figures.conversion_rate,
        conversion_source=figures.conversion_source,
        leads_needed_per_day=figures.leads_needed_per_day,
        capacity_per_day=figures.capacity_per_day,
        planned_new_leads=planned,
        verdict=verdict.key,
        reason=verdict.reason,
    )
    audit_record(
        workspace=campaign.workspace,
        verb="campaign.planned",
        actor="agent:planner",
        target=campaign,
        after={"day": today, "planned_new_leads": planned, "verdict": verdict.key, "reason": verdict.reason},
    )
    _escalate_when_off_track(campaign=campaign, verdict=verdict, today=today)
    return plan


def _replan(plan: CampaignPlan, *, campaign: Campaign, figures: PlanFigures) -> CampaignPlan:
    before = {"planned_new_leads": plan.planned_new_leads, "verdict": plan.verdict, "reason": plan.reason}
    plan.remaining_goal = figures.remaining_goal
    plan.business_days_left = figures.business_days_left
    plan.conversion_rate = figures.conversion_rate
    plan.conversion_source = figures.conversion_source
    plan.leads_needed_per_day = figures.leads_needed_per_day
    plan.capacity_per_day = figures.capacity_per_day
    plan.planned_new_leads = figures.planned_new_leads
    plan.verdict, plan.reason = figures.verdict.key, figures.verdict.reason
    plan.planned_at = timezone.now()
    plan.save()
    audit_record(
        workspace=campaign.workspace,
        verb="campaign.replanned",
        actor="agent:planner",
        target=campaign,
        before=before,
        after={"planned_new_leads": plan.planned_new_leads, "verdict": plan.verdict, "reason": plan.reason},
    )
    _escalate_when_off_track(campaign=campaign, verdict=figures.verdict, today=plan.day)
    return plan


def _escalate_when_off_track(*, campaign: Campaign, verdict: GoalVerdict, today: date) -> None:
    # A person is asked exactly when the verdict is off track: the same verdict every page shows.
    if verdict.key == "off_track":
        handoff_open(
            run=None,
            workspace_id=campaign.workspace_id,
            campaign_id=campaign.pk,
            kind=Handoff.Kind.ESCALATION,
            reason=f"{campaign.name} cannot reach its goal within its limits: {verdict.reason} Raise the daily "
            "limit, add mailboxes, extend the period or lower the target.",
            dedupe_key=f"goal-at-risk:{campaign.pk}:{today.isoformat()}",
        )


@dataclass
class DayOrder:
    """The audience ranked, what the planner learned by segment, and the order it picks in today."""

    ranked: list[RankedLead]
    outcomes: dict[str, SegmentOutcomes]
    picks: Iterator[RankedLead]


def day_order(*, campaign: Campaign, today: date) -> DayOrder:
    """Audience → ranking → learning: today's order, the same for the tick and the Picks page (seeded by day)."""
    members = campaign_audience(campaign).members
    ranked = rank_audience(campaign=campaign, members=members, today=today)
    outcomes = segment_outcomes(campaign=campaign)
    picks = picks_order(ranked=ranked, outcomes=outcomes, rng=plan_rng(campaign_id=campaign.pk, day=today))
    return DayOrder(ranked=ranked, outcomes=outcomes, picks=picks)


def _candidates(leads: Iterator[RankedLead]) -> Iterator[EnrolmentCandidate]:
    for lead in leads:
        yield EnrolmentCandidate(
            contact_id=lead.contact_id,
            account_id=lead.account_id,
            reason=lead.reason,
            score=lead.score,
            segment=lead.segment,
        )


def _learned_today(*, campaign: Campaign, today: date, order: DayOrder) -> str:
    by_contact = {lead.contact_id: lead for lead in order.ranked}
    started_today = Enrolment.objects.filter(campaign=campaign, started_at__date=today).values_list(
        "contact_id", "segment"
    )
    picks = [
        by_contact.get(contact_id) or RankedLead(contact_id, 0, 0, 0, 0, 0, segment, "")
        for contact_id, segment in started_today
    ]
    return learned_sentence(outcomes=order.outcomes, picks=picks)


def campaign_tick(*, campaign: Campaign, today: date | None = None) -> TickResult:
    """Plan the day and create today's remaining runs (step 1). The caller enqueues them."""
    enrolments_release_finished(workspace_id=campaign.workspace_id)
    plan = campaign_plan_day(campaign=campaign, today=today)
    if campaign.status != Campaign.Status.ACTIVE:
        return TickResult(plan=plan, started_run_ids=[])
    today = plan.day
    with transaction.atomic():
        plan = CampaignPlan.objects.select_for_update().get(pk=plan.pk)
        to_start = plan.planned_new_leads - plan.started_new_leads
        if to_start <= 0:
            return TickResult(plan=plan, started_run_ids=[])
        order = day_order(campaign=campaign, today=today)
        enrolments = enrolment_start(campaign=campaign, candidates=_candidates(order.picks), count=to_start)
        runs = [
            AgentRun(
                workspace_id=campaign.workspace_id, campaign=campaign, contact_id=enrolment.contact_id, step_position=1
            )
            for enrolment in enrolments
        ]
        created = AgentRun.objects.bulk_create(runs, ignore_conflicts=False)
        plan.started_new_leads += len(created)
        plan.learned = _learned_today(campaign=campaign, today=today, order=order)
        plan.save(update_fields=["started_new_leads", "learned"])
    return TickResult(plan=plan, started_run_ids=[run.pk for run in created])
