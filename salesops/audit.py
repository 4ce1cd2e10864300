"""Appending to and verifying the hash-chained audit log."""

import json
from dataclasses import dataclass

from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils import timezone

from salesops.models import AuditChain, AuditEvent, Workspace
from salesops.request_context import current_request_id

SYSTEM_CHAIN = "system"


def _chain_key(workspace_id: int | None) -> str:
    return f"workspace:{workspace_id}" if workspace_id else SYSTEM_CHAIN


def _as_json(value):
    """What the database will give back, so the hash computed now matches the one verified later."""
    if value is None:
        return None
    return json.loads(json.dumps(value, cls=DjangoJSONEncoder))


def actor_label(user) -> str:
    return user.email if user is not None and user.is_authenticated else "anonymous"


@transaction.atomic
def audit_record(
    *,
    workspace: Workspace | None,
    verb: str,
    actor: str,
    actor_user=None,
    target=None,
    target_type: str = "",
    target_id: str | int = "",
    before=None,
    after=None,
) -> AuditEvent:
    """Append one event to the workspace's chain (or the system chain when there is no workspace)."""
    if target is not None:
        target_type = target_type or target._meta.label_lower
        target_id = target_id or target.pk
    workspace_id = workspace.pk if workspace is not None else None
    key = _chain_key(workspace_id)
    chain = AuditChain.objects.select_for_update().filter(key=key).first()
    if chain is None:  # the chain's first event: create its head (safely against a parallel first)
        AuditChain.objects.get_or_create(key=key)
        chain = AuditChain.objects.select_for_update().get(key=key)
    event = AuditEvent(
        workspace_id=workspace_id,
        sequence=chain.last_sequence + 1,
        actor_user_id=actor_user.pk if actor_user is not None and actor_user.is_authenticated else None,
        actor=actor,
        verb=verb,
        target_type=target_type,
        target_id=str(target_id),
        before=_as_json(before),
        after=_as_json(after),
        request_id=current_request_id(),
        created_at=timezone.now(),
        previous_hash=chain.last_hash,
    )
    event.hash = event.compute_hash()
    event.save()
    chain.last_sequence = event.sequence
    chain.last_hash = event.hash
    chain.save(update_fields=["last_sequence", "last_hash"])
    return event


def member_audit(
    *,
    workspace: Workspace | None,
    user,
    verb: str,
    target=None,
    target_type: str = "",
    target_id: str | int = "",
    before=None,
    after=None,
) -> AuditEvent:
    """Append an event a person did. The actor's label and the linked user both come from `user`,
    so the two can never disagree; a request without a signed-in user is recorded as "anonymous".
    Agents, workers, webhooks and API keys are not people: they call `audit_record` with their label."""
    return audit_record(
        workspace=workspace,
        verb=verb,
        actor=actor_label(user),
        actor_user=user,
        target=target,
        target_type=target_type,
        target_id=target_id,
        before=before,
        after=after,
    )


@dataclass(frozen=True)
class ChainReport:
    chain: str
    events_checked: int
    first_broken: AuditEvent | None
    problem: str = ""

    @property
    def intact(self) -> bool:
        return self.first_broken is None


def audit_verify_chain(*, workspace: Workspace | None) -> ChainReport:
    """Recompute the chain in order; name the first event whose hash or link does not hold."""
    workspace_id = workspace.pk if workspace is not None else None
    events = AuditEvent.objects.filter(workspace_id=workspace_id).order_by("sequence")
    previous_hash = ""
    expected_sequence = 1
    checked = 0
    for event in events.iterator(chunk_size=2000):
        checked += 1
        if event.sequence != expected_sequence:
            return ChainReport(
                _chain_key(workspace_id), checked, event, f"sequence {event.sequence}, expected {expected_sequence}"
            )
        if event.previous_hash != previous_hash:
            return ChainReport(_chain_key(workspace_id), checked, event, "link to the previous event is broken")
        if event.compute_hash() != event.hash:
            return ChainReport(_chain_key(workspace_id), checked, event, "content does not match its hash")
        previous_hash = event.hash
        expected_sequence += 1
    return ChainReport(_chain_key(workspace_id), checked, None)
