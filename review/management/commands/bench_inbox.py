"""Measure the review inbox at 1,000 and at 100,000 handoffs (PostgreSQL; SQLite at smaller sizes).

    python manage.py bench_inbox                       # 100,000 handoffs, 1,000,000 agent steps
    python manage.py bench_inbox --handoffs 2000 --steps 20000 --small 200 --runs 5

It creates 10 workspaces (named "Bench inbox …"), each with a rep and a manager, campaigns,
accounts, contacts and signals, then loads handoffs — each with its agent run and its agent steps —
spread evenly over the workspaces, with COPY on PostgreSQL and executemany on SQLite (bulk_create
would take minutes for a million steps), in one transaction per load.
About a quarter of the handoffs are open, a few snoozed, the rest resolved, as in a workspace that
has been used for a while. After loading `--small` handoffs it measures, then loads the rest and
measures again. Each measurement goes through the Django test client as the first workspace's rep:

  list       the inbox page (first page of the open queue, with the first item open)
  next page  the list's page after a keyset cursor from the middle of the queue (htmx)
  item       one item (htmx partial: draft, claims with their signals, findings, steps, thread)
  approve    approving an item (htmx: the next item, the changed row, the counts)

and prints the median milliseconds of `--runs` requests and the number of SQL queries of each.
The approved item is put back (and its queued email deleted) between runs, outside the timing.
The benchmark's rows stay in the database.
"""

import statistics
import time
from datetime import timedelta
from decimal import Decimal

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from agents.delivery.models import OutboundMessage
from agents.handoffs import DRAFT_ACTIONS, EXCEPTION_ACTIONS
from agents.models import AgentRun, AgentStep, Handoff
from campaigns.models import Account, Campaign, Contact, ProofPoint, Signal
from review.selectors import URGENCY_TIER, Cursor
from salesops.bulk_copy import ModelCopier, next_ids
from salesops.models import Membership, Role, User, Workspace

WORKSPACES = 10
CAMPAIGNS_PER_WORKSPACE = 5
STEP_POSITIONS = 3
RUNS_PER_CONTACT = CAMPAIGNS_PER_WORKSPACE * STEP_POSITIONS
CONTACTS_PER_ACCOUNT = 5
AGENTS = ["research", "qualify", "write", "verify", "route"]
# (kind, share of 100) and (status, share of 100): a workspace that has been in use for a while.
KIND_CYCLE = ["draft_review"] * 12 + ["exception"] * 2 + ["escalation"] * 3 + ["reply_review"] * 2 + ["negotiation"]
STATUS_CYCLE = ["open"] * 25 + ["snoozed"] * 3 + ["resolved"] * 72
DECISIONS = ["approved", "edited", "rejected", "taken_over"]


def _median_ms(samples: list[float]) -> float:
    return statistics.median(samples) * 1000


class _Bench:
    """One benchmark's workspaces and how many handoffs each already holds."""

    def __init__(self, stamp: str, steps_per_handoff: int, out, workspaces: int = WORKSPACES):
        self.stamp, self.steps_per_handoff, self.out = stamp, steps_per_handoff, out
        self.now = timezone.now()
        self.spaces: list[dict] = []
        for number in range(workspaces):
            workspace = Workspace.objects.create(
                name=f"Bench inbox {stamp} #{number}", slug=f"bench-inbox-{stamp}-{number}"
            )
            people = {}
            for role in (Role.REP, Role.MANAGER):
                user = User(email=f"{role}-{number}-{stamp}@bench.invalid")
                user.set_unusable_password()
                user.save()
                Membership.objects.create(workspace=workspace, user=user, role=role)
                people[role] = user
            campaigns = [
                Campaign.objects.create(workspace=workspace, name=f"Bench campaign {index}", send_days=[0, 1, 2, 3, 4])
                for index in range(CAMPAIGNS_PER_WORKSPACE)
            ]
            proofs = [
                ProofPoint.objects.create(
                    workspace=workspace,
                    kind="metric",
                    title=f"Proof {index}",
                    text=f"Customers save {index + 9} hours.",
                    source="Bench survey",
                )
                for index in range(2)
            ]
            self.spaces.append(
                {
                    "workspace": workspace,
                    "people": people,
                    "campaigns": [c.pk for c in campaigns],
                    "proofs": [p.pk for p in proofs],
                    "handoffs": 0,
                    "contacts": [],
                    "signals": [],
                }
            )

    def fill_to(self, total: int) -> None:
        """Load handoffs (with runs and steps) until the benchmark holds `total`, spread evenly."""
        started = time.perf_counter()
        steps = 0
        for index, space in enumerate(self.spaces):
            target = total // len(self.spaces) + (1 if index < total % len(self.spaces) else 0)
            steps += self._fill_space(space, target)
        seconds = time.perf_counter() - started
        self.out.write(f"  loaded up to {total:,} handoffs (+{steps:,} agent steps) in {seconds:.1f} s")

    def settle(self) -> None:
        """What autovacuum does for a live database after a bulk load: fresh statistics for the planner and,
        on PostgreSQL, the visibility map that lets the inbox's counts come from the index alone."""
        # VACUUM cannot run inside a transaction (as under the test suite): statistics alone then.
        vacuum = connection.vendor == "postgresql" and not connection.in_atomic_block
        command = "VACUUM ANALYZE" if vacuum else "ANALYZE"
        with connection.cursor() as cursor:
            for model in (Handoff, AgentRun, AgentStep, Contact, Account, Signal, OutboundMessage):
                cursor.execute(f"{command} {connection.ops.quote_name(model._meta.db_table)}")

    def _fill_space(self, space: dict, target: int) -> int:
        first, count = space["handoffs"], target - space["handoffs"]
        if count <= 0:
            return 0
        workspace_id = space["workspace"].pk
        rep, manager = space["people"][Role.REP], space["people"][Role.MANAGER]
        # Contacts (and their accounts and signals) for the runs to come: one run per (campaign, contact, step).
        needed_contacts = -(-(first + count) // RUNS_PER_CONTACT)
        new_contacts = needed_contacts - len(space["contacts"])
        if new_contacts > 0:
            new_accounts = -(-new_contacts // CONTACTS_PER_ACCOUNT)
            account_ids = next_ids(Account, new_accounts)
            accounts = ModelCopier(Account, with_pk=True, workspace_id=workspace_id, name="x", domain="x")
            accounts.copy(
                accounts.row(
                    id=pk,
                    name=f"Bench account {pk}",
                    domain=f"bench-{pk}.example",
                    industry="Software",
                    employee_count=300,
                    country="DE",
                    tier="B",
                )
                for pk in account_ids
            )
            signal_ids = next_ids(Signal, new_accounts)
            signals = ModelCopier(
                Signal,
                with_pk=True,
                workspace_id=workspace_id,
                account_id=account_ids[0],
                kind="funding",
                occurred_at=self.now - timedelta(days=3),
                source="bench",
                external_id="x",
                title="x",
            )
            signals.copy(
                signals.row(
                    id=signal_id,
                    account_id=account_id,
                    external_id=f"bench-{signal_id}",
                    title=f"Bench account {account_id} raised a Series B",
                    text=f"Bench account {account_id} raised $40M in a Series B.",
                )
                for signal_id, account_id in zip(signal_ids, account_ids, strict=True)
            )
            contact_ids = next_ids(Contact, new_contacts)
            contacts = ModelCopier(
                Contact, with_pk=True, workspace_id=workspace_id, account_id=account_ids[0], email="x"
            )
            contacts.copy(
                contacts.row(
                    id=pk,
                    account_id=account_ids[number // CONTACTS_PER_ACCOUNT],
                    first_name="Mia",
                    last_name=f"Buyer{pk}",
                    email=f"mia{pk}@bench.example",
                    title="VP Sales",
                )
                for number, pk in enumerate(contact_ids)
            )
            space["contacts"] += contact_ids
            space["signals"] += [signal_ids[number // CONTACTS_PER_ACCOUNT] for number in range(new_contacts)]

        run_ids, handoff_ids = next_ids(AgentRun, count), next_ids(Handoff, count)
        proposal_for, runs_rows, handoff_rows = {}, [], []
        runs = ModelCopier(AgentRun, with_pk=True, workspace_id=workspace_id, campaign_id=1, contact_id=1)
        handoffs = ModelCopier(Handoff, with_pk=True, workspace_id=workspace_id, kind="draft_review", reason="x")
        for offset, (run_id, handoff_id) in enumerate(zip(run_ids, handoff_ids, strict=True)):
            number = first + offset
            contact_index = number // RUNS_PER_CONTACT
            campaign_id = space["campaigns"][number % CAMPAIGNS_PER_WORKSPACE]
            step_position = 1 + (number // CAMPAIGNS_PER_WORKSPACE) % STEP_POSITIONS
            contact_id, signal_id = space["contacts"][contact_index], space["signals"][contact_index]
            created = self.now - timedelta(minutes=7 * ((number * 7919) % 12_000))
            kind, status = KIND_CYCLE[number % len(KIND_CYCLE)], STATUS_CYCLE[(number * 37) % len(STATUS_CYCLE)]
            proposal_for[run_id] = proposal = self._proposal(number, signal_id, space["proofs"][number % 2])
            runs_rows.append(
                runs.row(
                    id=run_id,
                    campaign_id=campaign_id,
                    contact_id=contact_id,
                    step_position=step_position,
                    status="waiting" if status != "resolved" else "done",
                    outcome="review",
                    brief=proposal["brief"],
                    qualification=proposal["qualification"],
                    draft=proposal["draft"],
                    verification=proposal["verification"],
                    created_at=created,
                    updated_at=created,
                )
            )
            resolved = status == "resolved"
            assignee = [rep.pk, None, manager.pk, None, None][number % 5]
            snoozed_until = None
            if status == "snoozed":
                snoozed_until = self.now + (timedelta(hours=5) if number % 2 else -timedelta(hours=1))
            handoff_rows.append(
                handoffs.row(
                    id=handoff_id,
                    run_id=run_id,
                    campaign_id=campaign_id,
                    contact_id=contact_id,
                    kind=kind,
                    reason=f"The campaign reviews every email (item {number}).",
                    confidence=Decimal(f"0.{40 + number % 59:02d}"),
                    proposal=proposal,
                    allowed_actions=DRAFT_ACTIONS if kind in ("draft_review", "escalation") else EXCEPTION_ACTIONS,
                    status=status,
                    assignee_id=assignee,
                    snoozed_until=snoozed_until,
                    decision=DECISIONS[number % 4] if resolved else "",
                    decided_by_id=manager.pk if resolved else None,
                    decided_at=created + timedelta(hours=2) if resolved else None,
                    created_at=created,
                    updated_at=created,
                )
            )
        runs.copy(runs_rows)
        handoffs.copy(handoff_rows)
        steps = ModelCopier(
            AgentStep,
            with_pk=False,
            workspace_id=workspace_id,
            agent="x",
            provider="offline",
            model="offline-rules",
            prompt_version="v1",
            input_digest="0" * 64,
        )
        step_total = self.steps_per_handoff * count

        def step_rows():
            for offset, run_id in enumerate(run_ids):
                created = handoff_rows[offset][handoffs.index["created_at"]]
                for step in range(self.steps_per_handoff):
                    agent = AGENTS[step % len(AGENTS)]
                    yield steps.row(
                        run_id=run_id,
                        agent=agent,
                        input={"lead": run_id, "step": step},
                        output={"agent": agent, "ok": True},
                        input_tokens=900 + step,
                        output_tokens=200,
                        cost_usd=Decimal("0.000400"),
                        latency_ms=120,
                        decision="pass" if agent == "verify" else agent,
                        confidence=Decimal("0.850"),
                        created_at=created - timedelta(seconds=self.steps_per_handoff - step),
                    )

        steps.copy(step_rows())
        space["handoffs"] = target
        return step_total

    @staticmethod
    def _proposal(number: int, signal_id: int, proof_id: int) -> dict:
        body = (
            f"Hi Mia,\n\nI saw the news: your team raised a Series B (item {number}).\n\n"
            "Customers save 9 hours a week on research.\n\nWould a 20-minute call next week be useful?\n\nSam"
        )
        return {
            "draft": {
                "subject": "After the funding news",
                "body": body,
                "claims": [
                    {
                        "text": f"I saw the news: your team raised a Series B (item {number}).",
                        "sources": [f"signal:{signal_id}"],
                    },
                    {"text": "Customers save 9 hours a week on research.", "sources": [f"proof:{proof_id}"]},
                    {"text": "Would a 20-minute call next week be useful?", "sources": ["offer"]},
                ],
                "language": "en",
            },
            "verification": {
                "passed": True,
                "confidence": 0.86,
                "findings": [
                    {
                        "kind": "tone",
                        "message": "A little informal.",
                        "span": "Hi Mia",
                        "source": "",
                        "severity": "warn",
                    }
                ],
            },
            "brief": {"brief": f"Bench account brief {number}.", "chosen_signal_ids": [signal_id]},
            "qualification": {
                "verdict": "qualified",
                "fit_score": 90,
                "intent_score": 60,
                "reasons": ["Fits the ICP."],
            },
        }


class Command(BaseCommand):
    help = "Time the review inbox (list, item, approve) at 1,000 and 100,000 handoffs; print ms and query counts."

    def add_arguments(self, parser):
        parser.add_argument("--handoffs", type=int, default=100_000, help="handoffs in the end [100000]")
        parser.add_argument("--steps", type=int, default=1_000_000, help="agent steps in the end [1000000]")
        parser.add_argument("--small", type=int, default=1_000, help="handoffs at the first measurement [1000]")
        parser.add_argument("--runs", type=int, default=15, help="requests per measurement (the median is shown) [15]")

    def handle(self, *args, handoffs: int, steps: int, small: int, runs: int, **options):
        if handoffs < WORKSPACES or not 0 < small <= handoffs or runs < 1 or steps < handoffs:
            raise CommandError("need --handoffs >= 10, 0 < --small <= --handoffs, --steps >= --handoffs, --runs >= 1")
        stamp = timezone.now().strftime("%Y%m%d%H%M%S")
        bench = _Bench(stamp, steps_per_handoff=steps // handoffs, out=self.stdout)
        self.stdout.write(
            f"bench_inbox: {WORKSPACES} workspaces, {steps // handoffs} agent steps per handoff, median of {runs} runs"
        )
        results = []
        for size in sorted({small, handoffs}):
            # One transaction per load: SQLite would otherwise commit (and sync to disk) every row.
            with transaction.atomic():
                bench.fill_to(size)
            bench.settle()
            results.append((size, self._measure(bench, runs)))
        self.stdout.write("")
        self.stdout.write(f"{'handoffs':>10} {'request':<10} {'median ms':>10} {'queries':>8}")
        for size, measured in results:
            for name, (milliseconds, queries) in measured.items():
                flag = "" if milliseconds <= 50 else "  (over 50 ms)"
                self.stdout.write(f"{size:>10,} {name:<10} {milliseconds:>10.1f} {queries:>8}{flag}")
        constant = all(
            [queries for _, queries in measured.values()] == [q for _, q in results[0][1].values()]
            for _, measured in results
        )
        self.stdout.write(
            self.style.SUCCESS("query counts are the same at every size")
            if constant
            else self.style.WARNING("query counts differ between sizes")
        )

    def _measure(self, bench: _Bench, runs: int) -> dict[str, tuple[float, int]]:
        space = bench.spaces[0]
        rep = space["people"][Role.REP]
        client = Client(SERVER_NAME="localhost")
        client.force_login(rep)
        htmx = {"HTTP_HX_REQUEST": "true"}
        visible = Handoff.objects.filter(workspace=space["workspace"]).exclude(
            assignee_id=space["people"][Role.MANAGER].pk
        )
        open_items = visible.filter(status="open")
        drafts = open_items.filter(kind="draft_review").order_by("created_at", "pk")
        target = drafts.first()
        if target is None:
            raise CommandError("no open draft review to measure in the first workspace: load more handoffs")
        middle = drafts[drafts.count() // 2]
        cursor = Cursor(tier=URGENCY_TIER[middle.kind], at=middle.created_at, pk=middle.pk).encode()
        requests = {
            "list": lambda: client.get(reverse("review:inbox")),
            "next page": lambda: client.get(f"{reverse('review:inbox')}?after={cursor}", **htmx),
            "item": lambda: client.get(reverse("review:item", args=[target.pk]), **htmx),
            "approve": lambda: client.post(reverse("review:approve", args=[target.pk]), **htmx),
        }
        measured = {}
        for name, request in requests.items():
            samples, queries = [], 0
            for attempt in range(runs + 1):  # the first one warms caches up and is not counted
                with CaptureQueriesContext(connection) as captured:
                    started = time.perf_counter()
                    response = request()
                    elapsed = time.perf_counter() - started
                if response.status_code != 200:
                    raise CommandError(f"{name}: HTTP {response.status_code}")
                if name == "approve":
                    if Handoff.objects.get(pk=target.pk).decision != "approved":
                        raise CommandError("approve: the item was not approved")
                    self._put_back(target)
                if attempt:
                    samples.append(elapsed)
                    queries = len(captured.captured_queries)
            measured[name] = (_median_ms(samples), queries)
        return measured

    @staticmethod
    def _put_back(handoff: Handoff) -> None:
        """Undo an approval outside the timing, so every run approves the same open item."""
        OutboundMessage.objects.filter(run_id=handoff.run_id).delete()
        Handoff.objects.filter(pk=handoff.pk).update(
            status="open", decision="", decided_by=None, decided_at=None, final_subject="", final_body=""
        )
        AgentRun.objects.filter(pk=handoff.run_id).update(status="waiting", outcome="review")
