from django.core.management.base import BaseCommand, CommandError

from salesops.audit import audit_verify_chain
from salesops.models import Workspace


class Command(BaseCommand):
    help = "Recompute the audit log's hash chains and name the first broken event."

    def add_arguments(self, parser):
        parser.add_argument("--workspace", help="Slug of one workspace (default: every chain).")

    def handle(self, *args, workspace: str | None, **options):
        if workspace:
            workspaces = list(Workspace.objects.filter(slug=workspace))
            if not workspaces:
                raise CommandError(f"No workspace with slug {workspace!r}")
        else:
            workspaces = [None, *Workspace.objects.order_by("pk")]
        broken = 0
        for chain_workspace in workspaces:
            report = audit_verify_chain(workspace=chain_workspace)
            if report.intact:
                self.stdout.write(f"{report.chain}: intact ({report.events_checked} events)")
            else:
                broken += 1
                event = report.first_broken
                self.stdout.write(
                    self.style.ERROR(
                        f"{report.chain}: BROKEN at event id={event.pk} sequence={event.sequence} "
                        f"verb={event.verb}: {report.problem}"
                    )
                )
        if broken:
            raise CommandError(f"{broken} audit chain(s) broken")
