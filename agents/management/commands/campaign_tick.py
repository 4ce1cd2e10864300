from django.core.management.base import BaseCommand, CommandError

from agents.outreach.planning import campaign_tick
from agents.tasks import lead_batch_task
from campaigns.models import Campaign


class Command(BaseCommand):
    help = "Run the campaign tick now: plan today toward the goal and take today's new leads through the pipeline."

    def add_arguments(self, parser):
        parser.add_argument("--campaign", help="Name of one campaign (default: every active campaign).")

    def handle(self, *args, campaign: str | None, **options):
        campaigns = Campaign.objects.filter(status=Campaign.Status.ACTIVE)
        if campaign:
            campaigns = Campaign.objects.filter(name=campaign)
            if not campaigns.exists():
                raise CommandError(f"No campaign named {campaign!r}")
        for item in campaigns.select_related("workspace"):
            result = campaign_tick(campaign=item)
            plan = result.plan
            self.stdout.write(f"{item.workspace} / {item.name}: {plan.get_verdict_display().lower()} — {plan.reason}")
            if result.started_run_ids:
                outcome = lead_batch_task(result.started_run_ids)
                self.stdout.write(f"  started {len(result.started_run_ids)} leads: {outcome}")
            else:
                self.stdout.write("  no new leads to start today")
