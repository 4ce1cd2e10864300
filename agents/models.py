"""What the agent team did and what it asks of people: runs, steps, handoffs, plans, and delivery
(mailboxes, the outbox, threads, suppression, the sandbox)."""

import uuid
from datetime import date
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone

from agents import labels
from campaigns.models import Campaign, Contact
from salesops.models import Workspace


class AgentRun(models.Model):
    """One lead's way through the pipeline for one sequence step (research → qualify → write →
    verify → route). Each stage's output is kept, so a run resumes where it stopped."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        RUNNING = "running", "Running"
        DONE = "done", "Done"
        WAITING = "waiting", "Waiting for a person"
        FAILED = "failed", "Failed"

    class Outcome(models.TextChoices):
        NONE = "", "—"
        QUEUED = "queued", "Queued for sending"
        REVIEW = "review", "Handed to a person for review"
        EXCEPTION = "exception", "Exception"
        PERSON_OWNS = "person_owns", "A person owns this lead"
        DROPPED = "dropped", "Dropped"

    STAGES = ["research", "qualify", "write", "verify", "route"]

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="runs")
    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="runs")
    step_position = models.PositiveSmallIntegerField(default=1)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    outcome = models.CharField(max_length=16, choices=Outcome.choices, default=Outcome.NONE, blank=True)
    brief = models.JSONField(null=True, blank=True)
    qualification = models.JSONField(null=True, blank=True)
    draft = models.JSONField(null=True, blank=True)
    verification = models.JSONField(null=True, blank=True)
    decision = models.JSONField(null=True, blank=True)
    rewrites = models.PositiveSmallIntegerField(default=0)
    # A person asked for a new draft: how often, and with what instruction (kept so a crash resumes it).
    regenerations = models.PositiveSmallIntegerField(default=0)
    instruction = models.TextField(blank=True)
    # An answer to a reply (step_position 0): the inbound message it answers and what the writer needs
    # to know of it (the reply's text and meaning, meeting times to offer).
    inbound_message = models.OneToOneField(
        "conversations.InboundMessage", on_delete=models.SET_NULL, null=True, blank=True, related_name="answer_run"
    )
    reply_context = models.JSONField(null=True, blank=True)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            # Idempotency: one run per (campaign, contact, sequence step).
            models.UniqueConstraint(
                fields=["campaign", "contact", "step_position"],
                condition=Q(inbound_message__isnull=True),
                name="agent_run_once_per_step",
            ),
        ]
        indexes = [
            models.Index(fields=["workspace", "status"], name="run_ws_status_idx"),
            models.Index(fields=["campaign", "-created_at"], name="run_campaign_time_idx"),
        ]

    def __str__(self):
        return f"Run {self.pk}: {self.contact_id} step {self.step_position} ({self.status})"


class AgentStep(models.Model):
    """One thing one agent did: which model and prompt, what it saw, what it decided, what it cost."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    run = models.ForeignKey(AgentRun, on_delete=models.CASCADE, related_name="steps", null=True, blank=True)
    agent = models.CharField(max_length=32)
    provider = models.CharField(max_length=32)
    model = models.CharField(max_length=64)
    prompt_version = models.CharField(max_length=32)
    input_digest = models.CharField(max_length=64)
    input = models.JSONField(null=True, blank=True)
    output = models.JSONField(null=True, blank=True)
    input_tokens = models.PositiveIntegerField(default=0)
    output_tokens = models.PositiveIntegerField(default=0)
    cache_write_tokens = models.PositiveIntegerField(default=0)
    cache_read_tokens = models.PositiveIntegerField(default=0)
    cost_usd = models.DecimalField(max_digits=12, decimal_places=6, default=Decimal(0))
    latency_ms = models.PositiveIntegerField(default=0)
    request_id = models.CharField(max_length=128, blank=True)
    decision = models.CharField(max_length=64, blank=True)
    confidence = models.DecimalField(max_digits=4, decimal_places=3, null=True, blank=True)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [
            models.Index(fields=["workspace", "-created_at"], name="step_ws_time_idx"),
            models.Index(fields=["run", "created_at"], name="step_run_time_idx"),
        ]

    def __str__(self):
        return f"{self.agent} step {self.pk} ({self.decision or self.error[:20]})"

    @property
    def model_label(self) -> str:
        return labels.model_label(self.provider, self.model)

    @property
    def prompt_label(self) -> str:
        return labels.prompt_label(self.prompt_version)


class Handoff(models.Model):
    """An agent's request for a person: it pauses the agent until the inbox answers it."""

    class Kind(models.TextChoices):
        DRAFT_REVIEW = "draft_review", "Draft review"
        EXCEPTION = "exception", "Exception"
        NEGOTIATION = "negotiation", "Negotiation"
        REPLY_REVIEW = "reply_review", "Reply review"
        ESCALATION = "escalation", "Escalation"

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        SNOOZED = "snoozed", "Snoozed"
        RESOLVED = "resolved", "Resolved"

    class Decision(models.TextChoices):
        APPROVED = "approved", "Approved"
        EDITED = "edited", "Edited and approved"
        REJECTED = "rejected", "Rejected"
        REGENERATED = "regenerated", "Regenerated"
        TAKEN_OVER = "taken_over", "Taken over"
        DISMISSED = "dismissed", "Dismissed"

    class RejectReason(models.TextChoices):
        OFF_TARGET = "off_target", "Off-target"
        WRONG_FACTS = "wrong_facts", "Wrong facts"
        TONE = "tone", "Tone"
        TIMING = "timing", "Timing"
        DO_NOT_CONTACT = "do_not_contact", "Do not contact"
        OTHER = "other", "Other"

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    run = models.ForeignKey(AgentRun, on_delete=models.CASCADE, null=True, blank=True, related_name="handoffs")
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, null=True, blank=True, related_name="handoffs")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    reason = models.TextField()
    confidence = models.DecimalField(max_digits=4, decimal_places=3, null=True, blank=True)
    # The draft with its claims and citations, the verifier's findings, the error: what the agent proposes.
    proposal = models.JSONField(default=dict, blank=True)
    allowed_actions = models.JSONField(default=list, blank=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.OPEN)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    snoozed_until = models.DateTimeField(null=True, blank=True)
    decision = models.CharField(max_length=16, choices=Decision.choices, blank=True)
    reject_reason = models.CharField(max_length=16, choices=RejectReason.choices, blank=True)
    decision_note = models.TextField(blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    # What a person sent instead of the agent's draft (the difference is shown and learned from).
    final_subject = models.CharField(max_length=300, blank=True)
    final_body = models.TextField(blank=True)
    # A deduplication key for handoffs that must open once (e.g. "budget:2026-11").
    dedupe_key = models.CharField(max_length=120, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=["draft_review", "exception", "negotiation", "reply_review", "escalation"]),
                name="handoff_kind_valid",
            ),
            models.CheckConstraint(
                condition=Q(status__in=["open", "snoozed", "resolved"]), name="handoff_status_valid"
            ),
            models.CheckConstraint(
                condition=~Q(status="resolved") | ~Q(decision=""), name="handoff_resolved_has_decision"
            ),
            models.UniqueConstraint(
                fields=["workspace", "dedupe_key"], condition=~Q(dedupe_key=""), name="handoff_unique_dedupe_key"
            ),
        ]
        indexes = [
            models.Index(fields=["workspace", "status", "kind", "created_at"], name="handoff_queue_idx"),
            models.Index(fields=["workspace", "assignee", "status"], name="handoff_assignee_idx"),
            # The inbox's counts and queues read only unresolved items; the Done view reads by decision time.
            models.Index(
                fields=["workspace", "kind", "created_at"],
                condition=Q(status__in=["open", "snoozed"]),
                name="handoff_unresolved_idx",
            ),
            models.Index(fields=["workspace", "status", "-decided_at"], name="handoff_decided_idx"),
            # The inbox's counts read every unresolved item of the workspace on each page: with these columns
            # in the index PostgreSQL answers them from the index alone (SQLite ignores INCLUDE).
            models.Index(
                fields=["workspace", "status"],
                include=["assignee", "kind", "created_at", "snoozed_until", "dedupe_key"],
                condition=Q(status__in=["open", "snoozed"]),
                name="handoff_inbox_counts_idx",
            ),
        ]

    # Handoffs only a manager can answer (raise a campaign's limits or the model budget), known by the
    # dedupe key they are opened with (agents.planning: goal at risk; agents.pipeline: budget spent).
    FOR_MANAGERS_KEY_PREFIXES = ("goal-at-risk:", "budget:")

    def __str__(self):
        return f"{self.get_kind_display()} #{self.pk} ({self.status})"

    @classmethod
    def for_managers_q(cls) -> Q:
        first, *others = cls.FOR_MANAGERS_KEY_PREFIXES
        condition = Q(dedupe_key__startswith=first)
        for prefix in others:
            condition |= Q(dedupe_key__startswith=prefix)
        return condition

    @property
    def is_for_managers(self) -> bool:
        return self.dedupe_key.startswith(self.FOR_MANAGERS_KEY_PREFIXES)


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
    run = models.ForeignKey(AgentRun, on_delete=models.SET_NULL, null=True, blank=True, related_name="messages")
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


class TakeOver(models.Model):
    """A person has taken over a contact's conversation: no agent touches it until it is handed back."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    contact = models.OneToOneField(Contact, on_delete=models.CASCADE, related_name="take_over")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self):
        return f"{self.user} owns {self.contact}"


class CampaignPlan(models.Model):
    """The campaign tick's plan for one day toward the goal."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="plans")
    day = models.DateField()
    remaining_goal = models.PositiveIntegerField()
    business_days_left = models.PositiveIntegerField()
    conversion_rate = models.DecimalField(max_digits=6, decimal_places=4)
    conversion_source = models.CharField(max_length=16)  # "default" or "observed"
    leads_needed_per_day = models.PositiveIntegerField()
    capacity_per_day = models.PositiveIntegerField()
    planned_new_leads = models.PositiveIntegerField()
    started_new_leads = models.PositiveIntegerField(default=0)
    on_track = models.BooleanField()
    reason = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["campaign", "day"], name="campaign_plan_once_a_day")]

    def __str__(self):
        return f"{self.campaign} on {self.day}: {self.planned_new_leads} new leads"


class ModelBudget(models.Model):
    """A workspace's monthly spend limit for model calls (defaults to the setting without a row)."""

    workspace = models.OneToOneField(Workspace, on_delete=models.CASCADE, related_name="model_budget")
    monthly_limit_usd = models.DecimalField(max_digits=10, decimal_places=2)

    def __str__(self):
        return f"{self.workspace}: {self.monthly_limit_usd} USD a month"
