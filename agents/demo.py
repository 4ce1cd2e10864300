"""Demo: two warm sandbox mailboxes for the demo campaign, then its first tick in the background (the
worker of `make run` picks it up; approved emails then appear under Settings → Sandbox mail)."""

from django_q.tasks import async_task

from agents.delivery.models import Mailbox
from agents.outreach.tasks import campaign_tick_task
from campaigns.models import Campaign

DEMO_MAILBOXES = [
    ("Sam Keller", "sam@mail.demo.example"),
    ("Sam Keller", "sam.keller@outreach.demo.example"),
]


def load(workspace) -> None:
    active = list(Campaign.objects.filter(workspace=workspace, status=Campaign.Status.ACTIVE))
    for from_name, address in DEMO_MAILBOXES:
        # The app's mail settings: with `make run` (DEBUG, no EMAIL_HOST) that is the sandbox.
        mailbox, created = Mailbox.objects.get_or_create(
            workspace=workspace,
            from_address=address,
            defaults={
                "from_name": from_name,
                "reply_to_domain": "replies.demo.example",
                "transport": Mailbox.Transport.DEFAULT,
                "warmup_started_on": None,
                # Two warm mailboxes at 40 a day carry 26 new leads a day of the three-step sequence.
                "daily_cap": 40,
                "signature": "",
            },
        )
        if created:
            mailbox.campaigns.set(active)
    for campaign in active:
        async_task(campaign_tick_task, campaign.pk)
