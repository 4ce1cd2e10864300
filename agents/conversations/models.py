"""Inbound mail: every message that arrives is kept (with its raw bytes) before anything else happens."""

from django.db import models
from django.db.models import Q
from django.utils import timezone


class InboundMessage(models.Model):
    class Channel(models.TextChoices):
        MIME = "mime", "MIME endpoint"
        ESP = "esp", "Email provider webhook"
        IMAP = "imap", "IMAP mailbox"
        SIMULATOR = "simulator", "Prospect simulator"

    class Status(models.TextChoices):
        RECEIVED = "received", "Received"
        PROCESSING = "processing", "Processing"
        PROCESSED = "processed", "Processed"
        UNMATCHED = "unmatched", "Not matched to a thread"
        FAILED = "failed", "Failed"

    workspace = models.ForeignKey("salesops.Workspace", on_delete=models.CASCADE, related_name="+")
    channel = models.CharField(max_length=16, choices=Channel.choices)
    raw = models.BinaryField()
    size_bytes = models.PositiveIntegerField()
    # Idempotency: the Message-ID, or a digest of the bytes when a message has none.
    dedupe_key = models.CharField(max_length=300)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.RECEIVED)
    failure_reason = models.TextField(blank=True)
    from_address = models.CharField(max_length=254, blank=True)
    subject = models.CharField(max_length=400, blank=True)
    text = models.TextField(blank=True)
    thread = models.ForeignKey(
        "agents.EmailThread", on_delete=models.SET_NULL, null=True, blank=True, related_name="inbound_messages"
    )
    contact = models.ForeignKey(
        "campaigns.Contact", on_delete=models.SET_NULL, null=True, blank=True, related_name="inbound_messages"
    )
    matched_by = models.CharField(max_length=16, blank=True)  # "token", "header", "sender"
    category = models.CharField(max_length=20, blank=True)
    classification = models.JSONField(null=True, blank=True)
    action = models.CharField(max_length=300, blank=True)
    received_at = models.DateTimeField(default=timezone.now)
    # Set when a worker claims the message; a claim older than SALESOPS_INBOUND_STALE_MINUTES is a worker
    # that stopped, and the message is picked up again (at most INBOUND_MAX_ATTEMPTS times).
    claimed_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    processed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["workspace", "dedupe_key"], name="inbound_once_per_message"),
            models.CheckConstraint(
                condition=Q(status__in=["received", "processing", "processed", "unmatched", "failed"]),
                name="inbound_status_valid",
            ),
        ]
        indexes = [
            models.Index(fields=["workspace", "status", "-received_at"], name="inbound_ws_status_idx"),
            models.Index(fields=["contact", "received_at"], name="inbound_contact_idx"),
        ]

    def __str__(self):
        return f"{self.from_address}: {self.subject} ({self.status})"
