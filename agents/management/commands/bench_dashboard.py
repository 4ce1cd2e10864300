"""Measure the campaign dashboard and the filtered audit timeline at two data sizes (PostgreSQL only).

    python manage.py bench_dashboard                 # 1,000,000 agent steps, 200,000 emails, 2,000,000 audit events
    python manage.py bench_dashboard --scale 0.002   # the same shape, 500 times smaller (tests)

Each size gets its own 10 workspaces ("Bench dashboard …", 5 campaigns each), loaded with COPY: per lead
one agent run with 5 steps (research, qualify, write, verify with findings, route), one email (most
sent, some bounced or complained), 10 audit events (handoff, email and contact actions), and for some
leads a reviewed draft (approved, edited or rejected), a reply, a meeting. The first size is a tenth of
the second; the figures are measured after each load through the Django test client as the first
workspace's admin:

  dashboard         the first campaign's dashboard
  overview          the workspace overview (goals' burn-ups, emails and replies a day, inbox age)
  contact page      one contact's page (profile, signals, runs, conversation, history)
  audit campaign    the audit timeline filtered by that campaign (agent steps and actions)
  audit contact     the audit timeline filtered by one contact
  audit agent+dates the audit timeline filtered by agent "write" and the last 7 days

printing the median milliseconds of `--runs` requests and the SQL queries of each. Rows stay.
"""

import statistics
import time
from datetime import timedelta
from decimal import Decimal

from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from agents.conversations.models import InboundMessage
from agents.delivery.models import EmailThread, Mailbox, MailboxDay, OutboundMessage
from agents.insights.services import draft_edits_refresh
from agents.meetings.models import Meeting
from agents.models import AgentRun, AgentStep, Handoff
from campaigns.models import Account, Campaign, Contact
from salesops.bulk_copy import ModelCopier, next_ids
from salesops.models import AuditEvent, Membership, Role, User, Workspace

WORKSPACES = 10
CAMPAIGNS = 5
STEPS_PER_LEAD = 5
EVENTS_PER_LEAD = 10
AGENTS = ["research", "qualify", "write", "verify", "route"]
FULL = {"steps": 1_000_000, "messages": 200_000, "events": 2_000_000}
DECISIONS = ["approved", "approved", "edited", "rejected"]
VERBS = [
    "handoff.opened.draft_review",
    "outbound.queued",
    "handoff.approved",
    "outbound.sent",
    "inbound.interested",
    "handoff.edited",
    "meeting.booked",
    "campaign.planned",
    "contact.unsubscribed",
    "handoff.rejected",
]
BUDGET_MS = 200


def _draft_body(number: int) -> str:
    return (
        f"Hi Mia,\n\nI saw the news: your team raised a Series B (lead {number}).\n\n"
        "Customers save 9 hours a week on research.\n\nWould a 20-minute call next week be useful?\n\nSam"
    )


class _Space:
    """One benchmark workspace: its people, campaigns and mailboxes, loaded with `leads` leads."""

    def __init__(self, stamp: str, number: int, now):
        self.now = now
        self.workspace = Workspace.objects.create(
            name=f"Bench dashboard {stamp} #{number}", slug=f"bench-dashboard-{stamp}-{number}"
        )
        self.people = {}
        for role in (Role.ADMIN, Role.REP):
            user = User(email=f"{role}-{number}-{stamp}@bench-dashboard.invalid")
            user.set_unusable_password()
            user.save()
            Membership.objects.create(workspace=self.workspace, user=user, role=role)
            self.people[role] = user
        today = timezone.localdate()
        self.campaigns = [
            Campaign.objects.create(
                workspace=self.workspace,
                name=f"Bench campaign {index}",
                status=Campaign.Status.ACTIVE,
                goal_target=200,
                goal_start=today - timedelta(days=45),
                goal_end=today + timedelta(days=45),
                send_days=[0, 1, 2, 3, 4],
            )
            for index in range(CAMPAIGNS)
        ]
        self.mailboxes = []
        for index in range(2):
            mailbox = Mailbox.objects.create(
                workspace=self.workspace,
                from_name="Sam",
                from_address=f"sam{index}@bench-{stamp}-{number}.example",
                warmup_started_on=None,
                daily_cap=50,
            )
            mailbox.campaigns.set(self.campaigns)
            MailboxDay.objects.bulk_create(
                MailboxDay(mailbox=mailbox, day=today - timedelta(days=day), sent=30 + day % 15, scheduled=45)
                for day in range(30)
            )
            self.mailboxes.append(mailbox)

    def load(self, leads: int) -> dict:
        ws = self.workspace.pk
        now = self.now
        account_ids = next_ids(Account, -(-leads // 5))
        accounts = ModelCopier(Account, workspace_id=ws, name="x", domain="x")
        accounts.copy(
            accounts.row(id=pk, name=f"Bench account {pk}", domain=f"b{pk}.example", employee_count=300)
            for pk in account_ids
        )
        contact_ids = next_ids(Contact, leads)
        contacts = ModelCopier(Contact, workspace_id=ws, account_id=account_ids[0], email="x")
        contacts.copy(
            contacts.row(
                id=pk,
                account_id=account_ids[n // 5],
                first_name="Mia",
                last_name=f"Buyer{pk}",
                email=f"mia{pk}@b.example",
                status="unsubscribed" if n % 97 == 0 else "in_sequence",
            )
            for n, pk in enumerate(contact_ids)
        )
        run_ids = next_ids(AgentRun, leads)
        created = [now - timedelta(minutes=(n * 7919) % (60 * 24 * 40)) for n in range(leads)]
        campaign_of = [self.campaigns[n % CAMPAIGNS].pk for n in range(leads)]
        runs = ModelCopier(AgentRun, workspace_id=ws, campaign_id=1, contact_id=1)
        runs.copy(
            runs.row(
                id=run_id,
                campaign_id=campaign_of[n],
                contact_id=contact_ids[n],
                status="done",
                outcome="queued",
                qualification={"verdict": "qualified" if n % 4 else "needs_person", "confidence": 0.8},
                draft={"subject": "After the funding news", "body": _draft_body(n), "claims": []},
                created_at=created[n],
                updated_at=created[n],
            )
            for n, run_id in enumerate(run_ids)
        )
        steps = ModelCopier(
            AgentStep,
            workspace_id=ws,
            agent="x",
            provider="offline",
            model="offline-rules",
            prompt_version="v1",
            input_digest="0" * 64,
        )
        findings = {"passed": True, "confidence": 0.9, "findings": [{"kind": "tone", "message": "x", "span": "Hi"}]}

        def step_rows():
            for n, run_id in enumerate(run_ids):
                for index, agent in enumerate(AGENTS):
                    yield steps.row(
                        run_id=run_id,
                        agent=agent,
                        model="claude-sonnet" if agent in ("write", "verify") else "offline-rules",
                        input={"lead": n},
                        output=findings if agent == "verify" else {"ok": True},
                        input_tokens=900 + index,
                        output_tokens=200,
                        cost_usd=Decimal("0.000400"),
                        decision="pass" if agent == "verify" else agent,
                        created_at=created[n] + timedelta(seconds=index),
                    )

        steps.copy(numbered_by_database=True, rows=step_rows())

        message_ids = next_ids(OutboundMessage, leads)
        messages = ModelCopier(
            OutboundMessage,
            workspace_id=ws,
            campaign_id=1,
            contact_id=1,
            subject="x",
            body_text="x",
            idempotency_key="x",
        )
        messages.copy(
            messages.row(
                id=pk,
                campaign_id=campaign_of[n],
                contact_id=contact_ids[n],
                run_id=run_ids[n],
                mailbox_id=self.mailboxes[n % 2].pk,
                idempotency_key=f"bench:{pk}",
                message_id=f"<bench-{pk}@bench.invalid>",
                status="sent" if n % 10 else "queued",
                sent_without_person=n % 4 != 0,
                sent_at=created[n] + timedelta(hours=1) if n % 10 else None,
                bounced_at=created[n] + timedelta(hours=2) if n % 53 == 0 else None,
                complained_at=created[n] + timedelta(hours=2) if n % 499 == 0 else None,
                created_at=created[n],
            )
            for n, pk in enumerate(message_ids)
        )
        # A reviewed draft for every fourth lead.
        reviewed = list(range(0, leads, 4))
        handoff_ids = next_ids(Handoff, len(reviewed))
        handoffs = ModelCopier(Handoff, workspace_id=ws, kind="draft_review", reason="x")
        handoffs.copy(
            handoffs.row(
                id=pk,
                run_id=run_ids[n],
                campaign_id=campaign_of[n],
                contact_id=contact_ids[n],
                reason="The campaign reviews low-confidence drafts.",
                proposal={"draft": {"subject": "After the funding news", "body": _draft_body(n)}},
                status="resolved",
                decision=DECISIONS[(n // 4) % 4],
                reject_reason="tone" if DECISIONS[(n // 4) % 4] == "rejected" else "",
                decided_by_id=self.people[Role.REP].pk,
                decided_at=created[n] + timedelta(minutes=30 + n % 300),
                final_body=_draft_body(n).replace("Would a", "Could a short")
                if DECISIONS[(n // 4) % 4] == "edited"
                else "",
                created_at=created[n],
            )
            for pk, n in zip(handoff_ids, reviewed, strict=True)
        )
        # Replies and meetings for some leads.
        replied = list(range(3, leads, 20))
        thread_ids = next_ids(EmailThread, len(replied))
        threads = ModelCopier(EmailThread, workspace_id=ws, campaign_id=1, contact_id=1, mailbox_id=1, reply_token="x")  # noqa: S106 (a placeholder, replaced per row)
        threads.copy(
            threads.row(
                id=pk,
                campaign_id=campaign_of[n],
                contact_id=contact_ids[n],
                mailbox_id=self.mailboxes[n % 2].pk,
                reply_token=f"bench{pk}",
                created_at=created[n],
            )
            for pk, n in zip(thread_ids, replied, strict=True)
        )
        inbound = ModelCopier(
            InboundMessage, workspace_id=ws, channel="simulator", raw=b"x", size_bytes=1, dedupe_key="x"
        )
        inbound.copy(
            numbered_by_database=True,
            rows=(
                inbound.row(
                    thread_id=pk,
                    contact_id=contact_ids[n],
                    dedupe_key=f"bench-{pk}",
                    status="processed",
                    category="interested" if n % 3 else "question",
                    received_at=created[n] + timedelta(days=1),
                )
                for pk, n in zip(thread_ids, replied, strict=True)
            ),
        )
        booked = replied[::2]
        meetings = ModelCopier(
            Meeting,
            workspace_id=ws,
            rep_id=self.people[Role.REP].pk,
            contact_id=1,
            start=now,
            end=now,
            time_zone="UTC",
            uid="x",
        )
        # Each bench workspace has a rep of its own, so its meetings cannot collide with another's (one live
        # meeting per rep and start); an offset grown from the workspace id ran past year 9999 once a
        # long-lived database had handed out a thousand ids.
        base = now + timedelta(days=400)
        meetings.copy(
            numbered_by_database=True,
            rows=(
                meetings.row(
                    contact_id=contact_ids[n],
                    campaign_id=campaign_of[n],
                    uid=f"bench-{ws}-{n}",
                    start=base + timedelta(minutes=30 * i),
                    end=base + timedelta(minutes=30 * i + 30),
                    status="held" if i % 3 == 0 else "booked",
                    qualified=i % 6 == 0,  # half the held ones: only a held meeting can be qualified
                    created_at=created[n] + timedelta(days=1),
                )
                for i, n in enumerate(booked)
            ),
        )
        # Audit events: 10 per lead, about its handoff, email or contact.
        with connection.cursor() as cursor:
            cursor.execute("SELECT COALESCE(MAX(sequence), 0) FROM salesops_auditevent WHERE workspace_id = %s", [ws])
            sequence = cursor.fetchone()[0]
        events = ModelCopier(AuditEvent, workspace_id=ws, sequence=0, actor="x", verb="x", created_at=now, hash="x")
        handoff_of = dict(zip(reviewed, handoff_ids, strict=True))

        def event_rows():
            nonlocal sequence
            for n in range(leads):
                for index in range(EVENTS_PER_LEAD):
                    sequence += 1
                    verb = VERBS[index]
                    if verb.startswith("handoff") and n in handoff_of:
                        target = ("agents.handoff", str(handoff_of[n]))
                    elif verb.startswith("outbound"):
                        target = ("agents.outboundmessage", str(message_ids[n]))
                    else:
                        target = ("campaigns.contact", str(contact_ids[n]))
                    yield events.row(
                        sequence=sequence,
                        actor=self.people[Role.REP].email if verb.startswith("handoff") else "agent:router",
                        verb=verb,
                        target_type=target[0],
                        target_id=target[1],
                        after={"lead": n},
                        created_at=created[n] + timedelta(seconds=10 + index),
                        hash=f"{sequence:064d}",
                    )

        events.copy(numbered_by_database=True, rows=event_rows())
        return {"steps": leads * STEPS_PER_LEAD, "messages": leads, "events": leads * EVENTS_PER_LEAD}


class Command(BaseCommand):
    help = "Time the campaign dashboard and the filtered audit timeline at two sizes; print ms and query counts."

    def add_arguments(self, parser):
        parser.add_argument("--scale", type=float, default=1.0, help="share of the full size (1M steps) [1.0]")
        parser.add_argument("--runs", type=int, default=15, help="requests per measurement (the median) [15]")

    def handle(self, *args, scale: float, runs: int, **options):
        if not 0 < scale <= 10 or runs < 1:
            raise CommandError("need 0 < --scale <= 10 and --runs >= 1")
        leads_full = max(WORKSPACES * CAMPAIGNS * 4, int(FULL["steps"] * scale / STEPS_PER_LEAD))
        stamp = timezone.now().strftime("%Y%m%d%H%M%S")
        self.stdout.write(f"bench_dashboard: {WORKSPACES} workspaces of {CAMPAIGNS} campaigns, median of {runs} runs")
        results = []
        for label, leads in (("small", max(WORKSPACES * CAMPAIGNS * 4, leads_full // 10)), ("full", leads_full)):
            started = time.perf_counter()
            now = timezone.now()
            spaces = [_Space(f"{stamp}{label[0]}", number, now) for number in range(WORKSPACES)]
            totals = {"steps": 0, "messages": 0, "events": 0}
            for space in spaces:
                for key, value in space.load(leads // WORKSPACES).items():
                    totals[key] += value
            with connection.cursor() as cursor:
                for model in (AgentRun, AgentStep, Handoff, OutboundMessage, AuditEvent, Meeting, InboundMessage,
                              Contact, EmailThread):  # fmt: skip
                    cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")
            in_db = {
                "steps": AgentStep.objects.count(),
                "messages": OutboundMessage.objects.count(),
                "events": AuditEvent.objects.count(),
            }
            self.stdout.write(
                f"  {label}: loaded {totals['steps']:,} agent steps, {totals['messages']:,} emails, "
                f"{totals['events']:,} audit events in {time.perf_counter() - started:.1f} s "
                f"(the database now holds {in_db['steps']:,} / {in_db['messages']:,} / {in_db['events']:,})"
            )
            results.append((label, totals, self._measure(spaces[0], runs)))
        self.stdout.write("")
        self.stdout.write(
            f"{'size':<6} {'steps':>10} {'emails':>8} {'events':>10} {'request':<18} {'median ms':>9} {'queries':>7}"
        )
        for label, totals, measured in results:
            for name, (milliseconds, queries) in measured.items():
                flag = "" if milliseconds <= BUDGET_MS else f"  (over {BUDGET_MS} ms)"
                self.stdout.write(
                    f"{label:<6} {totals['steps']:>10,} {totals['messages']:>8,} {totals['events']:>10,} "
                    f"{name:<18} {milliseconds:>9.1f} {queries:>7}{flag}"
                )
        constant = all(
            [q for _, q in measured.values()] == [q for _, q in results[0][2].values()] for _, _, measured in results
        )
        self.stdout.write(
            self.style.SUCCESS("query counts are the same at every size")
            if constant
            else self.style.WARNING("query counts differ between sizes")
        )

    def _measure(self, space: _Space, runs: int) -> dict[str, tuple[float, int]]:
        campaign = space.campaigns[0]
        while draft_edits_refresh(campaign=campaign):  # the rollup is filled once, outside the timing
            pass
        client = Client(SERVER_NAME="localhost")
        client.force_login(space.people[Role.ADMIN])
        contact = Contact.objects.filter(workspace=space.workspace, runs__campaign=campaign).order_by("-pk").first()
        timeline = reverse("insights:timeline")
        since = (timezone.localdate() - timedelta(days=7)).isoformat()
        requests = {
            "dashboard": lambda: client.get(reverse("insights:campaign_dashboard", args=[campaign.pk])),
            "overview": lambda: client.get(reverse("insights:overview")),
            "contact page": lambda: client.get(reverse("insights:contact_detail", args=[contact.pk])),
            "audit campaign": lambda: client.get(timeline, {"campaign": campaign.pk}),
            "audit contact": lambda: client.get(timeline, {"contact": contact.pk}),
            "audit agent+dates": lambda: client.get(timeline, {"agent": "write", "since": since}),
        }
        measured = {}
        for name, request in requests.items():
            samples, queries = [], 0
            for attempt in range(runs + 1):  # the first request warms caches and is not counted
                with CaptureQueriesContext(connection) as captured:
                    started = time.perf_counter()
                    response = request()
                    elapsed = time.perf_counter() - started
                if response.status_code != 200:
                    raise CommandError(f"{name}: HTTP {response.status_code}")
                if attempt:
                    samples.append(elapsed)
                    queries = len(captured.captured_queries)
            measured[name] = (statistics.median(samples) * 1000, queries)
        return measured
