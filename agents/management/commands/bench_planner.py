"""Benchmark of the day's ranking: an audience of 100,000 contacts over 20,000 accounts with 500,000 signals.

    python manage.py bench_planner                 # builds the data once, then times 1k, 10k and 100k contacts
    python manage.py bench_planner --keep          # leaves the workspace for the next run (reused by name)

It times what the tick does before enrolling: the campaign's audience (campaigns.audience.campaign_audience)
and the ranking (agents.outreach.ranking.rank_audience), and counts their queries: the claim is that the
count does not grow with the audience. Sizes below the full audience are ICPs narrowed by country (each
account's country is drawn so that 1% and 10% of the accounts match). Meant for PostgreSQL (the target is
2 s at 100,000); on SQLite it runs too, slower.
"""

import random
import time
from datetime import timedelta

from django.core.management.base import BaseCommand
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from agents.outreach.ranking import rank_audience
from campaigns.audience import campaign_audience
from campaigns.models import ICP, Account, Campaign, Contact, ICPVersion, Signal
from salesops.models import Workspace

WORKSPACE_NAME = "bench_planner"
BATCH = 5_000
INDUSTRIES = ["Logistics", "Software", "Fintech", "Retail", "Healthtech"]
TITLES = [
    ("VP Operations", "VP", "Operations"),
    ("Head of Sales", "Head", "Sales"),
    ("VP Sales", "VP", "Sales"),
    ("Director of Logistics", "Director", "Operations"),
    ("Marketing Manager", "Manager", "Marketing"),
]
# Country shares: "AT" holds 1% of the accounts, "CH" 9% (so AT+CH is 10%), "DE" the rest.
COUNTRIES = [("AT", 0.01), ("CH", 0.09), ("DE", 0.90)]
SIZES = [("1k", ["AT"]), ("10k", ["AT", "CH"]), ("100k", ["AT", "CH", "DE"])]


def _country(rng: random.Random) -> str:
    roll = rng.random()
    for country, share in COUNTRIES:
        if roll < share:
            return country
        roll -= share
    return COUNTRIES[-1][0]


class Command(BaseCommand):
    help = "Time the day's audience and ranking at 1k, 10k and 100k contacts; count their queries."

    def add_arguments(self, parser):
        parser.add_argument("--accounts", type=int, default=20_000)
        parser.add_argument("--contacts", type=int, default=100_000)
        parser.add_argument("--signals", type=int, default=500_000)
        parser.add_argument("--keep", action="store_true", help="keep the benchmark workspace for the next run")
        parser.add_argument("--rebuild", action="store_true", help="drop a kept workspace and build it again")

    def handle(self, *args, **options):
        workspace = Workspace.objects.filter(name=WORKSPACE_NAME).first()
        if workspace is not None and options["rebuild"]:
            _delete(workspace)
            workspace = None
        if workspace is None:
            started = time.perf_counter()
            workspace = self._build(options)
            self.stdout.write(
                f"setup: {options['accounts']:,} accounts, {options['contacts']:,} contacts, "
                f"{options['signals']:,} signals in {time.perf_counter() - started:.1f} s"
            )
        else:
            self.stdout.write(f"setup: reusing the kept workspace {WORKSPACE_NAME!r}")
        try:
            for label, countries in SIZES:
                campaign = self._campaign(workspace, countries)
                try:
                    self._time(label, campaign)
                finally:
                    campaign.delete()
                    ICP.objects.filter(pk=campaign.icp_version.icp_id).delete()
        finally:
            if not options["keep"]:
                started = time.perf_counter()
                _delete(workspace)
                self.stdout.write(f"cleanup: {time.perf_counter() - started:.1f} s")

    def _time(self, label: str, campaign: Campaign) -> None:
        today = timezone.localdate()
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            members = campaign_audience(campaign).members
            audience_done = time.perf_counter()
            audience_queries = len(queries)
            ranked = rank_audience(campaign=campaign, members=members, today=today)
            done = time.perf_counter()
        self.stdout.write(
            f"{label:>5}: {len(members):>7,} in the audience, {len(ranked):>7,} ranked: "
            f"audience {audience_done - started:.2f} s ({audience_queries} queries), "
            f"ranking {done - audience_done:.2f} s ({len(queries) - audience_queries} queries), "
            f"total {done - started:.2f} s"
        )

    def _campaign(self, workspace: Workspace, countries: list[str]) -> Campaign:
        icp = ICP.objects.create(workspace=workspace, name=f"Bench {'+'.join(countries)} {time.time_ns()}")
        version = ICPVersion.objects.create(
            workspace=workspace,
            icp=icp,
            number=1,
            industries=INDUSTRIES,
            countries=countries,
            persona_titles=[title for title, _, _ in TITLES],
            signal_weights={"hiring": 8, "funding": 7, "job_change": 6, "web_intent": 5, "news": 2},
        )
        return Campaign.objects.create(workspace=workspace, name=icp.name, icp_version=version, status="active")

    @transaction.atomic
    def _build(self, options) -> Workspace:
        rng = random.Random(13)
        workspace = Workspace.objects.create(name=WORKSPACE_NAME, slug=f"bench-planner-{time.time_ns()}")
        accounts = [
            Account(
                workspace=workspace,
                name=f"Bench {index}",
                domain=f"bench{index}.example",
                industry=rng.choice(INDUSTRIES),
                employee_count=rng.choice([20, 120, 400, 3000]),
                country=_country(rng),
            )
            for index in range(options["accounts"])
        ]
        accounts = Account.objects.bulk_create(accounts, batch_size=BATCH)
        contacts = []
        for index in range(options["contacts"]):
            account = accounts[index % len(accounts)]
            title, seniority, department = TITLES[index % len(TITLES)]
            contacts.append(
                Contact(
                    workspace=workspace,
                    account=account,
                    first_name="Bench",
                    last_name=str(index),
                    email=f"person{index}@{account.domain}",
                    title=title,
                    seniority=seniority,
                    department=department,
                )
            )
        contacts = Contact.objects.bulk_create(contacts, batch_size=BATCH)
        now = timezone.now()
        kinds = Signal.Kind.values
        batch = []
        for index in range(options["signals"]):
            account = accounts[rng.randrange(len(accounts))]
            kind = rng.choice(kinds)
            person = contacts[rng.randrange(len(contacts))] if kind == "job_change" else None
            batch.append(
                Signal(
                    workspace=workspace,
                    account=account if person is None else person.account,
                    contact=person,
                    kind=kind,
                    occurred_at=now - timedelta(days=rng.uniform(0, 365)),
                    source="bench",
                    external_id=str(index),
                    title=f"{kind.replace('_', ' ').capitalize()} at {account.name}",
                )
            )
            if len(batch) == BATCH:
                Signal.objects.bulk_create(batch)
                batch = []
        Signal.objects.bulk_create(batch)
        return workspace


def _delete(workspace: Workspace) -> None:
    """Children before parents: campaigns protect their ICP version."""
    with transaction.atomic():
        for model in (Campaign, ICP, Signal, Contact, Account):
            model.objects.filter(workspace=workspace).delete()
        workspace.delete()
