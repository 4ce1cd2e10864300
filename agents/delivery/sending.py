"""Exactly-once sending.

1. Claim: due "scheduled" rows are locked with SELECT … FOR UPDATE SKIP LOCKED (so workers never take
   the same row) and re-checked: suppression, the contact's state, a take-over or reply in the thread,
   the cited signals' freshness, the mailbox, the slot (not late), and the mailbox's cap, counted in the
   database (`MailboxDay.sent` only grows while under the day's allowance). Rows that pass are rendered
   and committed as "sending" — with their Message-ID — before any byte goes to a server.
2. Send: one connection per mailbox; each outcome is committed at once.
3. Outcome: accepted → "sent". Refused before the end of the message (nothing accepted) → back to the
   queue with a delay, a bounce for a refused recipient, or "failed" after the last attempt. Lost after
   the whole message left → "outcome unknown" and an exception for a person: never retried blind.
4. Recovery: a row left in "sending" (the worker died) becomes "outcome unknown" the same way.
"""

import logging
import os
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from agents.delivery.compose import compose
from agents.delivery.crypto import SecretUnreadable
from agents.delivery.health import delivery_record_bounce, mailbox_stop
from agents.delivery.models import Mailbox, MailboxDay, OutboundMessage
from agents.delivery.scheduling import CANCEL_TEXT, conversation_stop_reason, take_overs_and_writers
from agents.delivery.suppression import SuppressedAddresses, suppressed_addresses
from agents.delivery.transport import DeliveryError, Transport, transport_for
from agents.handoffs import handoff_open
from agents.models import Handoff, TakeOver
from campaigns.models import Campaign, Signal
from salesops.audit import audit_record
from salesops.models import Membership

logger = logging.getLogger(__name__)


@dataclass
class SendReport:
    claimed: int = 0
    sent: int = 0
    requeued: int = 0
    cancelled: int = 0
    failed: int = 0
    unknown: int = 0
    sent_ids: list[int] = field(default_factory=list)

    def add(self, other: "SendReport") -> None:
        for name in ("claimed", "sent", "requeued", "cancelled", "failed", "unknown"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.sent_ids.extend(other.sent_ids)


def _cited_signal_ids(claims: list) -> set[int]:
    ids = set()
    for claim in claims or []:
        for source in claim.get("sources", []) if isinstance(claim, dict) else []:
            kind, _, number = str(source).partition(":")
            if kind == "signal" and number.isdigit():
                ids.add(int(number))
    return ids


def _requeue(message: OutboundMessage, text: str, *, not_before: datetime | None = None) -> None:
    message.status = OutboundMessage.Status.QUEUED
    message.scheduled_for = message.send_day = None
    message.not_before = not_before
    message.decision = text[:300]
    message.save(update_fields=["status", "scheduled_for", "send_day", "not_before", "decision"])


def _cancel(message: OutboundMessage, reason: str, text: str) -> None:
    message.status = OutboundMessage.Status.CANCELLED
    message.cancel_reason = reason
    message.decision = text[:300]
    message.save(update_fields=["status", "cancel_reason", "decision"])


def _count_against_cap(message: OutboundMessage) -> bool:
    """Take one of the day's sends of the mailbox, or say the cap is reached (atomic, all workers)."""
    allowed = message.mailbox.allowed_on(message.send_day)
    MailboxDay.objects.bulk_create(
        [MailboxDay(mailbox_id=message.mailbox_id, day=message.send_day)], ignore_conflicts=True
    )
    return bool(
        MailboxDay.objects.filter(mailbox_id=message.mailbox_id, day=message.send_day, sent__lt=allowed).update(
            sent=F("sent") + 1
        )
    )


def _release_cap(mailbox_id: int, day) -> None:
    MailboxDay.objects.filter(mailbox_id=mailbox_id, day=day, sent__gt=0).update(sent=F("sent") - 1)


@dataclass(frozen=True)
class _ClaimFacts:
    """What re-checking a claimed batch reads, loaded in a fixed number of queries whatever its size."""

    suppressed: SuppressedAddresses
    take_overs: dict[int, TakeOver]  # by contact id
    writers: dict[tuple[int, int], Membership]  # (workspace id, user id) -> who wrote to a taken-over contact
    signal_times: dict[int, datetime]  # cited signal id -> when it happened (a deleted signal is absent)
    earlier_message_ids: dict[int, list[str]]  # thread id -> Message-IDs sent in it, oldest first


@dataclass(frozen=True)
class _Cancel:
    """The message never leaves."""

    reason: str
    text: str
    stale_signals: list[int] = field(default_factory=list)  # a person is asked to regenerate or dismiss


@dataclass(frozen=True)
class _Requeue:
    """The message goes back to the queue; the scheduler gives it a new slot."""

    text: str


def _lock_due(*, now: datetime, batch_size: int, workspace_id: int | None) -> list[OutboundMessage]:
    """Due scheduled rows, oldest slot first, locked; rows another worker holds are skipped, never waited for."""
    due = (
        OutboundMessage.objects.select_for_update(skip_locked=True, of=("self",))
        .filter(status=OutboundMessage.Status.SCHEDULED, scheduled_for__lte=now)
        .select_related("contact", "campaign__offer", "mailbox", "thread", "run")
        .order_by("scheduled_for", "pk")
    )
    if workspace_id is not None:
        due = due.filter(workspace_id=workspace_id)
    return list(due[:batch_size])


def _claim_facts(messages: list[OutboundMessage]) -> _ClaimFacts:
    suppressed = suppressed_addresses(
        workspace_ids={message.workspace_id for message in messages},
        emails={message.contact.email for message in messages},
        domains={message.recipient_domain for message in messages},
    )
    take_overs, writers = take_overs_and_writers([(message.contact_id, message.approved_by_id) for message in messages])
    signal_ids = set().union(*(_cited_signal_ids(message.claims) for message in messages))
    signal_times = dict(Signal.objects.filter(pk__in=signal_ids).values_list("pk", "occurred_at"))
    # Follow-ups and answers thread under what was sent before.
    thread_ids = {message.thread_id for message in messages if message.step_position != 1}
    earlier = defaultdict(list)
    for thread_id, message_id in (
        OutboundMessage.objects.filter(thread_id__in=thread_ids, status=OutboundMessage.Status.SENT)
        .order_by("sent_at", "pk")
        .values_list("thread_id", "message_id")
    ):
        earlier[thread_id].append(message_id)
    return _ClaimFacts(
        suppressed=suppressed,
        take_overs=take_overs,
        writers=writers,
        signal_times=signal_times,
        earlier_message_ids=earlier,
    )


def _stopped_at_send_time(message: OutboundMessage, facts: _ClaimFacts) -> _Cancel | None:
    """Suppressed since it was scheduled, or the conversation stopped (a reply, a take-over, an unsubscribe…)."""
    contact = message.contact
    if facts.suppressed.covers(workspace_id=message.workspace_id, email=contact.email, domain=message.recipient_domain):
        return _Cancel("suppressed", CANCEL_TEXT["suppressed"] + " (checked at send time)")
    reason = conversation_stop_reason(
        contact_status=contact.status,
        take_over=facts.take_overs.get(contact.pk),
        writer=facts.writers.get((message.workspace_id, message.approved_by_id)),
        thread_replied=False,
        step_position=message.step_position,
        run_id=message.run_id,
        approved_by_id=message.approved_by_id,
    )
    return _Cancel(reason, CANCEL_TEXT[reason] + " (checked at send time)") if reason else None


def _without_thread(message: OutboundMessage) -> _Requeue | None:
    """Scheduled by hand, not by the scheduler: the scheduler assigns the thread."""
    return _Requeue("Back in the queue: it has no thread yet.") if message.thread is None else None


def _thread_replied(message: OutboundMessage) -> _Cancel | None:
    """The contact replied in the thread: only the conversation's own emails may still leave."""
    if message.thread.replied_at is not None and conversation_stop_reason(
        contact_status="",
        take_over=None,
        writer=None,
        thread_replied=True,
        step_position=message.step_position,
        run_id=message.run_id,
        approved_by_id=message.approved_by_id,
    ):
        return _Cancel("thread_replied", CANCEL_TEXT["thread_replied"] + " (checked at send time)")
    return None


def _cites_stale_signals(message: OutboundMessage, facts: _ClaimFacts, now: datetime) -> _Cancel | None:
    """A cited signal was deleted, or is older by now than the campaign allows a claim to rest on."""
    stale = [
        signal_id
        for signal_id in _cited_signal_ids(message.claims)
        if signal_id not in facts.signal_times
        or (now - facts.signal_times[signal_id]).days > message.campaign.stale_signal_days
    ]
    if stale:
        return _Cancel("stale_signal", f"Cancelled: cited signal(s) {stale} are gone or stale now.", stale)
    return None


def _cannot_leave_now(message: OutboundMessage, now: datetime) -> _Requeue | None:
    """The campaign or the mailbox is not active, or the slot passed: the scheduler finds a new slot."""
    campaign, mailbox = message.campaign, message.mailbox
    if campaign.status != Campaign.Status.ACTIVE:
        return _Requeue(f"Back in the queue: the campaign is {campaign.get_status_display().lower()}.")
    if mailbox.status != Mailbox.Status.ACTIVE:
        return _Requeue(f"Back in the queue: mailbox {mailbox.from_address} is {mailbox.status}.")
    if now > message.scheduled_for + timedelta(seconds=settings.SALESOPS_DELIVERY_LATE_GRACE_SECONDS):
        return _Requeue(f"Back in the queue: its slot at {message.scheduled_for:%Y-%m-%d %H:%M} UTC passed.")
    return None


def _send_time_check(message: OutboundMessage, facts: _ClaimFacts, now: datetime) -> _Cancel | _Requeue | None:
    """What stops a due message now (None: it may leave). The first check that fails decides, so the order
    matters: a message without a thread goes back to the queue before anything reads its thread."""
    return (
        _stopped_at_send_time(message, facts)
        or _without_thread(message)
        or _thread_replied(message)
        or _cites_stale_signals(message, facts, now)
        or _cannot_leave_now(message, now)
    )


def _hold_back(message: OutboundMessage, outcome: _Cancel | _Requeue, report: SendReport) -> None:
    if isinstance(outcome, _Requeue):
        _requeue(message, outcome.text)
        report.requeued += 1
        return
    _cancel(message, outcome.reason, outcome.text)
    report.cancelled += 1
    if outcome.stale_signals:
        _stale_handoff(message, outcome.stale_signals)


def _mark_sending(message: OutboundMessage, *, now: datetime, earlier_message_ids: list[str]) -> EmailMultiAlternatives:
    """Render the email and commit it as "sending" with its Message-ID, before any byte goes to a server."""
    offer = message.campaign.offer
    composed = compose(
        message=message,
        mailbox=message.mailbox,
        thread=message.thread,
        contact=message.contact,
        postal_address=offer.postal_address if offer else "",
        earlier_message_ids=earlier_message_ids,
    )
    message.status = OutboundMessage.Status.SENDING
    message.sending_started_at = now
    message.attempts += 1
    message.text_as_sent, message.body_html = composed.text, composed.html
    message.in_reply_to, message.references = composed.in_reply_to, composed.references
    message.save(
        update_fields=[
            "status",
            "sending_started_at",
            "attempts",
            "text_as_sent",
            "body_html",
            "in_reply_to",
            "references",
        ]
    )
    composed.email.outbound_pk = message.pk
    return composed.email


def _mark_sending_within_caps(
    ready: list[OutboundMessage], *, facts: _ClaimFacts, now: datetime, report: SendReport
) -> list[tuple[OutboundMessage, EmailMultiAlternatives]]:
    """Take each message's send from its mailbox's day counter (back to the queue when the cap is reached),
    then commit it as "sending". The shared counters are taken last, in one order (mailbox, day) for every
    worker: two claims never wait on each other's rows in opposite orders, so they cannot deadlock."""
    claimed = []
    for message in sorted(ready, key=lambda item: (item.mailbox_id, item.send_day, item.pk)):
        if not _count_against_cap(message):
            _requeue(
                message, f"Back in the queue: {message.mailbox.from_address} reached its cap for {message.send_day}."
            )
            report.requeued += 1
            continue
        earlier_message_ids = facts.earlier_message_ids.get(message.thread_id, [])
        claimed.append((message, _mark_sending(message, now=now, earlier_message_ids=earlier_message_ids)))
    return claimed


def _claim(
    *, now: datetime, batch_size: int, report: SendReport, workspace_id: int | None
) -> list[tuple[OutboundMessage, EmailMultiAlternatives]]:
    """Lock due rows, re-check them, and commit those still good as "sending" (rendered)."""
    with transaction.atomic():
        messages = _lock_due(now=now, batch_size=batch_size, workspace_id=workspace_id)
        if not messages:
            return []
        report.claimed += len(messages)
        facts = _claim_facts(messages)
        ready = []
        for message in messages:
            outcome = _send_time_check(message, facts, now)
            if outcome is None:
                ready.append(message)
            else:
                _hold_back(message, outcome, report)
        return _mark_sending_within_caps(ready, facts=facts, now=now, report=report)


def _stale_handoff(message: OutboundMessage, stale: list[int]) -> None:
    handoff_open(
        run=message.run,
        workspace_id=message.workspace_id,
        campaign_id=message.campaign_id,
        contact_id=message.contact_id,
        kind=Handoff.Kind.EXCEPTION,
        reason=f"An approved email was not sent: the signal(s) it cites ({', '.join(map(str, stale))}) are gone or "
        "older than the campaign allows by now. Regenerate it from fresh signals or dismiss it.",
        proposal={"message": message.pk, "subject": message.subject, "body": message.body_text},
        dedupe_key=f"outbound-stale:{message.pk}",
    )


def _unknown_handoff(message: OutboundMessage, detail: str) -> None:
    handoff_open(
        run=None,
        workspace_id=message.workspace_id,
        campaign_id=message.campaign_id,
        contact_id=message.contact_id,
        kind=Handoff.Kind.EXCEPTION,
        reason=f"We cannot tell whether “{message.subject}” reached {message.contact.email}: {detail} "
        f"It will not be sent again automatically. Look for Message-ID {message.message_id} in the mailbox's "
        "sent folder or the provider's log, then dismiss this, or take the conversation over.",
        proposal={"message": message.pk, "message_id": message.message_id, "error": detail},
        dedupe_key=f"outbound-unknown:{message.pk}",
    )
    audit_record(
        workspace=message.workspace,
        verb="outbound.outcome_unknown",
        actor="agent:delivery",
        target=message,
        after={"message_id": message.message_id, "error": detail},
    )


def _outcome(message: OutboundMessage, *, now: datetime, response: str = "", error: DeliveryError | None = None):
    """Commit what happened to one message that was "sending". Returns the report field to count."""
    if error is None:
        # One statement: only a row still "sending" becomes "sent" (the recovery sweep may have got there first).
        updated = OutboundMessage.objects.filter(pk=message.pk, status=OutboundMessage.Status.SENDING).update(
            status=OutboundMessage.Status.SENT, sent_at=now, server_response=response[:500], error=""
        )
        return "sent" if updated else "unknown"
    with transaction.atomic():
        locked = (
            OutboundMessage.objects.select_for_update(of=("self",))
            .select_related("contact", "mailbox", "workspace")
            .get(pk=message.pk)
        )
        if locked.status != OutboundMessage.Status.SENDING:  # the recovery sweep got there first
            return "unknown"
        locked.error = error.message
        counted = (locked.mailbox_id, locked.send_day)  # the day's send it took at claim time
        if error.accepted is None:
            locked.status = OutboundMessage.Status.UNKNOWN
            locked.decision = "Outcome unknown: a person decides; never retried automatically."
            locked.save(update_fields=["status", "error", "decision"])
            _unknown_handoff(locked, error.message)
            return "unknown"
        # Nothing was accepted from here on. (The mailbox's day counter is released last: every
        # transaction takes the audit chain before counters, never the other way round.)
        if error.recipient_refused:
            locked.status = OutboundMessage.Status.FAILED
            locked.decision = "Failed: the server refused the recipient (hard bounce)."
            locked.save(update_fields=["status", "error", "decision"])
            delivery_record_bounce(message=locked, detail=error.message, now=now)
            return "failed"
        if error.mailbox_problem and error.permanent:
            locked.save(update_fields=["error"])
            mailbox_stop(mailbox=locked.mailbox, reason=f"The server refused the mailbox: {error.message}")
            _requeue(locked, f"Back in the queue: the mailbox was refused ({error.message})"[:300])
            _release_cap(*counted)
            return "requeued"
        max_attempts = settings.SALESOPS_DELIVERY_MAX_ATTEMPTS
        if error.permanent or locked.attempts >= max_attempts:
            locked.status = OutboundMessage.Status.FAILED
            locked.decision = f"Failed after {locked.attempts} attempt(s); nothing was accepted by the server."
            locked.save(update_fields=["status", "error", "decision"])
            handoff_open(
                run=None,
                workspace_id=locked.workspace_id,
                campaign_id=locked.campaign_id,
                contact_id=locked.contact_id,
                kind=Handoff.Kind.EXCEPTION,
                reason=f"“{locked.subject}” to {locked.contact.email} could not be sent after {locked.attempts} "
                f"attempt(s): {error.message}",
                proposal={"message": locked.pk, "error": error.message},
                dedupe_key=f"outbound-failed:{locked.pk}",
            )
            _release_cap(*counted)
            return "failed"
        delay = timedelta(minutes=4 ** (locked.attempts - 1))
        locked.save(update_fields=["error"])
        _requeue(
            locked,
            f"Nothing was accepted ({error.message[:120]}); trying again after {now + delay:%H:%M} UTC "
            f"(attempt {locked.attempts + 1} of {max_attempts}).",
            not_before=now + delay,
        )
        _release_cap(*counted)
        return "requeued"


def delivery_send_due(
    *, now: datetime | None = None, limit: int = 200, batch_size: int = 20, workspace_id: int | None = None
) -> SendReport:
    """Send due emails until none is due or `limit` were claimed. Safe to run in many workers at once."""
    report = SendReport()
    transports: dict[int, Transport] = {}  # one open connection per mailbox for the whole call
    try:
        while report.claimed < limit:
            moment = now or timezone.now()
            claimed = _claim(
                now=moment, batch_size=min(batch_size, limit - report.claimed), report=report, workspace_id=workspace_id
            )
            if not claimed:
                break
            by_mailbox = defaultdict(list)
            for message, email in claimed:
                by_mailbox[message.mailbox_id].append((message, email))
            for mailbox_id, items in by_mailbox.items():
                _send_group(items, now=now, report=report, transports=transports, mailbox_id=mailbox_id)
    finally:
        for transport in transports.values():
            transport.__exit__(None, None, None)
    return report


def _send_group(items: list, *, now: datetime | None, report: SendReport, transports: dict, mailbox_id: int) -> None:
    transport = transports.get(mailbox_id)
    if transport is None:
        try:
            transport = transport_for(items[0][0].mailbox).__enter__()
        except (DeliveryError, SecretUnreadable) as error:  # could not connect or log in: nothing was sent
            if isinstance(error, SecretUnreadable):
                error = DeliveryError(str(error), accepted=False, permanent=True, mailbox_problem=True)
            for message, _ in items:
                _count(report, _outcome(message, now=now or timezone.now(), error=error), message)
            return
        transports[mailbox_id] = transport
    for message, email in items:
        try:
            response = transport.send(email)
        except DeliveryError as error:
            result = _outcome(message, now=now or timezone.now(), error=error)
        else:
            result = _outcome(message, now=now or timezone.now(), response=response)
        _count(report, result, message)


def _count(report: SendReport, result: str, message: OutboundMessage) -> None:
    setattr(report, result, getattr(report, result) + 1)
    if result == "sent":
        report.sent_ids.append(message.pk)


def delivery_recover_stuck(*, now: datetime | None = None) -> int:
    """Rows left in "sending" longer than any send takes: their worker died mid-send. Outcome unknown."""
    now = now or timezone.now()
    cutoff = now - timedelta(seconds=settings.SALESOPS_DELIVERY_STUCK_AFTER_SECONDS)
    recovered = 0
    with transaction.atomic():
        stuck = list(
            OutboundMessage.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("contact", "workspace")
            .filter(status=OutboundMessage.Status.SENDING, sending_started_at__lt=cutoff)
        )
        for message in stuck:
            message.status = OutboundMessage.Status.UNKNOWN
            waited = int((now - message.sending_started_at).total_seconds())
            message.error = f"Still 'sending' {waited} s after it started."
            message.decision = "Outcome unknown: the sending worker stopped mid-send; a person decides."
            message.save(update_fields=["status", "error", "decision"])
            _unknown_handoff(message, "the worker sending it stopped before it recorded the server's answer.")
            recovered += 1
    return recovered


def worker_label() -> str:
    return f"pid {os.getpid()}"
