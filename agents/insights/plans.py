"""Today's plan as the campaign page shows it: the planner's figures and verdict, the tick's stored plan, what
is in flight, and what keeps the campaign's emails from leaving."""

from dataclasses import dataclass
from datetime import date

from django.utils import timezone

from agents.delivery.models import OutboundMessage
from agents.delivery.selectors import campaign_send_blockers
from agents.models import AgentRun, CampaignPlan, Handoff
from agents.outreach import planning
from campaigns.models import Campaign


@dataclass
class TodayPlan:
    """Today toward the goal: the planner's figures and verdict as they stand now, and the plan the tick
    made this morning (None before it has run)."""

    day: date
    figures: planning.PlanFigures
    stored: CampaignPlan | None
    daily_new_lead_limit: int
    in_flight: dict
    # What keeps the campaign's emails from leaving today (agents.delivery.selectors.campaign_send_blockers).
    send_blockers: list[str]
    observed_from: int = planning.MIN_LEADS_FOR_OBSERVED_CONVERSION

    @property
    def made(self) -> bool:
        return self.stored is not None

    @property
    def planned_new_leads(self) -> int:
        """What the tick set out to start today; before it has run, what it would."""
        return self.stored.planned_new_leads if self.stored else self.figures.planned_new_leads

    @property
    def started_today(self) -> int:
        return self.stored.started_new_leads if self.stored else 0

    @property
    def verdict(self) -> planning.GoalVerdict:
        return self.figures.verdict

    @property
    def qualified_meetings(self) -> int:
        return self.figures.facts.qualified

    @property
    def leads_contacted(self) -> int:
        return self.figures.facts.leads_contacted


def campaign_plan_today(*, campaign: Campaign, today: date | None = None) -> TodayPlan:
    """The planner's own figures and verdict (agents.outreach.planning), never a second computation, computed
    now so that the page agrees with the dashboard (a limit raised or a meeting qualified since the tick
    shows at once); the tick's stored plan for what it started; and what is already under way: runs being
    worked, items waiting for a person, emails not yet sent."""
    today = today or timezone.localdate()
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
        figures=planning.plan_figures(campaign=campaign, today=today),
        stored=CampaignPlan.objects.filter(campaign=campaign, day=today).first(),
        daily_new_lead_limit=campaign.daily_new_lead_limit,
        in_flight={"runs_working": runs_working, "waiting_for_person": waiting, "emails_unsent": unsent},
        send_blockers=campaign_send_blockers(campaign=campaign, today=today),
    )
