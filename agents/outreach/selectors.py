"""Reads of what the agents did, always within one workspace."""

from dataclasses import dataclass
from datetime import date

from django.db.models import QuerySet

from agents.delivery.models import OutboundMessage
from agents.models import AgentRun, AgentStep, CampaignPlan, Handoff
from agents.outreach.planning import day_order
from agents.outreach.ranking import RankedLead
from campaigns.enrolment import enrolment_waits
from campaigns.models import Campaign, CampaignLeadChoice, Contact, Enrolment
from salesops.models import Workspace


def runs_list(*, workspace: Workspace, outcome: str = "", campaign_id: int | None = None) -> QuerySet[AgentRun]:
    runs = AgentRun.objects.filter(workspace=workspace).select_related("campaign", "contact__account")
    if outcome:
        runs = runs.filter(outcome=outcome)
    if campaign_id:
        runs = runs.filter(campaign_id=campaign_id)
    return runs.order_by("-created_at", "-id")


def run_get(*, workspace: Workspace, run_id: int) -> AgentRun:
    return AgentRun.objects.select_related("campaign", "contact__account").get(workspace=workspace, pk=run_id)


def run_steps(*, run: AgentRun) -> list[AgentStep]:
    return list(AgentStep.objects.filter(run=run).order_by("created_at", "id"))


def run_handoffs(*, run: AgentRun) -> list[Handoff]:
    return list(Handoff.objects.filter(run=run).select_related("decided_by", "assignee").order_by("created_at"))


def contact_get(*, workspace: Workspace, contact_id: int) -> Contact:
    return Contact.objects.select_related("account").get(workspace=workspace, pk=contact_id)


def contact_runs(*, contact: Contact) -> list[AgentRun]:
    return list(AgentRun.objects.filter(contact=contact).select_related("campaign").order_by("-created_at"))


def contact_messages(*, contact: Contact) -> list[OutboundMessage]:
    return list(OutboundMessage.objects.filter(contact=contact).select_related("approved_by").order_by("created_at"))


@dataclass
class PickRow:
    contact: Contact
    lead: RankedLead | None  # None: excluded, or only its new choice is known (after a swap)
    choice: str  # "pin", "exclude" or ""
    enrolment: Enrolment | None = None
    # Why the enrolment rules would skip this lead now ("a colleague was enrolled recently"); "" when none.
    waits: str = ""


@dataclass
class CampaignPicks:
    today: date
    picked_today: list[PickRow]
    upcoming: list[PickRow]
    excluded: list[PickRow]
    learned: str


def campaign_get(*, workspace: Workspace, campaign_id: int) -> Campaign:
    return Campaign.objects.select_related("icp_version").get(workspace=workspace, pk=campaign_id)


def campaign_picks(*, campaign: Campaign, today: date, upcoming: int = 50) -> CampaignPicks:
    """Today's enrolments with their reasons, the next leads in the order the tick would take them, and the
    leads a manager excluded (so they can be undone)."""
    enrolled_today = list(
        Enrolment.objects.filter(campaign=campaign, started_at__date=today)
        .select_related("contact__account")
        .order_by("started_at", "pk")
    )
    choices = dict(CampaignLeadChoice.objects.filter(campaign=campaign).values_list("contact_id", "choice"))
    order = day_order(campaign=campaign, today=today)
    leads = [lead for _, lead in zip(range(upcoming), order.picks, strict=False)]
    excluded_ids = [contact_id for contact_id, choice in choices.items() if choice == CampaignLeadChoice.Choice.EXCLUDE]
    contacts = Contact.objects.select_related("account").in_bulk([lead.contact_id for lead in leads] + excluded_ids)
    waits = enrolment_waits(campaign=campaign, contact_ids=[lead.contact_id for lead in leads])
    plan = CampaignPlan.objects.filter(campaign=campaign, day=today).first()
    return CampaignPicks(
        today=today,
        picked_today=[
            PickRow(contact=e.contact, lead=None, choice=choices.get(e.contact_id, ""), enrolment=e)
            for e in enrolled_today
        ],
        upcoming=[
            PickRow(
                contact=contacts[lead.contact_id],
                lead=lead,
                choice=choices.get(lead.contact_id, ""),
                waits=waits.get(lead.contact_id, ""),
            )
            for lead in leads
            if lead.contact_id in contacts
        ],
        excluded=[
            PickRow(contact=contacts[contact_id], lead=None, choice=CampaignLeadChoice.Choice.EXCLUDE)
            for contact_id in excluded_ids
            if contact_id in contacts
        ],
        learned=plan.learned if plan else "",
    )


def pick_row(*, campaign: Campaign, contact: Contact) -> PickRow:
    choice = CampaignLeadChoice.objects.filter(campaign=campaign, contact=contact).values_list("choice", flat=True)
    return PickRow(contact=contact, lead=None, choice=next(iter(choice), ""))
