"""Sender reputation: bounces and complaints, and the automatic stop of a mailbox or campaign whose
recent hard-bounce rate passes SALESOPS_DELIVERY_MAX_BOUNCE_RATE (3%) or complaint rate passes
SALESOPS_DELIVERY_MAX_COMPLAINT_RATE (0.1%). Each stop opens an exception for a person.

`delivery_record_bounce` and `delivery_record_complaint` are what inbound processing calls too."""

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone

from agents.delivery.models import Mailbox, OutboundMessage, Suppression
from agents.delivery.outbox import cancel_pending_messages
from agents.delivery.suppression import address_suppress
from agents.handoffs import handoff_open
from agents.models import Handoff
from campaigns.models import Campaign, Contact
from salesops.audit import audit_record


@dataclass(frozen=True)
class Rates:
    sent: int
    bounces: int
    complaints: int

    @property
    def bounce_rate(self) -> Decimal:
        return Decimal(self.bounces) / self.sent if self.sent else Decimal(0)

    @property
    def complaint_rate(self) -> Decimal:
        return Decimal(self.complaints) / self.sent if self.sent else Decimal(0)

    def breach(self) -> str:
        """Why these rates stop sending ("" when they do not)."""
        if self.sent < settings.SALESOPS_DELIVERY_RATE_MIN_SENT:
            return ""
        if self.bounce_rate > settings.SALESOPS_DELIVERY_MAX_BOUNCE_RATE:
            return (
                f"{self.bounces} hard bounces in {self.sent} emails ({self.bounce_rate:.1%}) passes the "
                f"{settings.SALESOPS_DELIVERY_MAX_BOUNCE_RATE:.1%} limit"
            )
        if self.complaint_rate > settings.SALESOPS_DELIVERY_MAX_COMPLAINT_RATE:
            return (
                f"{self.complaints} spam complaints in {self.sent} emails ({self.complaint_rate:.2%}) passes the "
                f"{settings.SALESOPS_DELIVERY_MAX_COMPLAINT_RATE:.2%} limit"
            )
        return ""


def recent_rates(*, now: datetime, mailbox_id: int | None = None, campaign_id: int | None = None) -> Rates:
    since = now - timedelta(days=settings.SALESOPS_DELIVERY_RATE_WINDOW_DAYS)
    messages = OutboundMessage.objects.filter(Q(sent_at__gte=since) | Q(bounced_at__gte=since))
    if mailbox_id is not None:
        messages = messages.filter(mailbox_id=mailbox_id)
    if campaign_id is not None:
        messages = messages.filter(campaign_id=campaign_id)
    totals = messages.aggregate(
        sent=Count("pk", filter=Q(status="sent") | Q(bounced_at__isnull=False)),
        bounces=Count("pk", filter=Q(bounced_at__gte=since)),
        complaints=Count("pk", filter=Q(complained_at__gte=since)),
    )
    return Rates(sent=totals["sent"], bounces=totals["bounces"], complaints=totals["complaints"])


@transaction.atomic
def mailbox_stop(*, mailbox: Mailbox, reason: str) -> bool:
    """Stop a mailbox (once) and open an exception saying why. Its scheduled emails go back to the queue."""
    stopped = Mailbox.objects.filter(pk=mailbox.pk, status=Mailbox.Status.ACTIVE).update(
        status=Mailbox.Status.STOPPED, stopped_reason=reason[:2000], updated_at=timezone.now()
    )
    if not stopped:
        return False
    OutboundMessage.objects.filter(mailbox_id=mailbox.pk, status=OutboundMessage.Status.SCHEDULED).update(
        status=OutboundMessage.Status.QUEUED,
        scheduled_for=None,
        send_day=None,
        decision=f"Back in the queue: mailbox {mailbox.from_address} was stopped.",
    )
    audit_record(
        workspace=mailbox.workspace,
        verb="mailbox.stopped",
        actor="agent:delivery",
        target=mailbox,
        after={"reason": reason},
    )
    handoff_open(
        run=None,
        workspace_id=mailbox.workspace_id,
        kind=Handoff.Kind.EXCEPTION,
        reason=f"Mailbox {mailbox.from_address} was stopped automatically: {reason}. An admin can resume it "
        "under Settings → Mailboxes once the cause is fixed.",
        dedupe_key=f"mailbox-stopped:{mailbox.pk}:{timezone.now():%Y-%m-%dT%H:%M}",
    )
    return True


@transaction.atomic
def campaign_stop(*, campaign: Campaign, reason: str) -> bool:
    paused = Campaign.objects.filter(pk=campaign.pk, status=Campaign.Status.ACTIVE).update(
        status=Campaign.Status.PAUSED, updated_at=timezone.now()
    )
    if not paused:
        return False
    audit_record(
        workspace=campaign.workspace,
        verb="campaign.paused_by_delivery",
        actor="agent:delivery",
        target=campaign,
        before={"status": "active"},
        after={"status": "paused", "reason": reason},
    )
    handoff_open(
        run=None,
        workspace_id=campaign.workspace_id,
        campaign_id=campaign.pk,
        kind=Handoff.Kind.EXCEPTION,
        reason=f"Campaign {campaign.name} was paused automatically: {reason}. Check its list and its mailboxes, "
        "then activate it again.",
        dedupe_key=f"campaign-stopped:{campaign.pk}:{timezone.now():%Y-%m-%dT%H:%M}",
    )
    return True


def delivery_health_check(*, message: OutboundMessage, now: datetime) -> None:
    """After a bounce or complaint: stop the message's mailbox and campaign if their rates passed the limits."""
    if message.mailbox_id:
        breach = recent_rates(now=now, mailbox_id=message.mailbox_id).breach()
        if breach:
            mailbox_stop(mailbox=Mailbox.objects.select_related("workspace").get(pk=message.mailbox_id), reason=breach)
    breach = recent_rates(now=now, campaign_id=message.campaign_id).breach()
    if breach:
        campaign_stop(campaign=Campaign.objects.select_related("workspace").get(pk=message.campaign_id), reason=breach)


@transaction.atomic
def delivery_record_bounce(
    *, message: OutboundMessage, detail: str = "", permanent: bool = True, now: datetime | None = None
) -> None:
    """A hard bounce: the address is suppressed, the contact marked bounced, its pending emails cancelled."""
    now = now or timezone.now()
    if not permanent:
        return  # soft bounces (mailbox full, …) neither suppress nor count toward the rate
    if message.bounced_at is None:
        OutboundMessage.objects.filter(pk=message.pk).update(bounced_at=now)
        message.bounced_at = now
    address_suppress(
        workspace_id=message.workspace_id, email=message.contact.email, reason=Suppression.Reason.BOUNCE, note=detail
    )
    Contact.objects.filter(pk=message.contact_id).update(status=Contact.Status.BOUNCED)
    cancel_pending_messages(
        workspace_id=message.workspace_id,
        contact_ids=[message.contact_id],
        reason="bounced",
        text="Cancelled: the address bounced.",
    )
    delivery_health_check(message=message, now=now)


@transaction.atomic
def delivery_record_complaint(*, message: OutboundMessage, now: datetime | None = None) -> None:
    """A spam complaint: treated as an unsubscribe, and counted against the mailbox and campaign."""
    now = now or timezone.now()
    if message.complained_at is None:
        OutboundMessage.objects.filter(pk=message.pk).update(complained_at=now)
        message.complained_at = now
    address_suppress(
        workspace_id=message.workspace_id,
        email=message.contact.email,
        reason=Suppression.Reason.COMPLAINT,
        note="spam complaint",
    )
    Contact.objects.filter(pk=message.contact_id).update(status=Contact.Status.UNSUBSCRIBED)
    cancel_pending_messages(
        workspace_id=message.workspace_id,
        contact_ids=[message.contact_id],
        reason="complaint",
        text="Cancelled: the contact complained.",
    )
    delivery_health_check(message=message, now=now)
