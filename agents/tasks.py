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


def lead_chain_task(run_ids: list[int]) -> dict:
    """Work a tick's leads one batch at a time, then hand the rest to the next task.

    One chain per tick keeps a workspace's concurrent model calls at SALESOPS_AGENT_CONCURRENCY
    per active campaign, however many workers the cluster has, and keeps each task short."""
    batch, rest = run_ids[:BATCH_SIZE], run_ids[BATCH_SIZE:]
    outcome = lead_batch_task(batch)
    if rest:
        async_task("agents.tasks.lead_chain_task", rest)
    return outcome


def enqueue_runs(run_ids: list[int]) -> None:
    """Start working the runs once the transaction that created them commits."""
    if run_ids:
        transaction.on_commit(lambda: async_task("agents.tasks.lead_chain_task", list(run_ids)))


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
