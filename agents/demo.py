"""Demo: start the demo campaign's first tick in the background (the worker of `make run` picks it up)."""

from django_q.tasks import async_task

from campaigns.models import Campaign


def load(workspace) -> None:
    for campaign_id in Campaign.objects.filter(workspace=workspace, status=Campaign.Status.ACTIVE).values_list(
        "pk", flat=True
    ):
        async_task("agents.tasks.campaign_tick_task", campaign_id)
