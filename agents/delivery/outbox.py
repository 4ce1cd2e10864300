"""The outbox's two doors: an approved or autonomously routed draft becomes a queued OutboundMessage, and
what is still waiting for a contact is called back (cancelled, with the reason) when they must not get it."""

from agents.delivery.models import OutboundMessage
from agents.models import AgentRun
from campaigns.models import Contact
from salesops.audit import audit_record

# Waiting to leave: queued for a slot, or holding one. A message already being sent cannot be called back.
PENDING_STATUSES = [OutboundMessage.Status.QUEUED, OutboundMessage.Status.SCHEDULED]


def outbound_queue(
    *, run: AgentRun, subject: str | None = None, body: str | None = None, approved_by=None, sent_without_person=False
) -> OutboundMessage:
    """Queue the run's draft (or a person's version of it) for delivery, once per (campaign, contact, step)."""
    draft = run.draft or {}
    key = (
        f"reply:{run.inbound_message_id}"
        if run.inbound_message_id
        else f"campaign:{run.campaign_id}:contact:{run.contact_id}:step:{run.step_position}"
    )
    message, created = OutboundMessage.objects.get_or_create(
        workspace_id=run.workspace_id,
        idempotency_key=key,
        defaults={
            "campaign_id": run.campaign_id,
            "contact_id": run.contact_id,
            "run": run,
            # An answer stays in the thread of the reply it answers.
            "thread_id": run.inbound_message.thread_id if run.inbound_message_id else None,
            "step_position": run.step_position,
            "subject": subject if subject is not None else draft.get("subject", ""),
            "body_text": body if body is not None else draft.get("body", ""),
            "claims": draft.get("claims", []),
            "approved_by": approved_by,
            "sent_without_person": sent_without_person,
        },
    )
    if created:
        Contact.objects.filter(pk=run.contact_id, status=Contact.Status.NEW).update(status=Contact.Status.IN_SEQUENCE)
        audit_record(
            workspace=run.campaign.workspace,
            verb="outbound.queued",
            actor=approved_by.email if approved_by else "agent:router",
            actor_user=approved_by,
            target=message,
            after={"subject": message.subject, "without_person": sent_without_person},
        )
    return message


def cancel_pending_messages(*, workspace_id: int, contact_ids: list[int], reason: str, text: str) -> int:
    """Cancel the contacts' queued and scheduled emails (every campaign of the workspace), recording why
    (`reason`, a short key such as "unsubscribed") and the sentence the outbox shows. Returns how many."""
    return OutboundMessage.objects.filter(
        workspace_id=workspace_id, contact_id__in=contact_ids, status__in=PENDING_STATUSES
    ).update(status=OutboundMessage.Status.CANCELLED, cancel_reason=reason, decision=text[:300])
