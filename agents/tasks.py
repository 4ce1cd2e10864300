"""django-q2 entry points of the agent team: thin wrappers that load by id and call a service."""

from concurrent.futures import ThreadPoolExecutor

from django.conf import settings
from django.db import close_old_connections, transaction
from django_q.tasks import async_task

from agents.pipeline import lead_pipeline_run
from agents.planning import campaign_tick
from campaigns.models import Campaign

BATCH_SIZE = 25


def _run_one(run_id: int) -> str:
    try:
        return lead_pipeline_run(run_id=run_id).status
    finally:
        close_old_connections()


def lead_batch_task(run_ids: list[int]) -> dict:
    """Take a batch of leads through the pipeline, several at a time: their model calls overlap."""
    workers = min(settings.SALESOPS_AGENT_CONCURRENCY, len(run_ids)) or 1
    if workers == 1 or settings.Q_CLUSTER.get("sync"):
        statuses = [lead_pipeline_run(run_id=run_id).status for run_id in run_ids]
    else:
        with ThreadPoolExecutor(max_workers=workers) as pool:
            statuses = list(pool.map(_run_one, run_ids))
    return {status: statuses.count(status) for status in set(statuses)}


def enqueue_runs(run_ids: list[int]) -> None:
    """Enqueue runs in batches once the transaction that created them commits."""
    for start in range(0, len(run_ids), BATCH_SIZE):
        batch = run_ids[start : start + BATCH_SIZE]
        transaction.on_commit(lambda batch=batch: async_task("agents.tasks.lead_batch_task", batch))


def campaign_tick_task(campaign_id: int) -> dict:
    campaign = Campaign.objects.select_related("workspace").get(pk=campaign_id)
    result = campaign_tick(campaign=campaign)
    enqueue_runs(result.started_run_ids)
    return {"planned": result.plan.planned_new_leads, "started": len(result.started_run_ids)}


def enqueue_campaign_tick(campaign_id: int) -> None:
    async_task("agents.tasks.campaign_tick_task", campaign_id)


def campaign_tick_all_task() -> int:
    """The scheduled tick: every active campaign of every workspace."""
    ids = list(Campaign.objects.filter(status=Campaign.Status.ACTIVE).values_list("pk", flat=True))
    for campaign_id in ids:
        async_task("agents.tasks.campaign_tick_task", campaign_id)
    return len(ids)
