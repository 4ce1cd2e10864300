"""Measure how long a campaign's audience takes to read and decide, and how many queries it needs.

    python manage.py bench_audience --contacts 100000 --accounts 20000

It creates a workspace ("Bench audience …") with accounts of varied CRM industry spellings and sizes,
contacts with varied titles, some blocks, enrolments and a static list, and a campaign on an ICP, then
times `campaign_audience` — the function the campaign page, activation and the planner call — at two
sizes, to show the query count does not grow with the audience. The workspace stays in the database.
"""

import itertools
import time

from django.core.management.base import BaseCommand
from django.db import connection, transaction
from django.utils import timezone

from campaigns.audience import campaign_audience
from campaigns.models import (
    ICP,
    Account,
    Campaign,
    CampaignAudienceList,
    Contact,
    ContactBlock,
    ContactList,
    ContactListMember,
    ICPVersion,
)
from salesops.models import Workspace

INDUSTRIES = [
    "Logistics",
    "LOGISTICS_AND_SUPPLY_CHAIN",
    "Transportation, Logistics, Supply Chain and Storage",
    "Truck Transportation",
    "Software Development",
    "Computer Software",
    "Financial Services",
    "Hospitals & Health Care",
    "Retail",
    "",
]
TITLES = [
    "VP Operations",
    "SVP, Global Ops",
    "Head of Logistics",
    "Leiter Logistik",
    "Director of Supply Chain",
    "Operations Manager",
    "Logistics Coordinator",
    "CFO",
    "Office Manager",
    "",
]
COUNTRIES = ["DE", "NL", "FR", "US", "GB", ""]


class _QueryCounter:
    def __init__(self):
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)


class Command(BaseCommand):
    help = "Time a campaign's audience at scale and count its queries."

    def add_arguments(self, parser):
        parser.add_argument("--contacts", type=int, default=100_000)
        parser.add_argument("--accounts", type=int, default=20_000)

    def handle(self, *args, contacts: int, accounts: int, **options):
        for scale in (10, 1):
            campaign = self._build(contacts // scale, accounts // scale)
            campaign_audience(campaign)  # warm up: the first read pays for connection setup
            queries = _QueryCounter()
            started = time.perf_counter()
            with connection.execute_wrapper(queries):
                audience = campaign_audience(campaign)
            elapsed = time.perf_counter() - started
            counts = audience.counts
            self.stdout.write(
                f"{counts.workspace_contacts:>7} contacts over {accounts // scale} accounts "
                f"({connection.vendor}): {elapsed:.2f} s, {queries.count} queries; "
                f"{counts.contacts} in the audience, {counts.eligible} eligible, "
                f"excluded by the ICP {dict(sorted(counts.excluded_by_icp.items()))}"
            )

    @transaction.atomic
    def _build(self, contact_count: int, account_count: int) -> Campaign:
        stamp = f"{timezone.now():%Y%m%d%H%M%S%f}"
        workspace = Workspace.objects.create(name=f"Bench audience {stamp}", slug=f"bench-audience-{stamp}")
        icp = ICP.objects.create(workspace=workspace, name="Logistics operations")
        version = ICPVersion.objects.create(
            workspace=workspace,
            icp=icp,
            number=1,
            industries=["Travel & Logistics", "Transportation"],
            employee_min=200,
            employee_max=5000,
            countries=["DE", "NL", "FR", "GB"],
            persona_titles=["VP Operations", "Head of Logistics", "Director of Supply Chain"],
            persona_seniorities=["VP", "Head", "Director"],
            persona_departments=["Operations", "Logistics", "Supply Chain"],
            excluded_domains=["bench-rival0.example"],
        )
        campaign = Campaign.objects.create(workspace=workspace, name="Bench", icp_version=version)
        sizes = itertools.cycle([15, 120, 250, 480, 900, 1800, 4200, 9000, None])
        Account.objects.bulk_create(
            (
                Account(
                    workspace=workspace,
                    name=f"Bench {number}",
                    domain=f"bench-{'rival' if number % 500 == 0 else 'acct'}{number}.example",
                    industry=INDUSTRIES[number % len(INDUSTRIES)],
                    employee_count=next(sizes),
                    country=COUNTRIES[number % len(COUNTRIES)],
                )
                for number in range(account_count)
            ),
            batch_size=5000,
        )
        account_ids = list(Account.objects.filter(workspace=workspace).order_by("id").values_list("id", flat=True))
        Contact.objects.bulk_create(
            (
                Contact(
                    workspace=workspace,
                    account_id=account_ids[number % len(account_ids)],
                    email=f"person{number}@bench.example",
                    title=TITLES[(number * 7) % len(TITLES)],
                    status="unsubscribed" if number % 97 == 0 else "new",
                )
                for number in range(contact_count)
            ),
            batch_size=5000,
        )
        contact_ids = list(Contact.objects.filter(workspace=workspace).order_by("id").values_list("id", flat=True))
        ContactBlock.objects.bulk_create(
            ContactBlock(workspace=workspace, contact_id=contact_id, reason="off_target")
            for contact_id in contact_ids[::150]
        )
        fair = ContactList.objects.create(workspace=workspace, name="Fair", kind="static")
        ContactListMember.objects.bulk_create(
            (
                ContactListMember(workspace=workspace, contact_list=fair, contact_id=contact_id)
                for contact_id in contact_ids[::20]
            ),
            batch_size=5000,
        )
        CampaignAudienceList.objects.create(workspace=workspace, campaign=campaign, contact_list=fair, mode="extend")
        return campaign
