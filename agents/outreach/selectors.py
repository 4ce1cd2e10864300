"""Reads of what the agents did, always within one workspace."""

from django.db.models import QuerySet

from agents.delivery.models import OutboundMessage
from agents.models import AgentRun, AgentStep, Handoff
from campaigns.models import Contact
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
