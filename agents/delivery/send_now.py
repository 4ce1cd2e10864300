""" "Send now" for an email a person wrote (a take-over reply, a compose): it leaves as soon as the
recipient's business hours allow, from its thread's mailbox, without passing the mailbox's cap.

Agents' cold email keeps the scheduler's pace (spacing, spreading, domain limits); a person who answers a
prospect should not wait for the next free tick. Business hours are the campaign's send window on its send
days, in the recipient's time zone (the same helper the scheduler uses): outside them the email waits for
the moment the window opens, and the answer says so. The day's slots are counted in `MailboxDay` exactly as
the scheduler counts them, so the sender's cap check at send time agrees."""

import math
import secrets
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from agents.delivery.models import EmailThread, Mailbox, MailboxDay, OutboundMessage
from agents.delivery.scheduling import DEFAULT_SEND_DAYS, WEEKDAY_NAMES, recipient_domain, tick_seconds
from agents.delivery.tasks import enqueue_delivery_send
from campaigns.models import Campaign
from salesops.audit import member_audit
from salesops.models import Membership, Role
from salesops.time_zones import RECIPIENT_ZONE_SOURCES, recipient_zone, zone_or_utc

SENDABLE_STATUSES = (OutboundMessage.Status.QUEUED, OutboundMessage.Status.SCHEDULED)
SEARCH_DAYS = 14  # a campaign sends on at least one weekday: its window opens within two weeks


@dataclass(frozen=True)
class SendNowResult:
    message: OutboundMessage
    slot: datetime
    waits_for_business_hours: bool
    text: str


def written_by_person(message: OutboundMessage) -> bool:
    """An email a person wrote themselves (no agent run), as the scheduler and sender define it."""
    return message.run_id is None and message.approved_by_id is not None


def may_send_now(*, message: OutboundMessage, actor: Membership) -> bool:
    """Who may hurry an email: an admin or manager, or the person who wrote it."""
    return written_by_person(message) and (actor.has_role(Role.MANAGER) or message.approved_by_id == actor.user_id)


def _check(message: OutboundMessage, actor: Membership) -> None:
    if message.workspace_id != actor.workspace_id:
        raise PermissionDenied("Not an email of this workspace.")
    if not written_by_person(message):
        raise ValidationError("Only an email a person wrote can be sent now; the agents' emails keep their schedule.")
    if not may_send_now(message=message, actor=actor):
        raise PermissionDenied("Only the person who wrote this email, a manager or an admin can send it now.")
    if message.status not in SENDABLE_STATUSES:
        raise ValidationError(f"This email is {message.get_status_display().lower()}: there is nothing to hurry.")


def first_business_moment(*, campaign: Campaign, recipient: ZoneInfo, now: datetime) -> datetime:
    """`now` when it lies inside the campaign's send window for the recipient, else the window's next opening."""
    send_days = set(campaign.send_days or DEFAULT_SEND_DAYS)
    local_today = now.astimezone(recipient).date()
    for offset in range(SEARCH_DAYS + 1):
        day = local_today + timedelta(days=offset)
        if day.weekday() not in send_days:
            continue
        start = datetime.combine(day, campaign.send_start, tzinfo=recipient)
        end = datetime.combine(day, campaign.send_end, tzinfo=recipient)
        if now < end:
            return max(now, start.astimezone(UTC))
    raise ValidationError("The campaign has no send day in the next two weeks: check its send window.")


def _mailbox_and_thread(message: OutboundMessage) -> tuple[Mailbox, EmailThread | None]:
    """The thread's mailbox (a conversation stays in one thread), else the campaign's least loaded one."""
    thread = (
        message.thread
        or EmailThread.objects.filter(campaign_id=message.campaign_id, contact_id=message.contact_id).first()
    )
    if thread is not None:
        mailbox = Mailbox.objects.select_for_update().get(pk=thread.mailbox_id)
        if mailbox.status != Mailbox.Status.ACTIVE:
            raise ValidationError(
                f"The conversation's mailbox {mailbox.from_address} is {mailbox.get_status_display().lower()}: "
                "an admin resumes it under Settings → Mailboxes."
            )
        return mailbox, thread
    mailboxes = list(
        Mailbox.objects.select_for_update()
        .filter(campaigns=message.campaign_id, status=Mailbox.Status.ACTIVE)
        .order_by("pk")
    )
    if not mailboxes:
        raise ValidationError("The campaign has no active mailbox to send from. An admin adds one under Settings.")
    return mailboxes[0], None


def _workspace_day(moment: datetime, workspace_zone: ZoneInfo) -> date:
    return moment.astimezone(workspace_zone).date()


@transaction.atomic
def outbound_send_now(*, message: OutboundMessage, actor: Membership, now: datetime | None = None) -> SendNowResult:
    """Move a person's email to the earliest moment the recipient's business hours and the mailbox's cap
    allow. Raises PermissionDenied (not theirs to hurry) or ValidationError (why it cannot)."""
    _check(message, actor)  # before any lock: a refusal costs nothing
    now = now or timezone.now()
    message = (
        OutboundMessage.objects.select_for_update(of=("self",))
        .select_related("contact__account", "campaign", "workspace", "thread")
        .get(pk=message.pk)
    )
    _check(message, actor)  # again under the lock: the sender or the scheduler may have moved it meanwhile
    workspace = message.workspace
    workspace_zone = zone_or_utc(workspace.default_time_zone)
    recipient, source = recipient_zone(
        contact_time_zone=message.contact.time_zone,
        account_country=message.contact.account.country if message.contact.account_id else "",
        workspace_time_zone=workspace.default_time_zone,
    )
    slot = first_business_moment(campaign=message.campaign, recipient=recipient, now=now)
    waits = slot > now
    mailbox, thread = _mailbox_and_thread(message)
    day = _workspace_day(slot, workspace_zone)
    already_counted = (
        message.status == OutboundMessage.Status.SCHEDULED
        and message.mailbox_id == mailbox.pk
        and message.send_day == day
    )
    allowed = mailbox.allowed_on(day)
    row = MailboxDay.objects.filter(mailbox=mailbox, day=day).first()
    used = max(row.scheduled, row.sent) if row else 0
    if not already_counted and used >= allowed:
        raise ValidationError(
            f"{mailbox.from_address} has used all {allowed} sends it may make on {day:%a %d %b}: "
            "the email keeps its place and leaves when the mailbox has room."
        )
    local = slot.astimezone(recipient)
    when = f"{WEEKDAY_NAMES[local.weekday()]} {local:%d %b %H:%M} {recipient.key}"
    if waits:
        text = f"Outside {message.contact.email}'s business hours: it leaves when they open, {when}."
    else:
        text = f"It leaves now ({when} for the recipient)."
    before = {"status": message.status, "scheduled_for": message.scheduled_for, "mailbox": message.mailbox_id}
    # The audit chain before the counters: the order every delivery transaction takes them in.
    member_audit(
        workspace=workspace,
        user=actor.user,
        verb="outbound.sent_now",
        target=message,
        before=before,
        after={"scheduled_for": slot, "mailbox": mailbox.pk, "waits_for_business_hours": waits},
    )
    if thread is None:
        thread = EmailThread.objects.create(
            workspace=workspace,
            campaign_id=message.campaign_id,
            contact_id=message.contact_id,
            mailbox=mailbox,
            reply_token=secrets.token_hex(10),
        )
    if not already_counted:
        _release_slot(message)
        _take_slot(mailbox=mailbox, day=day, slot=slot)
    Mailbox.objects.filter(pk=mailbox.pk).update(schedule_generation=F("schedule_generation") + 1)
    message.status = OutboundMessage.Status.SCHEDULED
    message.mailbox, message.thread = mailbox, thread
    message.scheduled_for, message.send_day, message.not_before = slot, day, None
    message.recipient_domain = message.recipient_domain or recipient_domain(message.contact.email)
    where = RECIPIENT_ZONE_SOURCES[source]
    message.decision = f"Sent now by {actor.user.email}: {when} ({where}), from {mailbox.from_address}."[:300]
    message.save(
        update_fields=[
            "status",
            "mailbox",
            "thread",
            "scheduled_for",
            "send_day",
            "not_before",
            "recipient_domain",
            "decision",
        ]
    )
    if not waits:
        transaction.on_commit(enqueue_delivery_send)
    return SendNowResult(message=message, slot=slot, waits_for_business_hours=waits, text=text)


def _tick(moment: datetime) -> int:
    return math.floor(moment.timestamp() / tick_seconds())


def _release_slot(message: OutboundMessage) -> None:
    """Give back the slot a scheduled email held (its day's count and its tick)."""
    if message.status != OutboundMessage.Status.SCHEDULED or message.mailbox_id is None or message.send_day is None:
        return
    row = MailboxDay.objects.select_for_update().filter(mailbox_id=message.mailbox_id, day=message.send_day).first()
    if row is None:
        return
    row.scheduled = max(0, row.scheduled - 1)
    tick = _tick(message.scheduled_for)
    row.ticks = [held for held in row.ticks if held != tick]
    row.save(update_fields=["scheduled", "ticks"])


def _take_slot(*, mailbox: Mailbox, day: date, slot: datetime) -> None:
    row, _ = MailboxDay.objects.select_for_update().get_or_create(mailbox=mailbox, day=day)
    row.scheduled += 1
    tick = _tick(slot)
    if tick not in row.ticks:  # the scheduler then keeps its next email of this mailbox a spacing away
        row.ticks = sorted([*row.ticks, tick])
    row.save(update_fields=["scheduled", "ticks"])
