"""The campaign tick: plan the day toward the goal, start that many new leads, say whether it is on track.

The leads are the campaign's audience (campaigns.audience), ranked with reasons (ranking), ordered by what
converts (learning) and enrolled under the enrolment rules (campaigns.enrolment); each new enrolment gets
its first run in the same transaction."""

import math
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone

from agents.delivery.models import Mailbox, OutboundMessage
from agents.handoffs import handoff_open
from agents.models import AgentRun, CampaignPlan, Handoff
from agents.outreach.enrolments import enrolments_release_finished
from agents.outreach.learning import SegmentOutcomes, learned_sentence, picks_order, plan_rng, segment_outcomes
from agents.outreach.ranking import RankedLead, rank_audience
from campaigns.audience import campaign_audience
from campaigns.enrolment import EnrolmentCandidate, enrolment_start
from campaigns.models import Campaign, Enrolment
from salesops.audit import audit_record
from salesops.business_days import business_days_between

# Until a campaign has contacted this many leads, its conversion rate is the default below.
MIN_LEADS_FOR_OBSERVED_CONVERSION = 50
DEFAULT_MEETINGS_PER_LEAD = Decimal("0.03")


@dataclass(frozen=True)
class TickResult:
    plan: CampaignPlan
    started_run_ids: list[int]


def qualified_meetings_booked(campaign: Campaign) -> int:
    """The campaign goal's count: its meetings held and marked qualified.

    Read through the campaign's `meetings` relation: the meetings step depends on outreach (it books what
    outreach started), so outreach names the table without importing it."""
    meetings = campaign.meetings
    return meetings.filter(qualified=True, status=meetings.model.Status.HELD).count()


def leads_contacted(campaign: Campaign) -> int:
    """Leads the campaign has written to (first emails approved to leave): what conversion is measured over."""
    return OutboundMessage.objects.filter(campaign=campaign, step_position=1).count()


def _conversion(campaign: Campaign) -> tuple[Decimal, str]:
    contacted = leads_contacted(campaign)
    if contacted >= MIN_LEADS_FOR_OBSERVED_CONVERSION:
        booked = qualified_meetings_booked(campaign)
        return max(Decimal(booked) / contacted, Decimal("0.005")), "observed"
    return DEFAULT_MEETINGS_PER_LEAD, "default"


def _mailbox_capacity(campaign: Campaign, today: date | None = None) -> int:
    # New leads a day the campaign's mailboxes can carry: each active mailbox's allowance today (cap and
    # warm-up ramp), shared equally by the active campaigns using it, divided by the sequence's length
    # (in steady state every new lead costs one email per step). Without any mailbox the daily lead
    # limit stands: drafts can be reviewed meanwhile, and the scheduler opens an exception for it.
    mailboxes = list(
        Mailbox.objects.filter(campaigns=campaign, status=Mailbox.Status.ACTIVE).annotate(
            active_campaigns=Count("campaigns", filter=Q(campaigns__status=Campaign.Status.ACTIVE))
        )
    )
    if not mailboxes:
        return campaign.daily_new_lead_limit
    today = today or timezone.localdate()
    sends = sum(mailbox.allowed_on(today) / max(1, mailbox.active_campaigns) for mailbox in mailboxes)
    return int(sends // max(1, campaign.steps.count()))


@dataclass(frozen=True)
class PlanFigures:
    """How many new leads to start today toward the goal, and why."""

    remaining_goal: int
    business_days_left: int
    conversion_rate: Decimal
    conversion_source: str  # "default" or "observed"
    leads_needed_per_day: int
    capacity_per_day: int
    daily_new_lead_limit: int
    planned_new_leads: int
    on_track: bool
    reason: str


def plan_figures(*, campaign: Campaign, today: date | None = None) -> PlanFigures:
    """The day's plan as the tick computes it, without storing anything (the campaign page previews it
    before the tick has run)."""
    today = today or timezone.localdate()
    remaining = max(0, campaign.goal_target - qualified_meetings_booked(campaign))
    days_left = business_days_between(max(today, campaign.goal_start or today), campaign.goal_end or today)
    conversion, source = _conversion(campaign)
    needed = math.ceil(remaining / conversion / days_left) if remaining and days_left else 0
    capacity = _mailbox_capacity(campaign, today)
    planned = min(needed, campaign.daily_new_lead_limit, capacity)
    on_track = remaining == 0 or (days_left > 0 and needed <= min(campaign.daily_new_lead_limit, capacity))
    if remaining == 0:
        reason = "The goal is reached."
    elif days_left == 0:
        reason = "The goal period has no business days left."
    elif on_track:
        reason = (
            f"{remaining} meetings to go in {days_left} business days at {conversion:.1%} meetings per lead "
            f"({source}): {needed} new leads a day, within the limit of {campaign.daily_new_lead_limit}."
        )
    else:
        reason = (
            f"{remaining} meetings to go in {days_left} business days at {conversion:.1%} meetings per lead "
            f"({source}) needs {needed} new leads a day, but the limit is "
            f"{min(campaign.daily_new_lead_limit, capacity)}."
        )
    return PlanFigures(
        remaining_goal=remaining,
        business_days_left=days_left,
        conversion_rate=conversion,
        conversion_source=source,
        leads_needed_per_day=needed,
        capacity_per_day=capacity,
        daily_new_lead_limit=campaign.daily_new_lead_limit,
        planned_new_leads=planned,
        on_track=on_track,
        reason=reason,
    )


@transaction.atomic
def campaign_plan_day(*, campaign: Campaign, today: date | None = None) -> CampaignPlan:
    """Today's plan (made once a day; later ticks reuse it)."""
    today = today or timezone.localdate()
    existing = CampaignPlan.objects.select_for_update().filter(campaign=campaign, day=today).first()
    if existing:
        return existing
    figures = plan_figures(campaign=campaign, today=today)
    planned, on_track, reason = figures.planned_new_leads, figures.on_track, figures.reason
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
        on_track=on_track,
        reason=reason,
    )
    audit_record(
        workspace=campaign.workspace,
        verb="campaign.planned",
        actor="agent:planner",
        target=campaign,
        after={"day": today, "planned_new_leads": planned, "on_track": on_track, "reason": reason},
    )
    if not on_track:
        handoff_open(
            run=None,
            workspace_id=campaign.workspace_id,
            campaign_id=campaign.pk,
            kind=Handoff.Kind.ESCALATION,
            reason=f"{campaign.name} cannot reach its goal within its limits: {reason} Raise the daily limit, "
            "add mailboxes, extend the period or lower the target.",
            dedupe_key=f"goal-at-risk:{campaign.pk}:{today.isoformat()}",
        )
    return plan


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
