"""Prospects who answered "not now": the sequence resumes on the day they named."""

from datetime import date

from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from agents.conversations.models import InboundMessage
from agents.handoffs import handoff_open
from agents.models import AgentRun, Handoff, TakeOver
from campaigns.models import Campaign, Contact


def not_now_follow_ups(*, campaign: Campaign, today: date | None = None, limit: int = 500) -> list[int]:
    """Prospects who answered "not now, try again in Q1" get the next step of the sequence on that day
    (drafted, verified and routed like any step); a person decides when no step is left."""
    if campaign.status != Campaign.Status.ACTIVE:
        return []
    today = today or timezone.localdate()
    positions = sorted(campaign.steps.values_list("position", flat=True))
    said_not_now = InboundMessage.objects.filter(contact_id=OuterRef("pk"), category="not_now")
    due = (
        Contact.objects.filter(
            workspace_id=campaign.workspace_id,
            status=Contact.Status.REPLIED,
            sequence_resume_on__lte=today,
            runs__campaign=campaign,
        )
        .filter(Exists(said_not_now))
        .exclude(Exists(TakeOver.objects.filter(contact_id=OuterRef("pk"))))
        .distinct()[:limit]
    )
    created: list[int] = []
    for contact in due:
        done = set(
            AgentRun.objects.filter(campaign=campaign, contact=contact, inbound_message__isnull=True).values_list(
                "step_position", flat=True
            )
        )
        remaining = [position for position in positions if position not in done and position > 1]
        with transaction.atomic():
            Contact.objects.filter(pk=contact.pk).update(sequence_resume_on=None, status=Contact.Status.IN_SEQUENCE)
            if not remaining:
                handoff_open(
                    run=None,
                    workspace_id=campaign.workspace_id,
                    kind=Handoff.Kind.REPLY_REVIEW,
                    reason=f"{contact.name} asked to be contacted again today; the sequence has no step left.",
                    campaign_id=campaign.pk,
                    contact_id=contact.pk,
                    dedupe_key=f"not-now:{contact.pk}:{today.isoformat()}",
                )
                continue
            run = AgentRun.objects.create(
                workspace_id=campaign.workspace_id, campaign=campaign, contact=contact, step_position=remaining[0]
            )
        created.append(run.pk)
    return created
