"""Decisions on many inbox items at once. Each item goes through the agents' own decision service
(locked, checked, audited, resuming the agent) in its own transaction, so one refusal or conflict
does not undo the others; the batch itself is audited too."""

from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError

from agents.decisions import HandoffAlreadyHandled, handoff_approve, handoff_reject, validate_reject_reason
from agents.models import Handoff
from salesops.audit import member_audit
from salesops.models import Membership

BULK_ACTIONS = {"approve": "approved", "reject": "rejected"}


@dataclass
class BulkOutcome:
    action: str
    done: list[int] = field(default_factory=list)
    already_handled: list[int] = field(default_factory=list)
    refused: dict[int, str] = field(default_factory=dict)  # id -> why

    def summary(self) -> str:
        parts = [f"{len(self.done)} {BULK_ACTIONS[self.action]}"]
        if self.already_handled:
            parts.append(f"{len(self.already_handled)} already handled by someone else")
        if self.refused:
            reasons = sorted(set(self.refused.values()))
            parts.append(f"{len(self.refused)} left as they were ({'; '.join(reasons)})")
        return ", ".join(parts) + "."


def handoffs_bulk_decide(
    *, actor: Membership, handoff_ids: list[int], action: str, reason: str = "", note: str = ""
) -> BulkOutcome:
    """Approve or reject each of `handoff_ids` (ids of other workspaces are ignored)."""
    if action not in BULK_ACTIONS:
        raise ValidationError("Choose approve or reject.")
    if action == "reject":
        validate_reject_reason(reason=reason, note=note)
    outcome = BulkOutcome(action=action)
    handoffs = Handoff.objects.filter(workspace_id=actor.workspace_id, pk__in=handoff_ids).only("pk", "workspace_id")
    by_id = {handoff.pk: handoff for handoff in handoffs}
    for handoff_id in dict.fromkeys(handoff_ids):
        handoff = by_id.get(handoff_id)
        if handoff is None:
            continue
        try:
            if action == "approve":
                handoff_approve(handoff=handoff, actor=actor)
            else:
                handoff_reject(handoff=handoff, actor=actor, reason=reason, note=note)
        except HandoffAlreadyHandled:
            outcome.already_handled.append(handoff_id)
        except (ValidationError, PermissionDenied) as refusal:
            message = " ".join(refusal.messages) if isinstance(refusal, ValidationError) else str(refusal)
            outcome.refused[handoff_id] = message
        else:
            outcome.done.append(handoff_id)
    if outcome.done or outcome.refused or outcome.already_handled:
        member_audit(
            workspace=actor.workspace,
            user=actor.user,
            verb=f"handoff.bulk_{action}",
            target_type="agents.handoff",
            target_id="bulk",
            after={
                "done": outcome.done,
                "already_handled": outcome.already_handled,
                "refused": {str(key): value for key, value in outcome.refused.items()},
                "reason": reason,
                "note": note,
            },
        )
    return outcome
