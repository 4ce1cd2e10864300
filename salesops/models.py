"""The core every app shares: users, workspaces, memberships, invitations and the audit log."""

import hashlib
import json

from django.conf import settings
from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email, password, **extra_fields):
        if not email:
            raise ValueError("An email address is required")
        user = self.model(email=self.normalize_email(email).lower(), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra_fields)


class User(AbstractUser):
    """A person who signs in with an email address; what they may do lives on `Membership`."""

    username = None
    email = models.EmailField("email address", unique=True)

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS = []

    objects = UserManager()

    def __str__(self):
        return self.get_full_name() or self.email


class Workspace(models.Model):
    """A sales team: every domain row belongs to exactly one workspace."""

    name = models.CharField(max_length=120)
    slug = models.SlugField(max_length=60, unique=True)
    default_time_zone = models.CharField(max_length=64, default="UTC")
    # SHA-256 of the secret that mail relays present to POST inbound mail (shown once when made).
    inbound_secret_hash = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self):
        return self.name


class Role(models.TextChoices):
    ADMIN = "admin", "Admin"
    MANAGER = "manager", "Manager"
    REP = "rep", "Rep"


# admin ⊇ manager ⊇ rep: a role may do everything a lower rank may.
ROLE_RANK = {Role.REP: 1, Role.MANAGER: 2, Role.ADMIN: 3}


class Membership(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=16, choices=Role.choices)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["workspace", "user"], name="membership_unique_user_per_workspace"),
            models.CheckConstraint(
                condition=models.Q(role__in=[choice.value for choice in Role]), name="membership_role_valid"
            ),
        ]

    def __str__(self):
        return f"{self.user} ({self.role}) in {self.workspace}"

    def has_role(self, role: str) -> bool:
        return ROLE_RANK[Role(self.role)] >= ROLE_RANK[Role(role)]


class Invitation(models.Model):
    """An admin's invitation to join a workspace with a role, accepted through a signed link."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        ACCEPTED = "accepted", "Accepted"
        REVOKED = "revoked", "Revoked"

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField()
    role = models.CharField(max_length=16, choices=Role.choices)
    invited_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                Lower("email"),
                "workspace",
                condition=models.Q(status="pending"),
                name="invitation_one_pending_per_email",
            ),
            models.CheckConstraint(
                condition=models.Q(role__in=[choice.value for choice in Role]), name="invitation_role_valid"
            ),
        ]

    def __str__(self):
        return f"Invitation of {self.email} to {self.workspace}"

    @property
    def is_expired(self) -> bool:
        return timezone.now() >= self.expires_at


class AuditChain(models.Model):
    """The head of one hash chain: one row per workspace, and one for events outside any workspace.

    Appending locks this row, so events of one chain are numbered and linked one at a time
    even with many web and worker processes.
    """

    key = models.CharField(max_length=64, unique=True)
    last_sequence = models.PositiveBigIntegerField(default=0)
    last_hash = models.CharField(max_length=64, blank=True, default="")

    def __str__(self):
        return f"{self.key} at #{self.last_sequence}"


class AuditEventQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise TypeError("Audit events are append-only")

    def delete(self):
        raise TypeError("Audit events are append-only")


class AuditEvent(models.Model):
    """An append-only record of a human, agent or system action, linked into a hash chain."""

    workspace = models.ForeignKey(
        Workspace, on_delete=models.PROTECT, null=True, blank=True, related_name="audit_events"
    )
    sequence = models.PositiveBigIntegerField()
    # Who acted: a user (kept by id and label so that deleting the user leaves the record intact),
    # an agent name ("agent:writer"), an API key ("api:crm-sync") or "system".
    actor_user_id = models.BigIntegerField(null=True, blank=True)
    actor = models.CharField(max_length=200)
    verb = models.CharField(max_length=80)
    target_type = models.CharField(max_length=80, blank=True)
    target_id = models.CharField(max_length=64, blank=True)
    before = models.JSONField(null=True, blank=True)
    after = models.JSONField(null=True, blank=True)
    request_id = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField()
    previous_hash = models.CharField(max_length=64, blank=True)
    hash = models.CharField(max_length=64)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["workspace", "sequence"], name="audit_event_unique_sequence"),
        ]
        indexes = [
            models.Index(fields=["workspace", "-created_at", "-id"], name="audit_ws_time_idx"),
            models.Index(fields=["workspace", "verb", "-created_at"], name="audit_ws_verb_idx"),
            models.Index(fields=["workspace", "actor", "-created_at"], name="audit_ws_actor_idx"),
        ]

    def __str__(self):
        return f"#{self.sequence} {self.actor} {self.verb} {self.target_type}:{self.target_id}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise TypeError("Audit events are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise TypeError("Audit events are append-only")

    def compute_hash(self) -> str:
        """The SHA-256 of this event's content and the previous event's hash."""
        content = {
            "workspace": self.workspace_id,
            "sequence": self.sequence,
            "actor_user_id": self.actor_user_id,
            "actor": self.actor,
            "verb": self.verb,
            "target_type": self.target_type,
            "target_id": self.target_id,
            "before": self.before,
            "after": self.after,
            "request_id": self.request_id,
            "created_at": self.created_at.isoformat(),
            "previous_hash": self.previous_hash,
        }
        canonical = json.dumps(content, sort_keys=True, separators=(",", ":"), default=str)
        return hashlib.sha256(canonical.encode()).hexdigest()
