from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from salesops.demo import DEMO_PASSWORD, demo_workspace_load


class Command(BaseCommand):
    help = "Create (or bring up to date) the Demo workspace with its admin, manager and rep. Idempotent."

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="Run even with DEBUG off (never on production).")

    def handle(self, *args, force: bool, **options):
        if not settings.DEBUG and not force:
            raise CommandError("The demo creates users with a known password: refusing with DEBUG off (use --force).")
        with transaction.atomic():
            result = demo_workspace_load()
        self.stdout.write(self.style.SUCCESS(f"Demo workspace ready: {result.workspace}"))
        for email, role in result.users:
            self.stdout.write(f"  {role:<8} {email}  password: {DEMO_PASSWORD}")
