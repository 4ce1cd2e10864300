"""Measure CSV import speed and memory through the same code path as an upload.

    python manage.py bench_import --contacts 100000

For each size (a smaller one first, to show that memory does not grow with the file) it creates a
workspace, writes an accounts CSV and a contacts CSV into a temporary directory, stores them as
import jobs with `import_job_create` and runs `import_job_run` — the function the background task
calls — against the configured database. Then it imports the larger contacts file again, which
must leave every row unchanged. The benchmark workspaces stay in the database (named "Bench …").
"""

import csv
import resource
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

from django.core.files import File
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.utils import timezone

from campaigns import csv_import
from campaigns.models import ImportJob
from salesops.models import Membership, Role, User, Workspace

ACCOUNT_HEADERS = ["Account Name", "Website", "Industry", "Number of Employees", "Billing Country"]
CONTACT_HEADERS = [
    "Record ID",
    "First Name",
    "Last Name",
    "Email",
    "Job Title",
    "Company Domain Name",
    "LinkedIn URL",
    "Contact owner",
]
CONTACTS_PER_ACCOUNT = 20
INDUSTRIES = ["Software", "Logistics", "Fintech", "Healthcare", "Retail"]
COUNTRIES = ["DE", "US", "FR", "GB", "NL"]
TITLES = ["VP Sales", "Head of Revenue Operations", "CTO", "Sales Director", "Founder"]


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux reports kilobytes


@contextmanager
def _counting_queries():
    counter = {"queries": 0}

    def count(execute, sql, params, many, context):
        counter["queries"] += 1
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        yield counter


class Command(BaseCommand):
    help = "Import generated accounts and contacts CSV files and report rows/s and peak memory."

    def add_arguments(self, parser):
        parser.add_argument("--contacts", type=int, default=100_000, help="contacts in the large file [100000]")
        parser.add_argument("--small", type=int, default=10_000, help="contacts in the first, smaller file [10000]")

    def handle(self, *args, contacts: int, small: int, **options):
        if contacts < 1 or small < 1:
            raise CommandError("--contacts and --small must be at least 1")
        self.stdout.write(f"database: {connection.vendor}; batch size {csv_import.BATCH_SIZE} rows")
        stamp = timezone.now().strftime("%Y%m%d%H%M%S")
        with tempfile.TemporaryDirectory(prefix="salesops-bench-") as directory:
            last_job = last_membership = None
            for size in sorted({small, contacts}):
                membership = self._membership(f"{stamp}-{size}")
                accounts_path = Path(directory) / f"accounts-{size}.csv"
                contacts_path = Path(directory) / f"contacts-{size}.csv"
                self._write_accounts(accounts_path, size)
                self._write_contacts(contacts_path, size)
                self._run(membership, ImportJob.Kind.ACCOUNTS, accounts_path)
                last_job = self._run(membership, ImportJob.Kind.CONTACTS, contacts_path)
                last_membership = membership
            self.stdout.write("re-import of the same contacts file:")
            again = self._run(last_membership, ImportJob.Kind.CONTACTS, contacts_path)
            if again.rows_unchanged == last_job.rows_processed and again.rows_created + again.rows_updated == 0:
                self.stdout.write(self.style.SUCCESS(f"  all {again.rows_unchanged:,} rows unchanged"))
            else:
                raise CommandError(
                    f"re-import changed rows: {again.rows_created} created, {again.rows_updated} updated, "
                    f"{again.rows_failed} failed"
                )

    def _membership(self, label: str) -> Membership:
        workspace = Workspace.objects.create(name=f"Bench {label}", slug=f"bench-{label}")
        user = User.objects.create_user(email=f"bench-{label}@bench.invalid")
        return Membership.objects.create(workspace=workspace, user=user, role=Role.MANAGER)

    def _write_accounts(self, path: Path, contacts: int) -> None:
        with path.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(ACCOUNT_HEADERS)
            for number in range(self._accounts_for(contacts)):
                writer.writerow(
                    [
                        f"Company {number}",
                        f"https://www.company{number}.example/",
                        INDUSTRIES[number % 5],
                        10 + number % 5000,
                        COUNTRIES[number % 5],
                    ]
                )

    def _write_contacts(self, path: Path, contacts: int) -> None:
        accounts = self._accounts_for(contacts)
        with path.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(CONTACT_HEADERS)
            for number in range(contacts):
                account = number % accounts
                writer.writerow(
                    [
                        100_000_000 + number,
                        f"Alex{number}",
                        f"Buyer{number}",
                        f"alex.buyer{number}@company{account}.example",
                        TITLES[number % 5],
                        f"company{account}.example",
                        f"https://www.linkedin.com/in/alex-buyer-{number}",
                        "Sam Seller",
                    ]
                )

    @staticmethod
    def _accounts_for(contacts: int) -> int:
        return max(1, contacts // CONTACTS_PER_ACCOUNT)

    def _run(self, membership: Membership, kind: str, path: Path) -> ImportJob:
        with path.open("rb") as handle:
            job = csv_import.import_job_create(membership=membership, kind=kind, upload=File(handle, name=path.name))
        # What import_job_start does, minus the queue: this process runs the task's function itself.
        ImportJob.objects.filter(pk=job.pk).update(status=ImportJob.Status.QUEUED)
        started = time.perf_counter()
        with _counting_queries() as counter:
            job = csv_import.import_job_run(job_id=job.pk)
        seconds = time.perf_counter() - started
        batches = max(1, -(-job.rows_processed // csv_import.BATCH_SIZE))
        if job.status != ImportJob.Status.DONE:
            raise CommandError(f"import #{job.pk} ended {job.status}: {job.failure_reason}")
        self.stdout.write(
            f"  {kind:<8} {job.rows_processed:>9,} rows {seconds:8.2f} s {job.rows_processed / seconds:>9,.0f} rows/s"
            f"  created {job.rows_created:,} updated {job.rows_updated:,} unchanged {job.rows_unchanged:,}"
            f" errors {job.rows_failed:,}  {counter['queries'] / batches:.0f} queries/batch"
            f"  file {job.size_bytes / 1024 / 1024:.1f} MB  peak RSS {_peak_rss_mb():.0f} MB"
        )
        job.file.delete(save=False)
        return job
