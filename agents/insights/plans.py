"""Today's plan as the campaign page shows it. Apart from selectors because the pipeline reads the writer's
examples from there, and the planner imports the pipeline."""

from dataclasses import dataclass
from datetime import date

from django.utils import timezone

from agents.delivery.models import OutboundMessage
from agents.models import AgentRun, CampaignPlan, Handoff
from agents.outreach import planning
from campaigns.models import Campaign


@dataclass
class TodayPlan:
    """Today's plan toward the goal: the one the tick made, or, before it has run, what it would make."""

    day: date
    # A stored CampaignPlan or the planner's PlanFigures: both carry the same figures by the same names.
    figures: "CampaignPlan | planning.PlanFigures"
    made: bool
    started_today: int
    daily_new_lead_limit: int
    qualified_meetings: int
    leads_contacted: int
    in_flight: dict
    observed_from: int = planning.MIN_LEADS_FOR_OBSERVED_CONVERSION


def campaign_plan_today(*, campaign: Campaign, today: date | None = None) -> TodayPlan:
    """The planner's own figures (agents.outreach.planning), never a second computation, and what is already under
    way: runs being worked, items waiting for a person, emails not yet sent."""
    today = today or timezone.localdate()
    stored = CampaignPlan.objects.filter(campaign=campaign, day=today).first()
    figures = stored or planning.plan_figures(campaign=campaign, today=today)
    runs_working = AgentRun.objects.filter(
        campaign=campaign, status__in=[AgentRun.Status.PENDING, AgentRun.Status.RUNNING]
    ).count()
    waiting = Handoff.objects.filter(
        campaign=campaign, status__in=[Handoff.Status.OPEN, Handoff.Status.SNOOZED]
    ).count()
    unsent = OutboundMessage.objects.filter(
        campaign=campaign,
        status__in=[OutboundMessage.Status.QUEUED, OutboundMessage.Status.SCHEDULED, OutboundMessage.Status.SENDING],
    ).count()
    return TodayPlan(
        day=today,
        figures=figures,
        made=stored is not None,
        started_today=stored.started_new_leads if stored else 0,
        daily_new_lead_limit=campaign.daily_new_lead_limit,
        qualified_meetings=planning.qualified_meetings_booked(campaign),
        leads_contacted=planning.leads_contacted(campaign),
        in_flight={"runs_working": runs_working, "waiting_for_person": waiting, "emails_unsent": unsent},
    )
