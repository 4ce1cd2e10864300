"""django-q2 entry points of outreach: working leads through the pipeline and the campaign tick."""

from concurrent.futures import ThreadPoolExecutor

from django.conf import settings
from django.db import close_old_connections, transaction
from django_q.tasks import async_task

from agents.llm import get_provider
from agents.models import AgentRun
from agents.outreach.budget import WorkspaceBudget
from agents.outreach.lead_facts import strategy_for
from agents.outreach.pipeline import lead_pipeline_run
from agents.outreach.planning import campaign_tick
from campaigns.models import Campaign

BATCH_SIZE = 25


def lead_batch_task(run_ids: list[int]) -> dict:
    """Take a batch of leads through the pipeline, several at a time: their model calls overlap.

    The campaign-wide strategy and the workspace's budget are read once for the whole batch."""
    runs = list(AgentRun.objects.filter(pk__in=run_ids).values_list("pk", "campaign_id", "workspace_id"))
    campaigns = Campaign.objects.select_related("icp_version", "offer", "policy").in_bulk({c for _, c, _ in runs})
    strategies = {campaign_id: strategy_for(campaign) for campaign_id, campaign in campaigns.items()}
    budgets = {workspace_id: WorkspaceBudget(workspace_id) for workspace_id in {w for _, _, w in runs}}
    provider = get_provider()

    def run_one(run) -> str:
        run_id, campaign_id, workspace_id = run
        try:
            return lead_pipeline_run(
                run_id=run_id, provider=provider, strategy=strategies[campaign_id], budget=budgets[workspace_id]
            ).status
        finally:
            if threaded:
                close_old_connections()

    workers = min(settings.SALESOPS_AGENT_CONCURRENCY, len(runs)) or 1
    threaded = workers > 1 and not settings.Q_CLUSTER.get("sync")
    if threaded:
        with ThreadPoolExecutor(max_workers=workers) as pool:
            statuses = list(pool.map(run_one, runs))
    else:
        statuses = [run_one(run) for run in runs]
    return {status: statuses.count(status) for status in set(statuses)}


def lead_chain_task(run_ids: list[int]) -> dict:
    """Work a tick's leads one batch at a time, then hand the rest to the next task.

    One chain per tick keeps a workspace's concurrent model calls at SALESOPS_AGENT_CONCURRENCY
    per active campaign, however many workers the cluster has, and keeps each task short."""
    batch, rest = run_ids[:BATCH_SIZE], run_ids[BATCH_SIZE:]
    outcome = lead_batch_task(batch)
    if rest:
        async_task(lead_chain_task, rest)
    return outcome


def enqueue_runs(run_ids: list[int]) -> None:
    """Start working the runs once the transaction that created them commits."""
    if run_ids:
        transaction.on_commit(lambda: async_task(lead_chain_task, list(run_ids)))


def campaign_tick_task(campaign_id: int) -> dict:
    campaign = Campaign.objects.select_related("workspace").get(pk=campaign_id)
    result = campaign_tick(campaign=campaign)
    enqueue_runs(result.started_run_ids)
    return {"planned": result.plan.planned_new_leads, "started": len(result.started_run_ids)}


def enqueue_campaign_tick(campaign_id: int) -> None:
    async_task(campaign_tick_task, campaign_id)


def campaign_tick_all_task() -> int:
    """The scheduled tick: every active campaign of every workspace."""
    ids = list(Campaign.objects.filter(status=Campaign.Status.ACTIVE).values_list("pk", flat=True))
    for campaign_id in ids:
        async_task(campaign_tick_task, campaign_id)
    return len(ids)
