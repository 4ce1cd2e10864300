"""What the agent team did and what it asks of people: runs, steps, handoffs, plans, and delivery
(mailboxes, the outbox, threads, suppression, the sandbox)."""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from agents import labels

# Delivery's models live in agents/delivery/models.py; importing them here keeps them in the `agents` app, so
# their tables, migrations and the migrations' references (agents.models.new_message_id) stay as they are.
from agents.delivery.models import (  # noqa: F401
    EmailThread,
    Mailbox,
    MailboxDay,
    OutboundMessage,
    SandboxMail,
    Suppression,
    new_message_id,
)
from campaigns.models import Campaign, Contact
from salesops.models import Membership, Role, Workspace


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

    @property
    def decision_label(self) -> str:
        return labels.step_decision_label(self.decision)


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
    # dedupe key they are opened with (agents.outreach.planning: goal at risk; agents.outreach.pipeline: budget spent).
    FOR_MANAGERS_KEY_PREFIXES = ("goal-at-risk:", "budget:")
    # Where the proposal keeps the last edit of the draft the verifier blocked (agents.decisions writes and
    # clears it, the inbox shows it): a person's text outlives the page they wrote it in.
    BLOCKED_EDIT = "blocked_edit"

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


class TakeOver(models.Model):
    """A person has taken over a contact's conversation: no agent touches it until it is handed back."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    contact = models.OneToOneField(Contact, on_delete=models.CASCADE, related_name="take_over")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self):
        return f"{self.user} owns {self.contact}"

    def writable_by(self, member: Membership | None) -> bool:
        """Who writes by hand in the conversation (and hands it back to the agents), and whose email to it
        may leave: the person who took it over, or a manager or an admin of its workspace. `None` is a
        writer who is no longer a member. No query: the membership is loaded."""
        if member is None or member.workspace_id != self.workspace_id:
            return False
        return member.user_id == self.user_id or member.has_role(Role.MANAGER)


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
    # The goal's verdict when the plan was made (agents.outreach.planning.goal_verdict), and its sentence.
    verdict = models.CharField(max_length=16, choices=list(labels.GOAL_VERDICT_LABELS.items()))
    reason = models.TextField()
    # What the planner learned from results by segment, in a sentence (agents/outreach/learning.py).
    learned = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    # When the figures were last decided: at the day's first tick, and again after a manager changes the
    # campaign (a raised goal or limit counts the same day).
    planned_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["campaign", "day"], name="campaign_plan_once_a_day"),
            models.CheckConstraint(
                condition=Q(verdict__in=list(labels.GOAL_VERDICT_LABELS)), name="campaign_plan_verdict_valid"
            ),
        ]

    def __str__(self):
        return f"{self.campaign} on {self.day}: {self.planned_new_leads} new leads"


class ModelSpend(models.Model):
    """What a workspace's model calls cost in one calendar month (UTC): the sum of its AgentSteps' cost,
    added to as each step is recorded, so that checking the budget before a call reads one row instead of
    every step of the month (a sum that grew with each reply and made inbound processing slower by the
    hour)."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    month = models.DateField(help_text="The first day of the month.")
    total_usd = models.DecimalField(max_digits=14, decimal_places=6, default=Decimal(0))

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["workspace", "month"], name="spend_workspace_month_unique"),
            models.CheckConstraint(condition=Q(month__day=1), name="spend_month_first_day"),
        ]

    def __str__(self):
        return f"{self.workspace_id} {self.month:%Y-%m}: {self.total_usd} USD"


class ModelBudget(models.Model):
    """A workspace's monthly spend limit for model calls (defaults to the setting without a row)."""

    workspace = models.OneToOneField(Workspace, on_delete=models.CASCADE, related_name="model_budget")
    monthly_limit_usd = models.DecimalField(max_digits=10, decimal_places=2)

    def __str__(self):
        return f"{self.workspace}: {self.monthly_limit_usd} USD a month"
