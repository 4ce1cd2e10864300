"""What the review inbox needs from the agents beyond the handoff decisions: a person who took a
contact's conversation over writes to the contact from the app."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from agents.models import Handoff, OutboundMessage, TakeOver
from salesops.audit import actor_label, audit_record
from salesops.models import Membership, Role


@transaction.atomic
def person_message_queue(
    *, handoff: Handoff, actor: Membership, subject: str, body: str, token: str
) -> OutboundMessage:
    """Queue an email a person wrote to a contact they took over. No agent wrote it, so the verifier
    does not gate it; it is audited, and the first one is kept on the handoff beside the agent's
    draft (the difference is shown). `token` comes from the form, so a double submit sends once."""
    handoff = (
        Handoff.objects.select_for_update(of=("self",))
        .select_related("run")
        .get(pk=handoff.pk, workspace=actor.workspace)
    )
    if handoff.contact_id is None or handoff.campaign_id is None:
        raise ValidationError("This item has no contact to write to.")
    take_over = TakeOver.objects.filter(workspace=actor.workspace, contact_id=handoff.contact_id).first()
    if take_over is None:
        raise ValidationError("Take the conversation over before writing to this contact.")
    if take_over.user_id != actor.user_id and not actor.has_role(Role.MANAGER):
        raise PermissionDenied("Only the person who took this conversation over, or a manager, writes here.")
    subject, body, token = subject.strip(), body.strip(), token.strip()
    if not subject or not body:
        raise ValidationError("Write a subject and a message.")
    if not token or len(token) > 64:
        raise ValidationError("The form is out of date: reload the page and send again.")
    message, created = OutboundMessage.objects.get_or_create(
        workspace_id=actor.workspace_id,
        idempotency_key=f"person:{handoff.contact_id}:{token}",
        defaults={
            "campaign_id": handoff.campaign_id,
            "contact_id": handoff.contact_id,
            "step_position": handoff.run.step_position if handoff.run else 1,
            "subject": subject[:300],
            "body_text": body,
            "approved_by": actor.user,
        },
    )
    if created:
        if handoff.decision == Handoff.Decision.TAKEN_OVER and not handoff.final_body:
            handoff.final_subject, handoff.final_body = subject[:300], body
            handoff.save(update_fields=["final_subject", "final_body", "updated_at"])
        audit_record(
            workspace=actor.workspace,
            verb="outbound.written_by_person",
            actor=actor_label(actor.user),
            actor_user=actor.user,
            target=message,
            after={"subject": message.subject, "handoff": handoff.pk},
        )
    return message
