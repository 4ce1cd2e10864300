"""Reads of the core, always within one workspace."""

from datetime import datetime

from django.db.models import QuerySet

from salesops.models import AuditEvent, Invitation, Membership, User, Workspace


def memberships_of_user(*, user: User) -> QuerySet[Membership]:
    return Membership.objects.select_related("workspace").filter(user=user).order_by("workspace__name")


def workspace_members(*, workspace: Workspace) -> QuerySet[Membership]:
    return Membership.objects.select_related("user").filter(workspace=workspace).order_by("user__email")


def workspace_pending_invitations(*, workspace: Workspace) -> QuerySet[Invitation]:
    return (
        Invitation.objects.select_related("invited_by")
        .filter(workspace=workspace, status=Invitation.Status.PENDING)
        .order_by("-created_at")
    )


def membership_get(*, workspace: Workspace, membership_id: int) -> Membership:
    return Membership.objects.select_related("user", "workspace").get(workspace=workspace, pk=membership_id)


def invitation_get(*, workspace: Workspace, invitation_id: int) -> Invitation:
    return Invitation.objects.select_related("workspace").get(workspace=workspace, pk=invitation_id)


def audit_events(
    *,
    workspace: Workspace,
    actor: str = "",
    verb: str = "",
    since: datetime | None = None,
    until: datetime | None = None,
) -> QuerySet[AuditEvent]:
    events = AuditEvent.objects.filter(workspace=workspace)
    if actor:
        events = events.filter(actor__icontains=actor)
    if verb:
        events = events.filter(verb__startswith=verb)
    if since:
        events = events.filter(created_at__gte=since)
    if until:
        events = events.filter(created_at__lt=until)
    return events.order_by("-created_at", "-id")


def audit_verbs(*, workspace: Workspace) -> list[str]:
    return list(
        AuditEvent.objects.filter(workspace=workspace).values_list("verb", flat=True).distinct().order_by("verb")
    )
