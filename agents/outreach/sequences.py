"""Follow-ups: when step N's email was sent and step N+1's delay (in business days) has passed with no
reply, bounce, unsubscribe, meeting, take-over or ended enrolment, the next step starts through the same pipeline
(drafted, verified and routed like the first email). The caller enqueues the runs it returns."""

from datetime import date, timedelta

from django.db import IntegrityError, transaction
from django.db.models import Exists, F, OuterRef
from django.utils import timezone

from agents.delivery.models import OutboundMessage
from agents.delivery.suppression import suppressions_covering
from agents.models import AgentRun, TakeOver
from campaigns.models import Campaign, Contact, Enrolment
from salesops.business_days import business_days_between
from salesops.time_zones import zone_or_utc


def business_days_after(sent_on: date, today: date) -> int:
    """Business days that have passed since `sent_on` (that day itself not counted)."""
    return business_days_between(sent_on + timedelta(days=1), today)


def sequence_next_runs(*, campaign: Campaign, today: date | None = None, limit: int = 500) -> list[int]:
    """Create the AgentRuns of the follow-ups that are due now; their ids (the caller enqueues them)."""
    if campaign.status != Campaign.Status.ACTIVE:
        return []
    delays = dict(campaign.steps.values_list("position", "delay_business_days"))
    if len(delays) < 2:
        return []
    workspace_zone = zone_or_utc(campaign.workspace.default_time_zone)
    today = today or timezone.now().astimezone(workspace_zone).date()
    later = OutboundMessage.objects.filter(
        campaign_id=campaign.pk, contact_id=OuterRef("contact_id"), step_position__gt=OuterRef("step_position")
    )
    next_run = AgentRun.objects.filter(
        campaign_id=campaign.pk, contact_id=OuterRef("contact_id"), step_position=OuterRef("step_position") + 1
    )
    ended_enrolment = Enrolment.objects.filter(
        campaign_id=campaign.pk, contact_id=OuterRef("contact_id"), status=Enrolment.Status.ENDED
    )
    # The address and the domain the sequence's last email went to (the scheduler records the domain).
    suppressed = suppressions_covering(
        workspace_id=campaign.workspace_id, email=OuterRef("contact__email"), domain=OuterRef("recipient_domain")
    )
    candidates = (
        OutboundMessage.objects.filter(
            campaign_id=campaign.pk,
            status=OutboundMessage.Status.SENT,
            step_position__lt=max(delays),
            contact__status=Contact.Status.IN_SEQUENCE,
            bounced_at__isnull=True,
            complained_at__isnull=True,
            thread__replied_at__isnull=True,
        )
        # "Out of office until …": no step is drafted before the contact is back.
        .exclude(contact__sequence_resume_on__gt=today)
        .exclude(Exists(later))
        .exclude(Exists(next_run))
        .exclude(Exists(suppressed))
        .exclude(Exists(TakeOver.objects.filter(contact_id=OuterRef("contact_id"))))
        # An ended enrolment (the contact was blocked, the campaign completed …) ends the sequence. Leads
        # started before enrolments existed have none and go on.
        .exclude(Exists(ended_enrolment))
        .annotate(next_step=F("step_position") + 1)
        .values_list("contact_id", "next_step", "sent_at")
        .order_by("sent_at")
    )
    created: list[int] = []
    for contact_id, next_step, sent_at in candidates.iterator(chunk_size=1000):
        if len(created) >= limit:
            break
        if next_step not in delays:
            continue
        if business_days_after(sent_at.astimezone(workspace_zone).date(), today) < delays[next_step]:
            continue
        try:
            with transaction.atomic():
                run = AgentRun.objects.create(
                    workspace_id=campaign.workspace_id,
                    campaign=campaign,
                    contact_id=contact_id,
                    step_position=next_step,
                )
        except IntegrityError:  # another tick created it first
            continue
        created.append(run.pk)
    return created
