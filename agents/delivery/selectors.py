"""Reads for the delivery pages, always within one workspace."""

from datetime import date

from django.db.models import Case, Count, F, IntegerField, Prefetch, Q, QuerySet, Value, When
from django.db.models.functions import Coalesce
from django.utils import timezone

from agents.delivery.models import Mailbox, MailboxDay, OutboundMessage, SandboxMail, Suppression
from agents.delivery.scheduling import DEFAULT_SEND_DAYS
from campaigns.models import Campaign
from salesops.models import Workspace


def mailboxes_of_workspace(*, workspace: Workspace) -> list[Mailbox]:
    """Mailboxes with their campaigns and today's counters (3 queries)."""
    today = timezone.localdate()
    mailboxes = list(
        Mailbox.objects.filter(workspace=workspace)
        .prefetch_related(
            Prefetch("campaigns", queryset=Campaign.objects.order_by("name")),
            Prefetch("days", queryset=MailboxDay.objects.filter(day=today), to_attr="today_rows"),
        )
        .order_by("pk")
    )
    for mailbox in mailboxes:
        row = mailbox.today_rows[0] if mailbox.today_rows else None
        mailbox.sent_today = row.sent if row else 0
        mailbox.scheduled_today = row.scheduled if row else 0
        mailbox.allowed_today = mailbox.allowed_on(today)
    return mailboxes


WEEKDAY_NAMES = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]


def campaign_send_blockers(*, campaign: Campaign, today: date | None = None) -> list[str]:
    """What keeps the campaign's emails from leaving today, each as a sentence saying who can fix it;
    [] when nothing does. The campaign page and its dashboard show them (2 queries)."""
    today = today or timezone.localdate()
    mailboxes = list(
        campaign.mailboxes.prefetch_related(
            Prefetch("days", queryset=MailboxDay.objects.filter(day=today), to_attr="today_rows")
        ).order_by("from_address")
    )
    blockers = _mailbox_blockers(campaign, mailboxes, today)
    send_days = campaign.send_days or list(DEFAULT_SEND_DAYS)
    if today.weekday() not in send_days:
        names = ", ".join(WEEKDAY_NAMES[day][:3] for day in sorted(send_days))
        blockers.append(
            f"Today is {WEEKDAY_NAMES[today.weekday()]}, not one of the campaign's send days ({names}): "
            "emails wait for the next one."
        )
    return blockers


def _mailbox_blockers(campaign: Campaign, mailboxes: list[Mailbox], today: date) -> list[str]:
    if not mailboxes:
        if not Mailbox.objects.filter(workspace_id=campaign.workspace_id, status=Mailbox.Status.ACTIVE).exists():
            return [
                "No mailbox sends for this campaign, and the workspace has no active one: "
                "ask an admin to connect a mailbox."
            ]
        return [
            "No mailbox sends for this campaign: "
            "a manager picks one of the workspace's active mailboxes in the campaign's settings."
        ]
    active = [mailbox for mailbox in mailboxes if mailbox.status == Mailbox.Status.ACTIVE]
    if not active:
        names = "; ".join(
            f"{mailbox.from_address} ({mailbox.get_status_display().lower()}"
            + (f": {mailbox.stopped_reason}" if mailbox.stopped_reason else "")
            + ")"
            for mailbox in mailboxes
        )
        return [
            f"Every mailbox of this campaign is paused or stopped ({names}): "
            "an admin resumes one under Settings → Mailboxes."
        ]
    used = [(mailbox, _used_today(mailbox), mailbox.allowed_on(today)) for mailbox in active]
    if all(count >= allowed for _, count, allowed in used):
        names = "; ".join(f"{mailbox.from_address}: {count} of {allowed}" for mailbox, count, allowed in used)
        return [
            f"Today's allowance is used up on every active mailbox of this campaign ({names}): "
            "emails wait for tomorrow."
        ]
    return []


def _used_today(mailbox: Mailbox) -> int:
    # Slots the scheduler handed out or emails sent, whichever is more: either way the day is taken.
    row = mailbox.today_rows[0] if mailbox.today_rows else None
    return max(row.scheduled, row.sent) if row else 0


def mailbox_get(*, workspace: Workspace, mailbox_id: int) -> Mailbox:
    return Mailbox.objects.get(workspace=workspace, pk=mailbox_id)


def suppressions_of_workspace(*, workspace: Workspace, query: str = "") -> QuerySet[Suppression]:
    entries = Suppression.objects.filter(workspace=workspace).select_related("created_by")
    if query:
        entries = entries.filter(value__icontains=query.strip().lower())
    return entries.order_by("-created_at", "-pk")


def suppression_get(*, workspace: Workspace, suppression_id: int) -> Suppression:
    return Suppression.objects.get(workspace=workspace, pk=suppression_id)


PENDING_STATUSES = ("sending", "scheduled", "queued")


def outbox_messages(*, workspace: Workspace, status: str = "") -> QuerySet[OutboundMessage]:
    """The outbox in send order: what leaves next first (sending, then scheduled by slot, then the
    unscheduled queue in the order the scheduler takes it, oldest first), then what is done, newest first."""
    messages = OutboundMessage.objects.filter(workspace=workspace).select_related("contact", "campaign", "mailbox")
    if status:
        messages = messages.filter(status=status)
    pending = Q(status__in=PENDING_STATUSES)
    return messages.annotate(
        done=Case(When(pending, then=Value(1)), default=Value(2), output_field=IntegerField()),
        leaves_at=Case(When(pending, then=Coalesce("sending_started_at", "scheduled_for"))),
        left_at=Case(When(~pending, then=Coalesce("sent_at", "created_at"))),
    ).order_by(
        "done",
        F("leaves_at").asc(nulls_last=True),
        F("left_at").desc(nulls_last=True),
        "pk",
    )


def outbox_counts(*, workspace: Workspace) -> list[tuple[str, str, int]]:
    """(status, its label, number of emails) for every status, in one query."""
    totals = OutboundMessage.objects.filter(workspace=workspace).aggregate(
        **{status: Count("pk", filter=Q(status=status)) for status in OutboundMessage.Status.values}
    )
    return [(value, label, totals[value]) for value, label in OutboundMessage.Status.choices]


def outbox_message_get(*, workspace: Workspace, message_id: int) -> OutboundMessage:
    return OutboundMessage.objects.select_related("contact__account", "campaign", "mailbox", "thread", "run").get(
        workspace=workspace, pk=message_id
    )


def _sandbox_visible(*, workspace: Workspace, admin: bool) -> QuerySet[SandboxMail]:
    mails = SandboxMail.objects.filter(workspace=workspace)
    return mails if admin else mails.filter(admins_only=False)


def sandbox_mails(*, workspace: Workspace, admin: bool) -> QuerySet[SandboxMail]:
    """The workspace's kept emails; account mail (password resets, invitations) only for an admin."""
    return _sandbox_visible(workspace=workspace, admin=admin).order_by("-created_at", "-pk")


def sandbox_mail_get(*, workspace: Workspace, mail_id: int, admin: bool) -> SandboxMail:
    return _sandbox_visible(workspace=workspace, admin=admin).select_related("message").get(pk=mail_id)
