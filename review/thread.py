"""The thread page's reads: one contact's whole conversation, with each agent step and human action
inline, oldest first."""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Q

from agents.conversations.models import InboundMessage
from agents.delivery.models import OutboundMessage
from agents.models import AgentStep, Handoff, TakeOver
from campaigns.models import Contact
from salesops.models import AuditEvent, Workspace

MAX_ENTRIES = 500


@dataclass(frozen=True)
class ThreadEntry:
    at: datetime
    kind: str  # "sent", "received", "step", "action"
    item: object


def contact_thread(*, workspace: Workspace, contact: Contact) -> list[ThreadEntry]:
    outbound = list(
        OutboundMessage.objects.filter(workspace=workspace, contact=contact).select_related("approved_by")[:MAX_ENTRIES]
    )
    inbound = list(InboundMessage.objects.filter(workspace=workspace, contact=contact).defer("raw")[:MAX_ENTRIES])
    steps = list(
        AgentStep.objects.filter(workspace=workspace, run__contact=contact).only(
            "agent", "decision", "confidence", "error", "provider", "model", "prompt_version", "created_at", "run_id"
        )[:MAX_ENTRIES]
    )
    handoff_ids = [
        str(pk) for pk in Handoff.objects.filter(workspace=workspace, contact=contact).values_list("pk", flat=True)
    ]
    message_ids = [str(message.pk) for message in outbound]
    actions = list(
        AuditEvent.objects.filter(workspace=workspace)
        .filter(
            Q(target_type="campaigns.contact", target_id=str(contact.pk))
            | Q(target_type="agents.handoff", target_id__in=handoff_ids)
            | Q(target_type="agents.outboundmessage", target_id__in=message_ids)
        )
        .order_by("created_at")[:MAX_ENTRIES]
    )
    entries = (
        [ThreadEntry(message.sent_at or message.created_at, "sent", message) for message in outbound]
        + [ThreadEntry(message.received_at, "received", message) for message in inbound]
        + [ThreadEntry(step.created_at, "step", step) for step in steps]
        + [ThreadEntry(event.created_at, "action", event) for event in actions]
    )
    return sorted(entries, key=lambda entry: entry.at)


def latest_handoff(*, workspace: Workspace, contact: Contact) -> Handoff | None:
    return Handoff.objects.filter(workspace=workspace, contact=contact).order_by("-created_at").first()


def take_over_of(*, contact: Contact) -> TakeOver | None:
    return TakeOver.objects.filter(contact=contact).select_related("user").first()
