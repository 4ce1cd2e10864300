"""Delivery's data: mailboxes and their daily counters, threads, the outbox, suppression and the sandbox.

The classes belong to the `agents` app (agents/models.py re-exports them), so their table names and
migrations are those they always had."""

import uuid
from datetime import date

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone

from campaigns.models import Campaign, Contact
from salesops.models import Workspace


class Mailbox(models.Model):
    """A sending address of the workspace: its connection, its daily cap and warm-up ramp, its campaigns.

    The SMTP password is stored encrypted (see agents.delivery.crypto) and never shown again."""

    # A cold mailbox that sends more than this a day ruins its reputation, whatever an admin types.
    DEFAULT_DAILY_CAP = 30
    HARD_MAX_DAILY_CAP = 50
    WARMUP_START = 5
    WARMUP_STEP_PER_WEEK = 5

    class Transport(models.TextChoices):
        DEFAULT = "default", "The app's mail settings (EMAIL_*; the sandbox in development)"
        SMTP = "smtp", "Its own SMTP server"
        ESP = "esp", "An email service provider's API (django-anymail)"

    class Provider(models.TextChoices):
        POSTMARK = "postmark", "Postmark"
        SENDGRID = "sendgrid", "SendGrid"
        MAILGUN = "mailgun", "Mailgun"
        BREVO = "brevo", "Brevo"
        RESEND = "resend", "Resend"

    class Security(models.TextChoices):
        STARTTLS = "starttls", "STARTTLS"
        SSL = "ssl", "TLS from the start (SMTPS)"
        NONE = "none", "None (local relays only)"

    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        PAUSED = "paused", "Paused by a person"
        STOPPED = "stopped", "Stopped automatically"

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="mailboxes")
    from_name = models.CharField(max_length=120)
    from_address = models.EmailField(max_length=254)
    reply_to_domain = models.CharField(
        max_length=253, blank=True, help_text="Replies go to reply+<thread token>@ this domain (else the sender's)."
    )
    transport = models.CharField(max_length=16, choices=Transport.choices, default=Transport.DEFAULT)
    smtp_host = models.CharField(max_length=253, blank=True)
    smtp_port = models.PositiveIntegerField(default=587, validators=[MinValueValidator(1), MaxValueValidator(65535)])
    smtp_username = models.CharField(max_length=254, blank=True)
    smtp_password_encrypted = models.TextField(blank=True)
    smtp_security = models.CharField(max_length=16, choices=Security.choices, default=Security.STARTTLS)
    esp = models.CharField("Email service provider", max_length=16, choices=Provider.choices, blank=True)
    esp_api_key_encrypted = models.TextField(blank=True)
    # Optional: replies read over IMAP by `manage.py fetch_replies` (empty host: not read this way).
    imap_host = models.CharField(max_length=253, blank=True)
    imap_port = models.PositiveIntegerField(default=993, validators=[MinValueValidator(1), MaxValueValidator(65535)])
    imap_use_ssl = models.BooleanField(default=True)
    imap_username = models.CharField(max_length=254, blank=True)
    imap_password_encrypted = models.TextField(blank=True)
    imap_folder = models.CharField(max_length=120, default="INBOX")
    daily_cap = models.PositiveSmallIntegerField(
        default=DEFAULT_DAILY_CAP, validators=[MinValueValidator(1), MaxValueValidator(HARD_MAX_DAILY_CAP)]
    )
    # Empty: the mailbox is already warm and sends up to its cap from the first day.
    warmup_started_on = models.DateField(null=True, blank=True, default=timezone.localdate)
    signature = models.TextField(blank=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.ACTIVE)
    stopped_reason = models.TextField(blank=True)
    # Bumped by every scheduling chunk that hands out this workspace's slots: a scheduler that finds the
    # numbers it wrote itself can keep its counters between chunks instead of reading them again.
    schedule_generation = models.PositiveBigIntegerField(default=0)
    campaigns = models.ManyToManyField("campaigns.Campaign", related_name="mailboxes", blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["workspace", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["workspace", "from_address"], name="mailbox_unique_address_per_workspace"),
            models.CheckConstraint(
                condition=Q(daily_cap__gte=1) & Q(daily_cap__lte=50), name="mailbox_daily_cap_at_most_50"
            ),
            models.CheckConstraint(
                condition=Q(transport__in=["default", "smtp", "esp"]), name="mailbox_transport_valid"
            ),
            models.CheckConstraint(
                condition=Q(status__in=["active", "paused", "stopped"]), name="mailbox_status_valid"
            ),
        ]

    def __str__(self):
        return f"{self.from_name} <{self.from_address}>"

    @property
    def domain(self) -> str:
        return self.from_address.rpartition("@")[2].lower()

    def allowed_on(self, day: date) -> int:
        """How many emails this mailbox may send on `day`: the warm-up ramp (5 a day, 5 more each
        week) up to its cap, never above the hard maximum."""
        cap = min(self.daily_cap, self.HARD_MAX_DAILY_CAP)
        if self.warmup_started_on is None:
            return cap
        weeks = max(0, (day - self.warmup_started_on).days) // 7
        return min(cap, self.WARMUP_START + self.WARMUP_STEP_PER_WEEK * weeks)


class MailboxDay(models.Model):
    """One mailbox's counters for one day (in the workspace's time zone): slots handed out by the
    scheduler, emails actually sent. Send-time checks increment `sent` only while it is under the day's
    allowance, so several workers can never exceed a cap together."""

    mailbox = models.ForeignKey(Mailbox, on_delete=models.CASCADE, related_name="days")
    day = models.DateField()
    scheduled = models.PositiveSmallIntegerField(default=0)
    sent = models.PositiveSmallIntegerField(default=0)
    # The slot grid cells taken that day (see agents.delivery.scheduling): keeps sends apart.
    ticks = models.JSONField(default=list, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["mailbox", "day"], name="mailbox_day_once"),
            models.CheckConstraint(condition=Q(sent__lte=50), name="mailbox_day_sent_at_most_50"),
            models.CheckConstraint(condition=Q(scheduled__lte=50), name="mailbox_day_scheduled_at_most_50"),
        ]

    def __str__(self):
        return f"{self.mailbox_id} on {self.day}: {self.sent} sent, {self.scheduled} scheduled"


class EmailThread(models.Model):
    """One conversation with one contact in one campaign: its mailbox, and the token in its reply-to
    address that matches replies to it."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="threads")
    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="threads")
    mailbox = models.ForeignKey(Mailbox, on_delete=models.PROTECT, related_name="threads")
    reply_token = models.CharField(max_length=32, unique=True)
    replied_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["campaign", "contact"], name="thread_once_per_contact")]

    def __str__(self):
        return f"Thread {self.reply_token} ({self.contact_id})"


def new_message_id() -> str:
    """A globally unique RFC 5322 Message-ID, fixed when the message is queued (never at send time:
    a retry or an unknown outcome must be recognisable as the same message)."""
    domain = settings.SALESOPS_MESSAGE_ID_DOMAIN
    return f"<{uuid.uuid4().hex}@{domain}>"


class OutboundMessage(models.Model):
    """An email approved to leave (by the router or a person). Delivery schedules and sends it."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        SCHEDULED = "scheduled", "Scheduled"
        SENDING = "sending", "Sending"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"
        CANCELLED = "cancelled", "Cancelled"
        UNKNOWN = "unknown", "Outcome unknown"

    # States that hold (or held) a mailbox slot on their day.
    LIVE_STATUSES = ("scheduled", "sending", "sent", "unknown")

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="messages")
    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="messages")
    run = models.ForeignKey(
        "agents.AgentRun", on_delete=models.SET_NULL, null=True, blank=True, related_name="messages"
    )
    thread = models.ForeignKey(EmailThread, on_delete=models.SET_NULL, null=True, blank=True, related_name="messages")
    mailbox = models.ForeignKey(Mailbox, on_delete=models.SET_NULL, null=True, blank=True, related_name="messages")
    step_position = models.PositiveSmallIntegerField(default=1)
    subject = models.CharField(max_length=300)
    body_text = models.TextField()
    claims = models.JSONField(default=list, blank=True)
    # Idempotency: one message per (campaign, contact, step).
    idempotency_key = models.CharField(max_length=120)
    message_id = models.CharField(max_length=250, default=new_message_id, unique=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.QUEUED)
    sent_without_person = models.BooleanField(default=False)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # Delivery: where and when (chosen by the deliverability agent), and the one-line reason why.
    recipient_domain = models.CharField(max_length=253, blank=True)
    not_before = models.DateTimeField(null=True, blank=True)
    scheduled_for = models.DateTimeField(null=True, blank=True)
    send_day = models.DateField(null=True, blank=True)
    decision = models.CharField(max_length=300, blank=True)
    # What left, exactly: the parts as rendered at send time and the threading headers.
    text_as_sent = models.TextField(blank=True)
    body_html = models.TextField(blank=True)
    in_reply_to = models.CharField(max_length=250, blank=True)
    references = models.TextField(blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    sending_started_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    server_response = models.CharField(max_length=500, blank=True)
    error = models.TextField(blank=True)
    cancel_reason = models.CharField(max_length=32, blank=True)
    bounced_at = models.DateTimeField(null=True, blank=True)
    complained_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["workspace", "idempotency_key"], name="outbound_unique_idempotency_key"),
            models.CheckConstraint(
                condition=Q(status__in=["queued", "scheduled", "sending", "sent", "failed", "cancelled", "unknown"]),
                name="outbound_status_valid",
            ),
            models.CheckConstraint(
                condition=~Q(status="scheduled") | (Q(scheduled_for__isnull=False) & Q(mailbox__isnull=False)),
                name="outbound_scheduled_has_slot",
            ),
        ]
        indexes = [
            models.Index(fields=["workspace", "status", "created_at"], name="outbound_ws_status_idx"),
            # The sender's claim: due scheduled messages, oldest slot first.
            models.Index(fields=["status", "scheduled_for"], name="outbound_due_idx"),
            models.Index(fields=["workspace", "recipient_domain", "send_day"], name="outbound_domain_day_idx"),
            models.Index(fields=["mailbox", "status", "sent_at"], name="outbound_mailbox_sent_idx"),
            models.Index(fields=["campaign", "contact", "step_position"], name="outbound_sequence_idx"),
        ]

    def __str__(self):
        return f"{self.subject} → {self.contact_id} ({self.status})"


class Suppression(models.Model):
    """An address or a whole domain the workspace never emails again (every campaign)."""

    class Kind(models.TextChoices):
        EMAIL = "email", "Email address"
        DOMAIN = "domain", "Domain"

    class Reason(models.TextChoices):
        MANUAL = "manual", "Added by a person"
        IMPORT = "import", "Imported"
        UNSUBSCRIBE = "unsubscribe", "Unsubscribed"
        BOUNCE = "bounce", "Hard bounce"
        COMPLAINT = "complaint", "Spam complaint"

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="suppressions")
    kind = models.CharField(max_length=8, choices=Kind.choices)
    value = models.CharField(max_length=254)
    reason = models.CharField(max_length=16, choices=Reason.choices)
    note = models.CharField(max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["workspace", "kind", "value"], name="suppression_once_per_value"),
            models.CheckConstraint(condition=Q(value=Lower("value")), name="suppression_value_lower"),
            models.CheckConstraint(condition=Q(kind__in=["email", "domain"]), name="suppression_kind_valid"),
        ]

    def __str__(self):
        return f"{self.value} ({self.get_reason_display()})"


class SandboxMail(models.Model):
    """What would have been sent, kept instead of sending (development without EMAIL_HOST)."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    message = models.ForeignKey(
        OutboundMessage, on_delete=models.SET_NULL, null=True, blank=True, related_name="sandbox_copies"
    )
    from_header = models.CharField(max_length=400)
    to_header = models.CharField(max_length=400)
    subject = models.CharField(max_length=400)
    headers = models.JSONField(default=list)
    text = models.TextField(blank=True)
    html = models.TextField(blank=True)
    raw = models.TextField()
    # A way into an account (password reset, invitation): not for managers' eyes (see agents.delivery.sandbox).
    admins_only = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["workspace", "-created_at"], name="sandbox_ws_time_idx")]

    def __str__(self):
        return f"{self.subject} → {self.to_header}"
