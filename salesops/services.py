"""Writes of the core: workspaces, memberships, invitations and security events. Each one audited."""

import hashlib
import hmac
import secrets
from datetime import timedelta

from allauth.account.models import EmailAddress
from django.conf import settings
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import EmailMessage
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify

from salesops.audit import audit_record, member_audit
from salesops.models import Invitation, Membership, Role, User, Workspace

INVITATION_SALT = "salesops.invitation"


class InvitationInvalid(Exception):
    """The link is forged, expired, revoked or already used; the message says which."""


def _require_role(membership: Membership, role: str) -> None:
    if not membership.has_role(role):
        raise PermissionDenied(f"This needs the {role} role.")


@transaction.atomic
def workspace_create(*, name: str, owner: User, slug: str | None = None) -> Workspace:
    workspace = Workspace.objects.create(name=name, slug=slug or slugify(name)[:60])
    membership = Membership.objects.create(user=owner, workspace=workspace, role=Role.ADMIN)
    member_audit(
        workspace=workspace,
        user=owner,
        verb="workspace.created",
        target=workspace,
        after={"name": name, "admin": owner.email, "membership": membership.pk},
    )
    return workspace


@transaction.atomic
def workspace_inbound_secret_rotate(*, actor: Membership) -> str:
    """Make a new inbound-mail secret; only its hash is kept, so this is the one time it is shown."""
    _require_role(actor, Role.ADMIN)
    secret = "inb_" + secrets.token_urlsafe(32)
    workspace = Workspace.objects.select_for_update().get(pk=actor.workspace_id)
    had_one = bool(workspace.inbound_secret_hash)
    workspace.inbound_secret_hash = hashlib.sha256(secret.encode()).hexdigest()
    workspace.save(update_fields=["inbound_secret_hash"])
    member_audit(
        workspace=workspace,
        user=actor.user,
        verb="workspace.inbound_secret_rotated",
        target=workspace,
        after={"replaced_previous": had_one},
    )
    return secret


def workspace_for_inbound_secret(secret: str) -> Workspace | None:
    if not secret:
        return None
    digest = hashlib.sha256(secret.encode()).hexdigest()
    workspace = Workspace.objects.filter(inbound_secret_hash=digest).first()
    # Compare in constant time too, so a near miss and a far miss look the same.
    if workspace is None or not hmac.compare_digest(workspace.inbound_secret_hash, digest):
        return None
    return workspace


def invitation_token(invitation: Invitation) -> str:
    return signing.dumps({"invitation": invitation.pk}, salt=INVITATION_SALT)


def invitation_url(invitation: Invitation) -> str:
    return settings.SITE_URL + reverse("invitation_accept", args=[invitation_token(invitation)])


@transaction.atomic
def invitation_create(*, actor: Membership, email: str, role: str) -> Invitation:
    _require_role(actor, Role.ADMIN)
    email = email.strip().lower()
    workspace = actor.workspace
    if Membership.objects.filter(workspace=workspace, user__email__iexact=email).exists():
        raise ValidationError(f"{email} is already a member of {workspace}.")
    # A new invitation replaces a pending one, so the latest link is the one that works.
    Invitation.objects.filter(workspace=workspace, email__iexact=email, status=Invitation.Status.PENDING).update(
        status=Invitation.Status.REVOKED
    )
    invitation = Invitation.objects.create(
        workspace=workspace,
        email=email,
        role=role,
        invited_by=actor.user,
        expires_at=timezone.now() + timedelta(days=settings.SALESOPS_INVITATION_MAX_AGE_DAYS),
    )
    member_audit(
        workspace=workspace,
        user=actor.user,
        verb="invitation.created",
        target=invitation,
        after={"email": email, "role": role, "expires_at": invitation.expires_at},
    )
    link = invitation_url(invitation)
    body = render_to_string(
        "salesops/email/invitation.txt", {"invitation": invitation, "link": link, "inviter": actor.user}
    )
    message = EmailMessage(f"You are invited to {workspace} on salesops", body, to=[email])
    # In development the sandbox files it under this workspace, for admins only (the link grants a membership).
    message.sandbox_workspace_id, message.sandbox_admins_only = workspace.pk, True
    transaction.on_commit(lambda: message.send(fail_silently=False))
    return invitation


@transaction.atomic
def invitation_revoke(*, actor: Membership, invitation: Invitation) -> None:
    _require_role(actor, Role.ADMIN)
    if invitation.workspace_id != actor.workspace_id:
        raise PermissionDenied("Not an invitation of this workspace.")
    invitation.status = Invitation.Status.REVOKED
    invitation.save(update_fields=["status"])
    member_audit(
        workspace=invitation.workspace,
        user=actor.user,
        verb="invitation.revoked",
        target=invitation,
        before={"status": "pending"},
        after={"status": "revoked"},
    )


def invitation_from_token(token: str) -> Invitation:
    """The pending invitation a link stands for, or `InvitationInvalid` saying why not."""
    try:
        payload = signing.loads(token, salt=INVITATION_SALT)
        invitation = Invitation.objects.select_related("workspace").get(pk=payload["invitation"])
    except (signing.BadSignature, KeyError, TypeError, Invitation.DoesNotExist):
        audit_record(workspace=None, verb="security.invitation_forged", actor="anonymous", after={"token": token[:80]})
        raise InvitationInvalid("This invitation link is not valid.") from None
    if invitation.status == Invitation.Status.ACCEPTED:
        raise InvitationInvalid("This invitation has already been used. Sign in instead.")
    if invitation.status == Invitation.Status.REVOKED:
        raise InvitationInvalid("This invitation was withdrawn. Ask your admin for a new one.")
    if invitation.is_expired:
        audit_record(
            workspace=invitation.workspace,
            verb="security.invitation_expired_used",
            actor="anonymous",
            target=invitation,
        )
        raise InvitationInvalid("This invitation has expired. Ask your admin for a new one.")
    return invitation


@transaction.atomic
def invitation_accept(*, invitation: Invitation, user: User) -> Membership:
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.status != Invitation.Status.PENDING or invitation.is_expired:
        raise InvitationInvalid("This invitation can no longer be used.")
    if user.email.lower() != invitation.email.lower():
        raise InvitationInvalid(f"This invitation is for {invitation.email}; you are signed in as {user.email}.")
    membership, _ = Membership.objects.get_or_create(
        workspace=invitation.workspace, user=user, defaults={"role": invitation.role}
    )
    invitation.status = Invitation.Status.ACCEPTED
    invitation.accepted_at = timezone.now()
    invitation.save(update_fields=["status", "accepted_at"])
    member_audit(
        workspace=invitation.workspace,
        user=user,
        verb="invitation.accepted",
        target=membership,
        after={"email": user.email, "role": membership.role},
    )
    return membership


@transaction.atomic
def invitation_accept_as_new_user(
    *, invitation: Invitation, first_name: str, last_name: str, password: str
) -> Membership:
    """Create the invited person's account; the address counts as verified since the link reached it."""
    user = User.objects.create_user(
        email=invitation.email, password=password, first_name=first_name, last_name=last_name
    )
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    return invitation_accept(invitation=invitation, user=user)


@transaction.atomic
def membership_change_role(*, actor: Membership, membership: Membership, role: str) -> Membership:
    _require_role(actor, Role.ADMIN)
    if membership.workspace_id != actor.workspace_id:
        raise PermissionDenied("Not a member of this workspace.")
    before = membership.role
    if before == Role.ADMIN and role != Role.ADMIN:
        _ensure_another_admin(membership)
    membership.role = role
    membership.save(update_fields=["role"])
    member_audit(
        workspace=membership.workspace,
        user=actor.user,
        verb="membership.role_changed",
        target=membership,
        before={"role": before},
        after={"role": role, "user": membership.user.email},
    )
    return membership


@transaction.atomic
def membership_remove(*, actor: Membership, membership: Membership) -> None:
    _require_role(actor, Role.ADMIN)
    if membership.workspace_id != actor.workspace_id:
        raise PermissionDenied("Not a member of this workspace.")
    if membership.role == Role.ADMIN:
        _ensure_another_admin(membership)
    member_audit(
        workspace=membership.workspace,
        user=actor.user,
        verb="membership.removed",
        target=membership,
        before={"user": membership.user.email, "role": membership.role},
    )
    membership.delete()


def _ensure_another_admin(membership: Membership) -> None:
    others = (
        Membership.objects.select_for_update()
        .filter(workspace_id=membership.workspace_id, role=Role.ADMIN)
        .exclude(pk=membership.pk)
    )
    if not others.exists():
        raise ValidationError("A workspace needs at least one admin.")


def security_event_record(*, request, workspace: Workspace | None, verb: str, detail: dict | None = None) -> None:
    """Record a refused access or a suspicious request; never let the audit write break the answer."""
    user = getattr(request, "user", None)
    member_audit(
        workspace=workspace,
        user=user,
        verb=verb,
        after={"path": request.path[:300], "method": request.method, **(detail or {})},
    )
