"""Benchmark of delivery: schedule a large queue over many mailboxes, send part of it through a local SMTP
sink with several workers, then check every rule the deliverability agent promises.

    python manage.py bench_delivery            # 100,000 queued, 50 mailboxes, 5,000 sent, 4 workers

It works in a throwaway workspace and deletes it afterwards (--keep leaves it). The SMTP sink is aiosmtpd
(a development requirement). Sending uses a simulated clock that jumps from slot to slot, so 5,000 emails
spread over days are sent in seconds, each at (within a minute or so of) its own slot.
"""

import logging
import random
import re
import socket
import threading
import time
from collections import Counter, defaultdict
from datetime import datetime, timedelta
from queue import Queue

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.db.models import Min
from django.utils import timezone

from agents.delivery.models import EmailThread, Mailbox, MailboxDay, OutboundMessage
from agents.delivery.scheduling import delivery_schedule, slot_is_inside_window
from agents.delivery.sending import SendReport, delivery_send_due
from campaigns.models import Account, Campaign, Contact, Offer
from salesops.models import Workspace
from salesops.time_zones import recipient_zone

COUNTRIES = ["DE", "US", "GB", "FR", "NL", "ES", "JP", "AU", "BR", "IN", "SE", "CA"]
CONTACT_ZONES = ["America/Los_Angeles", "Asia/Singapore", "Europe/Warsaw", ""]
LIVE = ["scheduled", "sending", "sent", "unknown"]
_MESSAGE_ID = re.compile(rb"^Message-ID:\s*(<[^>]+>)", re.IGNORECASE | re.MULTILINE)


class _CountingSink:
    """An SMTP handler that only counts: Message-IDs of every message whose DATA completed."""

    def __init__(self):
        self.ids: list[bytes] = []
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        found = _MESSAGE_ID.search(envelope.original_content or envelope.content)
        with self.lock:
            self.ids.append(found.group(1) if found else b"")
        return "250 2.0.0 queued"


class _Worker(threading.Thread):
    """A sending worker with its own database connection, fed one clock value at a time."""

    def __init__(self, workspace_id: int, results: Queue):
        super().__init__(daemon=True)
        self.workspace_id, self.inbox, self.results = workspace_id, Queue(), results

    def run(self):
        try:
            while (job := self.inbox.get()) is not None:
                clock, limit = job
                try:
                    self.results.put(
                        delivery_send_due(now=clock, limit=limit, batch_size=25, workspace_id=self.workspace_id)
                    )
                except Exception as error:  # reported by the main thread
                    self.results.put(error)
        finally:
            connection.close()


class Command(BaseCommand):
    help = "Benchmark scheduling and sending; prove no cap, window, spacing or domain limit was broken."

    def add_arguments(self, parser):
        parser.add_argument("--messages", type=int, default=100_000)
        parser.add_argument("--mailboxes", type=int, default=50)
        parser.add_argument("--campaigns", type=int, default=5)
        parser.add_argument("--send", type=int, default=5_000)
        parser.add_argument("--workers", type=int, default=4)
        parser.add_argument("--horizon-days", type=int, default=90)
        parser.add_argument("--seed", type=int, default=7)
        parser.add_argument("--keep", action="store_true", help="keep the benchmark workspace afterwards")

    def handle(self, *args, **options):
        try:
            from aiosmtpd.controller import Controller
        except ImportError:
            raise CommandError("bench_delivery needs aiosmtpd: pip install -r requirements-dev.txt") from None
        logging.getLogger("mail.log").setLevel(logging.WARNING)  # aiosmtpd logs every command
        self.rng = random.Random(options["seed"])
        started = time.perf_counter()
        sink = _CountingSink()
        controller = Controller(sink, hostname="127.0.0.1", port=self._free_port(), ready_timeout=10)
        controller.start()
        workspace = None
        try:
            workspace = self._setup(options, controller.port)
            self.stdout.write(
                f"setup: {options['messages']:,} queued emails, {options['mailboxes']} mailboxes, "
                f"{options['campaigns']} campaigns on {connection.vendor} in {time.perf_counter() - started:.1f} s"
            )
            now = timezone.now()
            began = time.perf_counter()
            report = delivery_schedule(workspace=workspace, now=now, horizon_days=options["horizon_days"])
            elapsed = time.perf_counter() - began
            self.stdout.write(
                f"scheduled: {report.scheduled:,} in {elapsed:.2f} s = {report.scheduled / elapsed:,.0f} scheduled/s "
                f"({report.examined / elapsed:,.0f} examined/s; {report.waiting:,} wait for capacity beyond "
                f"{options['horizon_days']} days, {report.chunks} chunks)"
            )
            sent, elapsed, rounds = self._send(workspace, options)
            self.stdout.write(
                f"sent: {sent.sent:,} in {elapsed:.2f} s = {sent.sent / elapsed:,.0f} sent/s with {options['workers']} "
                f"workers over {rounds} clock steps ({sent.requeued} back in the queue, {sent.failed} failed, "
                f"{sent.unknown} unknown)"
            )
            problems = self._verify(workspace, now, sink, sent)
            for line in problems:
                self.stdout.write(self.style.ERROR(f"VIOLATION {line}"))
            if problems:
                raise CommandError(f"{len(problems)} rule(s) broken")
            self.stdout.write(
                self.style.SUCCESS("verified: no cap, window, spacing, domain limit or exactly-once rule was broken")
            )
        finally:
            controller.stop()
            if workspace is not None and not options["keep"]:
                cleanup = time.perf_counter()
                self._delete(workspace)
                self.stdout.write(f"cleanup: {time.perf_counter() - cleanup:.1f} s")

    @staticmethod
    def _delete(workspace: Workspace) -> None:
        """Children before parents: campaigns protect their offer, threads their mailbox."""
        with transaction.atomic():
            for model in (OutboundMessage, EmailThread, Mailbox, Campaign, Offer, Contact, Account):
                model.objects.filter(workspace=workspace).delete()
            workspace.delete()

    @staticmethod
    def _free_port() -> int:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            return probe.getsockname()[1]

    # Setup ---------------------------------------------------------------------------------------

    def _setup(self, options, port: int) -> Workspace:
        rng = self.rng
        with transaction.atomic():
            workspace = Workspace.objects.create(
                name="Delivery benchmark",
                slug=f"bench-delivery-{int(time.time() * 1000)}",
                default_time_zone="Europe/Berlin",
            )
            offer = Offer.objects.create(
                workspace=workspace,
                name="Bench offer",
                value_proposition="Faster delivery.",
                call_to_action="A call?",
                sender_name="Bench",
                signature="Bench",
                postal_address="Bench GmbH, Torstraße 1, 10119 Berlin, Germany",
            )
            campaigns = [
                Campaign.objects.create(
                    workspace=workspace,
                    name=f"Bench campaign {index + 1}",
                    offer=offer,
                    status=Campaign.Status.ACTIVE,
                    send_days=[0, 1, 2, 3, 4],
                )
                for index in range(options["campaigns"])
            ]
            today = timezone.localdate()
            mailboxes = []
            for index in range(options["mailboxes"]):
                warming = index % 5 == 4  # one in five still warming up: 15 a day now, 5 more each week
                mailboxes.append(
                    Mailbox(
                        workspace=workspace,
                        from_name=f"Bench sender {index + 1}",
                        from_address=f"sender{index + 1}@bench-mail.example",
                        transport=Mailbox.Transport.SMTP,
                        smtp_host="127.0.0.1",
                        smtp_port=port,
                        smtp_security=Mailbox.Security.NONE,
                        daily_cap=50,
                        warmup_started_on=today - timedelta(days=14) if warming else None,
                    )
                )
            Mailbox.objects.bulk_create(mailboxes)
            links = [
                Mailbox.campaigns.through(mailbox_id=mailbox.pk, campaign_id=campaigns[index % len(campaigns)].pk)
                for index, mailbox in enumerate(mailboxes)
            ]
            Mailbox.campaigns.through.objects.bulk_create(links)
            accounts = Account.objects.bulk_create(
                [
                    Account(
                        workspace=workspace,
                        name=f"Account {index}",
                        domain=f"acct{index}.bench.example",
                        country=COUNTRIES[index % len(COUNTRIES)],
                    )
                    for index in range(max(1, options["messages"] // 25))
                ],
                batch_size=5000,
            )
        contacts = []
        for index in range(options["messages"]):
            account = accounts[index % len(accounts)]
            contacts.append(
                Contact(
                    workspace=workspace,
                    account=account,
                    first_name="Pat",
                    last_name=f"Bench{index}",
                    email=f"c{index}@{account.domain}",
                    time_zone=rng.choice(CONTACT_ZONES) if index % 10 == 0 else "",
                    status=Contact.Status.IN_SEQUENCE,
                )
            )
        Contact.objects.bulk_create(contacts, batch_size=5000)
        messages = [
            OutboundMessage(
                workspace=workspace,
                campaign=campaigns[index % len(campaigns)],
                contact=contact,
                step_position=1,
                subject=f"Idea for {contact.account.name}",
                body_text=f"Hi {contact.first_name},\n\nA short benchmark email.\n\nBench",
                idempotency_key=f"bench:{index}",
            )
            for index, contact in enumerate(contacts)
        ]
        OutboundMessage.objects.bulk_create(messages, batch_size=5000)
        return workspace

    # Sending -------------------------------------------------------------------------------------

    def _send(self, workspace: Workspace, options) -> tuple[SendReport, float, int]:
        target, results = options["send"], Queue()
        workers = [_Worker(workspace.pk, results) for _ in range(options["workers"])]
        for worker in workers:
            worker.start()
        total, rounds = SendReport(), 0
        began = time.perf_counter()
        try:
            while total.sent < target:
                next_due = OutboundMessage.objects.filter(workspace=workspace, status="scheduled").aggregate(
                    first=Min("scheduled_for")
                )["first"]
                if next_due is None:
                    break
                # Jump the clock to the next slot plus a few minutes (well inside the late-slot grace).
                clock = next_due + timedelta(minutes=5)
                remaining = target - total.sent
                shares = [
                    remaining // len(workers) + (1 if i < remaining % len(workers) else 0) for i in range(len(workers))
                ]
                busy = [(worker, share) for worker, share in zip(workers, shares, strict=True) if share]
                for worker, share in busy:  # the shares add up to what is left to send
                    worker.inbox.put((clock, share))
                for _ in busy:
                    result = results.get()
                    if isinstance(result, Exception):
                        raise result
                    total.add(result)
                rounds += 1
        finally:
            for worker in workers:
                worker.inbox.put(None)
            for worker in workers:
                worker.join()
        return total, time.perf_counter() - began, rounds

    # Verification ------------------------------------------------------------------------------

    def _verify(self, workspace: Workspace, now: datetime, sink: _CountingSink, sent: SendReport) -> list[str]:
        problems: list[str] = []
        campaigns = {campaign.pk: campaign for campaign in Campaign.objects.filter(workspace=workspace)}
        mailboxes = {mailbox.pk: mailbox for mailbox in Mailbox.objects.filter(workspace=workspace)}
        rows = list(
            OutboundMessage.objects.filter(workspace=workspace, status__in=LIVE).values_list(
                "pk",
                "campaign_id",
                "mailbox_id",
                "scheduled_for",
                "send_day",
                "recipient_domain",
                "status",
                "sent_at",
                "message_id",
                "contact__time_zone",
                "contact__account__country",
            )
        )
        per_mailbox_day, per_domain_day, slots = Counter(), Counter(), defaultdict(list)
        windows_checked = 0
        for pk, campaign_id, mailbox_id, slot, day, domain, status, sent_at, _, zone_name, country in rows:
            per_mailbox_day[(mailbox_id, day)] += 1
            per_domain_day[(domain, day)] += 1
            slots[mailbox_id].append(slot)
            recipient, _ = recipient_zone(
                contact_time_zone=zone_name, account_country=country, workspace_time_zone=workspace.default_time_zone
            )
            windows_checked += 1
            if not slot_is_inside_window(slot=slot, campaign=campaigns[campaign_id], recipient=recipient):
                problems.append(f"message {pk}: {slot.astimezone(recipient)} is outside the window ({recipient.key})")
            if slot < now:
                problems.append(f"message {pk}: scheduled in the past ({slot})")
            if status == "sent" and sent_at - slot > timedelta(seconds=settings.SALESOPS_DELIVERY_LATE_GRACE_SECONDS):
                problems.append(f"message {pk}: sent {sent_at - slot} after its slot")
        for (mailbox_id, day), count in per_mailbox_day.items():
            allowed = mailboxes[mailbox_id].allowed_on(day)
            if count > allowed:
                problems.append(f"mailbox {mailbox_id} on {day}: {count} emails, allowed {allowed}")
        for row in MailboxDay.objects.filter(mailbox__workspace=workspace):
            if row.sent > mailboxes[row.mailbox_id].allowed_on(row.day):
                problems.append(f"mailbox {row.mailbox_id} on {row.day}: sent {row.sent} past its allowance")
        spacing = settings.SALESOPS_DELIVERY_MIN_SPACING_SECONDS
        closest = min(
            (
                (b - a).total_seconds()
                for times in slots.values()
                for a, b in zip(sorted(times), sorted(times)[1:], strict=False)
            ),
            default=float("inf"),
        )
        if closest < spacing:
            problems.append(f"two emails of one mailbox only {closest:.0f} s apart (minimum {spacing} s)")
        limit = settings.SALESOPS_DELIVERY_DOMAIN_DAILY_LIMIT
        worst_domain = max(per_domain_day.values(), default=0)
        if worst_domain > limit:
            problems.append(f"a recipient domain got {worst_domain} emails in a day (limit {limit})")
        sent_ids = {row[8].encode() for row in rows if row[6] == "sent"}
        arrived = Counter(sink.ids)
        if set(arrived) != sent_ids or any(count > 1 for count in arrived.values()):
            duplicates = sum(count - 1 for count in arrived.values() if count > 1)
            problems.append(f"{len(sent_ids):,} sent but {len(arrived):,} distinct arrived, {duplicates} duplicates")
        worst_use = max(
            (count / mailboxes[mailbox_id].allowed_on(day) for (mailbox_id, day), count in per_mailbox_day.items()),
            default=0,
        )
        days = len({day for _, day in per_mailbox_day})
        self.stdout.write(
            f"checked: {windows_checked:,} slots inside their recipient's window on send days; "
            f"{len(per_mailbox_day):,} mailbox-days over {days} days, fullest at {worst_use:.0%} of its allowance; "
            f"closest two sends of a mailbox {closest:.0f} s apart (min {spacing}); busiest recipient domain-day "
            f"{worst_domain} (limit {limit}); {len(sink.ids):,} arrived at the sink for {len(sent_ids):,} sent, "
            f"none twice"
        )
        return problems
