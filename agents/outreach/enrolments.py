"""Ending the enrolments whose sequence is over, and lifting a contact's block. These live in outreach
rather than beside the enrolment rules (campaigns.enrolment) because they read what the agents did: runs,
outbound messages, handoffs."""

from datetime import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Exists, F, OuterRef, Subquery
from django.utils import timezone

from agents.delivery.models import OutboundMessage
from agents.models import AgentRun, Handoff
from campaigns.enrolment import BLOCK_END_REASONS
from campaigns.models import Campaign, Contact, ContactBlock, Enrolment, SequenceStep
from salesops.audit import member_audit
from salesops.models import Membership, Role

# Why an enrolment ended when its contact's status says the sequence is over.
STATUS_END_REASONS = {
    Contact.Status.REPLIED: "The contact replied",
    Contact.Status.MEETING_BOOKED: "A meeting was booked",
    Contact.Status.UNSUBSCRIBED: "The contact unsubscribed",
    Contact.Status.BOUNCED: "The address bounced",
    Contact.Status.DO_NOT_CONTACT: "Marked do not contact",
}
CAMPAIGN_COMPLETED = "The campaign is completed"
FIRST_EMAIL_REJECTED = "The first email was rejected in review"
FIRST_EMAIL_DROPPED = "The first email was dropped (disqualified, or its exception dismissed)"
FIRST_RUN_FAILED = "The first email failed before it was sent, and nobody is retrying it"
SEQUENCE_SENT = "Sequence finished: the last step was sent"
SEQUENCE_STOPPED = "Sequence stopped: an email was cancelled, failed or dropped"

UNFINISHED_RUN_STATUSES = (AgentRun.Status.PENDING, AgentRun.Status.RUNNING, AgentRun.Status.WAITING)
WAITING_MESSAGE_STATUSES = (
    OutboundMessage.Status.QUEUED,
    OutboundMessage.Status.SCHEDULED,
    OutboundMessage.Status.SENDING,
    OutboundMessage.Status.UNKNOWN,
)


def _of_enrolment(queryset):
    """Rows of the enrolment's campaign and contact (for an Exists over enrolments)."""
    return queryset.filter(campaign_id=OuterRef("campaign_id"), contact_id=OuterRef("contact_id"))


def _sequence_runs():
    return _of_enrolment(AgentRun.objects.filter(inbound_message__isnull=True))


def _first_runs():
    return _sequence_runs().filter(step_position=1)


def _sequence_messages():
    # Answers to replies (step 0) belong to the conversation, not to the sequence.
    return _of_enrolment(OutboundMessage.objects.filter(step_position__gte=1))


def _end(active, reason: str, now: datetime) -> int:
    return active.update(status=Enrolment.Status.ENDED, ended_at=now, end_reason=reason)


def enrolments_release_finished(*, workspace_id: int, now: datetime | None = None) -> dict[str, int]:
    """End the workspace's active enrolments whose sequence is over, saying why, and follow contacts who
    moved to another account. Safe to run at any time, and again; returns how many ended per reason.

    Each rule is one UPDATE over the active enrolments (the first rule that applies names the reason):
    - the contact's status is no longer "new" or "in sequence" (replied, meeting booked, unsubscribed,
      bounced, do not contact). A contact who answered "not now" (replied, with a day to resume on) stays
      enrolled: the sequence resumes on that day (conversations.follow_ups);
    - the contact has a standing block;
    - the campaign is completed;
    - the first run was dropped (rejected in review, disqualified, its exception dismissed), or failed
      without a first email and no inbox item waits on it any more (a person may still retry an open one);
    - the sequence is over: nothing of it is pending (no run pending, running or waiting for a person, no
      email queued, scheduled, sending or of unknown outcome) and either the last step's email was sent,
      or an email of it was cancelled or failed, or a step's run was dropped: in those cases
      `sequence_next_runs` never starts the next step, so nothing more would happen.

    A contact moved to another account mid-sequence keeps the enrolment: it moves to the new account,
    without a slot there (it did not ask for one; it counts against the new account's limit all the same),
    and its note says so."""
    now = now or timezone.now()
    active = Enrolment.objects.filter(workspace_id=workspace_id, status=Enrolment.Status.ACTIVE)
    ended: dict[str, int] = {}

    def end(queryset, reason: str) -> None:
        count = _end(queryset, reason, now)
        if count:
            ended[reason] = count

    for status, reason in STATUS_END_REASONS.items():
        finished = active.filter(contact__status=status)
        if status == Contact.Status.REPLIED:
            finished = finished.filter(contact__sequence_resume_on__isnull=True)
        end(finished, reason)
    standing = ContactBlock.objects.filter(contact_id=OuterRef("contact_id"), lifted_at__isnull=True)
    for reason, end_reason in BLOCK_END_REASONS.items():
        end(active.filter(Exists(standing.filter(reason=reason))), end_reason)
    end(active.filter(campaign__status=Campaign.Status.COMPLETED), CAMPAIGN_COMPLETED)

    dropped = _first_runs().filter(outcome=AgentRun.Outcome.DROPPED)
    rejected = dropped.filter(Exists(Handoff.objects.filter(run_id=OuterRef("pk"), decision=Handoff.Decision.REJECTED)))
    end(active.filter(Exists(rejected)), FIRST_EMAIL_REJECTED)
    end(active.filter(Exists(dropped)), FIRST_EMAIL_DROPPED)
    waited_on = Handoff.objects.filter(run_id=OuterRef("pk"), status__in=[Handoff.Status.OPEN, Handoff.Status.SNOOZED])
    given_up = _first_runs().filter(status=AgentRun.Status.FAILED).exclude(Exists(waited_on))
    end(active.filter(Exists(given_up)).exclude(Exists(_sequence_messages().filter(step_position=1))), FIRST_RUN_FAILED)

    idle = active.exclude(Exists(_sequence_runs().filter(status__in=UNFINISHED_RUN_STATUSES))).exclude(
        Exists(_of_enrolment(OutboundMessage.objects.filter(status__in=WAITING_MESSAGE_STATUSES)))
    )
    last_position = Subquery(
        SequenceStep.objects.filter(campaign_id=OuterRef(OuterRef("campaign_id")))
        .order_by("-position")
        .values("position")[:1]
    )
    last_sent = _sequence_messages().filter(status=OutboundMessage.Status.SENT, step_position__gte=last_position)
    end(idle.filter(Exists(last_sent)), SEQUENCE_SENT)
    stopped_message = _sequence_messages().filter(
        status__in=[OutboundMessage.Status.CANCELLED, OutboundMessage.Status.FAILED]
    )
    stopped_run = _sequence_runs().filter(step_position__gt=1, outcome=AgentRun.Outcome.DROPPED)
    end(idle.filter(Exists(stopped_message) | Exists(stopped_run)), SEQUENCE_STOPPED)

    moved = _follow_moved_contacts(active)
    if moved:
        ended["moved"] = moved
    return ended


def _follow_moved_contacts(active) -> int:
    """Move the enrolments of contacts whose account changed to the contact's account (one read, one
    bulk update: moves are rare). Returns how many moved."""
    moved = list(
        active.exclude(account_id=F("contact__account_id"))
        .select_related("account", "contact__account")
        .only("pk", "note", "account__name", "contact__account__name", "contact__account_id")
    )
    for enrolment in moved:
        old, new = enrolment.account, enrolment.contact.account
        moved_note = f"Moved from {old.name} to {new.name} mid-sequence"
        enrolment.note = "; ".join(part for part in (enrolment.note, moved_note) if part)[-300:]
        enrolment.account_id = new.pk
        enrolment.account_slot = None
    Enrolment.objects.bulk_update(moved, ["account", "account_slot", "note"])
    return len(moved)


@transaction.atomic
def contact_block_lift(*, block: ContactBlock, actor: Membership, now: datetime | None = None) -> ContactBlock:
    """A manager undoes a "do not contact" or "off-target" decision: campaigns may pick the contact again.
    Lifting "do not contact" also gives the contact back a status campaigns work with: "in sequence" when
    it was ever emailed (it is not new to us), else "new". Enrolments the block ended stay ended."""
    if not actor.has_role(Role.MANAGER):
        raise PermissionDenied("Only a manager or an admin can lift a block.")
    block = (
        ContactBlock.objects.select_for_update(of=("self",))
        .select_related("contact")
        .get(pk=block.pk, workspace_id=actor.workspace_id)
    )
    if block.lifted_at is not None:
        raise ValidationError("This block was already lifted.")
    block.lifted_at, block.lifted_by = now or timezone.now(), actor.user
    block.save(update_fields=["lifted_at", "lifted_by"])
    contact = block.contact
    status_after = contact.status
    if block.reason == ContactBlock.Reason.DO_NOT_CONTACT and contact.status == Contact.Status.DO_NOT_CONTACT:
        emailed = OutboundMessage.objects.filter(contact=contact, status=OutboundMessage.Status.SENT).exists()
        status_after = Contact.Status.IN_SEQUENCE if emailed else Contact.Status.NEW
        Contact.objects.filter(pk=contact.pk, status=Contact.Status.DO_NOT_CONTACT).update(status=status_after)
    member_audit(
        workspace=actor.workspace,
        user=actor.user,
        verb="contact.block_lifted",
        target=contact,
        before={"reason": block.reason, "status": contact.status, "blocked_at": block.created_at},
        after={"status": status_after},
    )
    return block
