"""The decisions a person's action resumes: answering handoffs in the inbox (each one locked, checked,
audited, resuming the agent: queue the email, rewrite it, stop it, or leave the lead to a person), taking a
contact's conversation over and writing to it by hand."""

from dataclasses import dataclass
from datetime import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django_q.tasks import async_task

from agents.delivery.models import OutboundMessage
from agents.delivery.outbox import cancel_pending_messages, outbound_queue
from agents.delivery.scheduling import CANCEL_TEXT
from agents.handoffs import record_step
from agents.llm import get_provider
from agents.models import AgentRun, Handoff, TakeOver
from agents.outreach.lead_facts import lead_of_run, strategy_for, verify_input_for
from agents.outreach.tasks import lead_batch_task
from agents.team.verifier import VerifyOutput, claims_from_edit, is_blocking, verify
from agents.team.writer import Finding, WriteOutput
from campaigns.enrolment import contact_block
from campaigns.models import Contact, ContactBlock
from salesops.audit import member_audit
from salesops.models import Membership, Role


class HandoffAlreadyHandled(Exception):
    """Someone else decided first; the message names who and what."""


@dataclass(frozen=True)
class EditOutcome:
    approved: bool
    message: OutboundMessage | None
    findings: list[Finding]


def _handoffs():
    """Handoffs with what every decision reads: the run, its campaign and workspace, the contact, who decided."""
    return Handoff.objects.select_related("run__campaign__workspace", "contact", "decided_by")


def _check_open_to(handoff: Handoff, actor: Membership) -> Handoff:
    """Check the handoff is still open and the actor may act on it."""
    if handoff.status == Handoff.Status.RESOLVED:
        who = handoff.decided_by.email if handoff.decided_by else "someone"
        raise HandoffAlreadyHandled(f"Already handled by {who} ({handoff.get_decision_display().lower()}).")
    if not actor.has_role(Role.MANAGER) and handoff.assignee_id not in (None, actor.user_id):
        raise PermissionDenied("This item is assigned to someone else.")
    if not actor.has_role(Role.MANAGER) and handoff.is_for_managers:
        raise PermissionDenied("Only a manager can act on this item.")
    return handoff


def _read(handoff: Handoff, actor: Membership) -> Handoff:
    """Read the handoff afresh without locking it (to check before a slow step), checked as `_lock` does."""
    return _check_open_to(_handoffs().get(pk=handoff.pk, workspace=actor.workspace), actor)


def _lock(handoff: Handoff, actor: Membership) -> Handoff:
    """Lock the handoff row, then check it is still open and the actor may act on it."""
    locked = _handoffs().select_for_update(of=("self",)).get(pk=handoff.pk, workspace=actor.workspace)
    return _check_open_to(locked, actor)


def _require_action(handoff: Handoff, action: str) -> None:
    if action not in handoff.allowed_actions:
        raise ValidationError(f"{handoff.get_kind_display()} items cannot be {action.replace('_', ' ')}d here.")


def _resolve(handoff: Handoff, actor: Membership, decision: str, *, note: str = "", reject_reason: str = "") -> None:
    handoff.status = Handoff.Status.RESOLVED
    handoff.decision = decision
    handoff.decision_note = note
    handoff.reject_reason = reject_reason
    handoff.decided_by = actor.user
    handoff.decided_at = timezone.now()
    handoff.save()


def _forget_blocked_edit(handoff: Handoff) -> None:
    """Drop a kept blocked edit (saved with the handoff): once the draft is sent or written again, a
    blocked version of it is nothing a person should still start from. The audit keeps the attempt."""
    if Handoff.BLOCKED_EDIT in (handoff.proposal or {}):
        handoff.proposal = {key: value for key, value in handoff.proposal.items() if key != Handoff.BLOCKED_EDIT}


def _run_done(run: AgentRun | None, outcome: str) -> None:
    if run is not None:
        run.status, run.outcome = AgentRun.Status.DONE, outcome
        run.save(update_fields=["status", "outcome", "updated_at"])


@transaction.atomic
def handoff_approve(*, handoff: Handoff, actor: Membership) -> OutboundMessage:
    handoff = _lock(handoff, actor)
    _require_action(handoff, "approve")
    if handoff.run is None or not handoff.run.draft:
        raise ValidationError("There is no draft to approve.")
    verification = (handoff.run.verification or {}).get("passed")
    if verification is False:
        raise ValidationError("The verifier blocked this draft: edit it (and override findings with a note) instead.")
    message = outbound_queue(run=handoff.run, approved_by=actor.user)
    _forget_blocked_edit(handoff)
    _resolve(handoff, actor, Handoff.Decision.APPROVED)
    _run_done(handoff.run, AgentRun.Outcome.QUEUED)
    member_audit(
        workspace=actor.workspace,
        user=actor.user,
        verb="handoff.approved",
        target=handoff,
        after={"message": message.pk},
    )
    return message


def verify_edit(*, handoff: Handoff, subject: str, body: str, provider=None) -> VerifyOutput:
    """Run the verifier on a person's version of the draft, exactly as on an agent's (with the configured
    provider unless one is given)."""
    run = handoff.run
    original = WriteOutput.model_validate(run.draft)
    edited = WriteOutput(
        subject=subject, body=body, claims=claims_from_edit(original, body), language=original.language
    )
    check = verify_input_for(
        run, strategy=strategy_for(run.campaign), lead=lead_of_run(run, timezone.now()), draft=edited
    )
    verification, call = verify(check, provider=provider or get_provider())
    record_step(run, "verify", data=check, call=call, output=verification,
                decision="pass" if verification.passed else "fail", confidence=verification.confidence)  # fmt: skip
    return verification


def _draft_of(handoff: Handoff) -> tuple:
    """The draft a person edits (a regenerated draft is another one, even word for word)."""
    return handoff.run_id, handoff.run.regenerations, handoff.run.draft


def _require_draft_to_edit(handoff: Handoff) -> None:
    _require_action(handoff, "edit")
    if handoff.run is None or not handoff.run.draft:
        raise ValidationError("There is no draft to edit.")


def handoff_edit_approve(
    *,
    handoff: Handoff,
    actor: Membership,
    subject: str,
    body: str,
    overrides: dict[str, str] | None = None,
    provider=None,
) -> EditOutcome:
    """Verify the edited email; approve it when it passes or when every blocking finding is overridden
    with a note. Otherwise nothing is sent, the findings come back, and the blocked edit is kept on the
    handoff and audited (see `_blocked_edit_keep`).

    The verifier may call the model, which takes seconds: it runs before the handoff is locked, so the
    lock never waits on a model and nobody else deciding waits on the lock. The approval then locks the
    handoff and checks it again."""
    verified = _read(handoff, actor)
    _require_draft_to_edit(verified)
    verification = verify_edit(handoff=verified, subject=subject, body=body, provider=provider)
    overrides = {kind: note.strip() for kind, note in (overrides or {}).items() if note and note.strip()}
    blocking = [finding for finding in verification.findings if is_blocking(finding)]
    unresolved = [finding for finding in blocking if finding.kind not in overrides]
    if unresolved:
        _blocked_edit_keep(
            verified=verified,
            actor=actor,
            subject=subject,
            body=body,
            findings=verification.findings,
            blocked_by=unresolved,
            overrides=overrides,
        )
        return EditOutcome(approved=False, message=None, findings=verification.findings)
    message = _verified_edit_approve(
        verified=verified, actor=actor, subject=subject, body=body, overrides=overrides, overridden=blocking
    )
    return EditOutcome(approved=True, message=message, findings=verification.findings)


def _require_same_draft(handoff: Handoff, verified: Handoff) -> None:
    if _draft_of(handoff) != _draft_of(verified):
        raise ValidationError(
            "The draft changed while your version was being checked: look at the new draft and edit it again."
        )


@transaction.atomic
def _blocked_edit_keep(
    *,
    verified: Handoff,
    actor: Membership,
    subject: str,
    body: str,
    findings: list[Finding],
    blocked_by: list[Finding],
    overrides: dict[str, str],
) -> None:
    """Keep on the handoff a person's edit the verifier blocked: their text, every finding, the notes
    they did write, who and when. Without it the text lived only in the page (gone when they left it)
    and nobody could see that a person tried to send what the verifier stopped. One edit is kept (the
    latest, whoever wrote it); the audit keeps each attempt, so an admin sees them all."""
    handoff = _lock(verified, actor)
    _require_draft_to_edit(handoff)
    _require_same_draft(handoff, verified)
    handoff.proposal = {
        **(handoff.proposal or {}),
        Handoff.BLOCKED_EDIT: {
            "subject": subject,
            "body": body,
            "findings": [finding.model_dump() for finding in findings],
            "overrides": overrides,
            "by": actor.user.email,
            "by_name": actor.user.get_full_name(),
            "by_id": actor.user_id,
            "at": timezone.now().isoformat(),
        },
    }
    handoff.save(update_fields=["proposal", "updated_at"])
    member_audit(
        workspace=actor.workspace,
        user=actor.user,
        verb="handoff.edit_blocked",
        target=handoff,
        after={
            "finding_kinds": sorted({finding.kind for finding in blocked_by}),
            "findings": [finding.model_dump() for finding in blocked_by],
            "subject": subject,
            "body": body,
        },
    )


@transaction.atomic
def _verified_edit_approve(
    *,
    verified: Handoff,
    actor: Membership,
    subject: str,
    body: str,
    overrides: dict[str, str],
    overridden: list[Finding],
) -> OutboundMessage:
    """Queue an edit verified against `verified`, once the locked handoff is still open to the actor and
    still holds the draft the edit was made from and verified with."""
    handoff = _lock(verified, actor)
    _require_draft_to_edit(handoff)
    _require_same_draft(handoff, verified)
    if overridden:
        member_audit(
            workspace=actor.workspace,
            user=actor.user,
            verb="handoff.findings_overridden",
            target=handoff,
            after={"findings": [finding.model_dump() for finding in overridden], "notes": overrides},
        )
    draft = handoff.run.draft
    message = outbound_queue(run=handoff.run, subject=subject, body=body, approved_by=actor.user)
    handoff.final_subject, handoff.final_body = subject, body
    _forget_blocked_edit(handoff)
    _resolve(handoff, actor, Handoff.Decision.EDITED, note="; ".join(f"{k}: {v}" for k, v in overrides.items()))
    _run_done(handoff.run, AgentRun.Outcome.QUEUED)
    member_audit(
        workspace=actor.workspace,
        user=actor.user,
        verb="handoff.edited",
        target=handoff,
        before={"subject": draft.get("subject"), "body": draft.get("body")},
        after={"subject": subject, "body": body, "message": message.pk},
    )
    return message


def validate_reject_reason(*, reason: str, note: str = "") -> None:
    """A rejection names one of Handoff.RejectReason (the writer learns from it), and says why in a note
    when the reason is "other". The inbox's forms and the bulk decision refuse by this too."""
    if reason not in Handoff.RejectReason.values:
        raise ValidationError("Choose a reason for the rejection.")
    if reason == Handoff.RejectReason.OTHER and not note.strip():
        raise ValidationError("Say why in a note when the reason is 'other'.")


@transaction.atomic
def handoff_reject(*, handoff: Handoff, actor: Membership, reason: str, note: str = "") -> Handoff:
    handoff = _lock(handoff, actor)
    _require_action(handoff, "reject")
    validate_reject_reason(reason=reason, note=note)
    _resolve(handoff, actor, Handoff.Decision.REJECTED, note=note, reject_reason=reason)
    _run_done(handoff.run, AgentRun.Outcome.DROPPED)
    if reason == Handoff.RejectReason.DO_NOT_CONTACT and handoff.contact_id:
        Contact.objects.filter(pk=handoff.contact_id).update(status=Contact.Status.DO_NOT_CONTACT)
        cancel_pending_messages(
            workspace_id=handoff.workspace_id,
            contact_ids=[handoff.contact_id],
            reason="do_not_contact",
            text=CANCEL_TEXT["do_not_contact"],
        )
    if reason in ContactBlock.Reason.values and handoff.contact_id:
        # No campaign picks the contact again until a manager lifts the block (on the contact's page).
        contact_block(
            contact=handoff.contact, reason=reason, actor_user=actor.user, note=note, source=f"inbox item {handoff.pk}"
        )
    member_audit(
        workspace=actor.workspace,
        user=actor.user,
        verb="handoff.rejected",
        target=handoff,
        after={"reason": reason, "note": note},
    )
    return handoff


@transaction.atomic
def handoff_regenerate(*, handoff: Handoff, actor: Membership, instruction: str) -> AgentRun:
    """Ask the writer for a new draft with an instruction; the new draft is verified and routed again."""
    handoff = _lock(handoff, actor)
    _require_action(handoff, "regenerate")
    run = handoff.run
    if run is None:
        raise ValidationError("There is no agent run to regenerate.")
    _forget_blocked_edit(handoff)
    _resolve(handoff, actor, Handoff.Decision.REGENERATED, note=instruction)
    run.draft = run.verification = run.decision = None
    run.rewrites = 0
    run.regenerations += 1
    run.instruction = instruction.strip()[:2000]
    run.status, run.outcome, run.error = AgentRun.Status.PENDING, AgentRun.Outcome.NONE, ""
    run.save()
    member_audit(
        workspace=actor.workspace,
        user=actor.user,
        verb="handoff.regenerated",
        target=handoff,
        after={"instruction": instruction},
    )
    transaction.on_commit(lambda: async_task(lead_batch_task, [run.pk]))
    return run


@transaction.atomic
def handoff_take_over(*, handoff: Handoff, actor: Membership) -> TakeOver:
    """A person owns the contact's conversation from now on: agents stop, queued email is cancelled."""
    handoff = _lock(handoff, actor)
    _require_action(handoff, "take_over")
    if handoff.contact_id is None:
        raise ValidationError("This item has no contact to take over.")
    take_over = contact_take_over(contact=handoff.contact, actor=actor)
    _resolve(handoff, actor, Handoff.Decision.TAKEN_OVER)
    _run_done(handoff.run, AgentRun.Outcome.PERSON_OWNS)
    member_audit(
        workspace=actor.workspace,
        user=actor.user,
        verb="handoff.taken_over",
        target=handoff,
        after={"contact": handoff.contact_id},
    )
    return take_over


@transaction.atomic
def contact_take_over(*, contact: Contact, actor: Membership) -> TakeOver:
    if contact.workspace_id != actor.workspace_id:
        raise PermissionDenied("Not a contact of this workspace.")
    take_over, created = TakeOver.objects.get_or_create(
        contact=contact, defaults={"workspace_id": contact.workspace_id, "user": actor.user}
    )
    if created:
        cancelled = cancel_pending_messages(
            workspace_id=contact.workspace_id,
            contact_ids=[contact.pk],
            reason="taken_over",
            text=CANCEL_TEXT["taken_over"],
        )
        member_audit(
            workspace=actor.workspace,
            user=actor.user,
            verb="contact.taken_over",
            target=contact,
            after={"cancelled_messages": cancelled},
        )
    return take_over


@transaction.atomic
def contact_hand_back(*, contact: Contact, actor: Membership) -> None:
    """Give the conversation back to the agents."""
    take_over = TakeOver.objects.select_for_update().filter(contact=contact, workspace=actor.workspace).first()
    if take_over is None:
        raise ValidationError("Nobody has taken this contact over.")
    if not take_over.writable_by(actor):
        raise PermissionDenied("Only the person who took it over, or a manager, can hand it back.")
    take_over.delete()
    member_audit(
        workspace=actor.workspace,
        user=actor.user,
        verb="contact.handed_back",
        target=contact,
    )


@transaction.atomic
def handoff_snooze(*, handoff: Handoff, actor: Membership, until: datetime) -> Handoff:
    handoff = _lock(handoff, actor)
    if until <= timezone.now():
        raise ValidationError("Snooze until a time in the future.")
    handoff.status, handoff.snoozed_until = Handoff.Status.SNOOZED, until
    handoff.save(update_fields=["status", "snoozed_until", "updated_at"])
    member_audit(
        workspace=actor.workspace, user=actor.user, verb="handoff.snoozed", target=handoff, after={"until": until}
    )
    return handoff


@transaction.atomic
def handoff_dismiss(*, handoff: Handoff, actor: Membership, note: str) -> Handoff:
    handoff = _lock(handoff, actor)
    _require_action(handoff, "dismiss")
    if not note.strip():
        raise ValidationError("Say in a note why the exception can be dismissed.")
    _resolve(handoff, actor, Handoff.Decision.DISMISSED, note=note)
    _run_done(handoff.run, AgentRun.Outcome.DROPPED)
    member_audit(
        workspace=actor.workspace, user=actor.user, verb="handoff.dismissed", target=handoff, after={"note": note}
    )
    return handoff


@transaction.atomic
def handoff_assign(*, handoff: Handoff, actor: Membership, assignee_id: int | None) -> Handoff:
    handoff = _lock(handoff, actor)
    if assignee_id is not None:
        if not Membership.objects.filter(workspace=actor.workspace, user_id=assignee_id).exists():
            raise ValidationError("Assign to a member of this workspace.")
        if not actor.has_role(Role.MANAGER) and assignee_id != actor.user_id:
            raise PermissionDenied("Reps can assign items to themselves only.")
    before = handoff.assignee_id
    handoff.assignee_id = assignee_id
    handoff.save(update_fields=["assignee", "updated_at"])
    member_audit(
        workspace=actor.workspace,
        user=actor.user,
        verb="handoff.assigned",
        target=handoff,
        before={"assignee": before},
        after={"assignee": assignee_id},
    )
    return handoff


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
    if not take_over.writable_by(actor):
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
        member_audit(
            workspace=actor.workspace,
            user=actor.user,
            verb="outbound.written_by_person",
            target=message,
            after={"subject": message.subject, "handoff": handoff.pk},
        )
    return message
