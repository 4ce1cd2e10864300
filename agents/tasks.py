"""django-q2 entry points of the agent team: thin wrappers that load by id and call a service."""

from concurrent.futures import ThreadPoolExecutor

from django.conf import settings
from django.db import close_old_connections, transaction
from django.utils import timezone
from django_q.tasks import async_task

from agents.delivery.scheduling import delivery_schedule
from agents.delivery.sending import delivery_recover_stuck, delivery_send_due, worker_label
from agents.delivery.sequences import not_now_follow_ups, sequence_next_runs
from agents.llm import get_provider
from agents.models import AgentRun, OutboundMessage
from agents.pipeline import WorkspaceBudget, lead_pipeline_run, strategy_for
from agents.planning import campaign_tick
from campaigns.models import Campaign
from salesops.models import Workspace

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


# --- delivery (issue 6): the outbox's entry points ---------------------------------------------------

SEND_TASK_LIMIT = 200


def delivery_tick_task() -> dict:
    """The scheduled delivery tick (every SALESOPS_DELIVERY_TICK_MINUTES): mark sends a dead worker left
    behind as unknown, schedule every workspace's queue, then fan the due emails out to send tasks."""
    recovered = delivery_recover_stuck()
    workspace_ids = set(
        OutboundMessage.objects.filter(status=OutboundMessage.Status.QUEUED).values_list("workspace_id", flat=True)
    )
    scheduled = 0
    for workspace in Workspace.objects.filter(pk__in=workspace_ids):
        scheduled += delivery_schedule(workspace=workspace).scheduled
    due = OutboundMessage.objects.filter(
        status=OutboundMessage.Status.SCHEDULED, scheduled_for__lte=timezone.now()
    ).count()
    senders = min(settings.Q_CLUSTER["workers"], -(-due // SEND_TASK_LIMIT)) if due else 0
    for _ in range(senders):
        async_task("agents.tasks.delivery_send_task")
    return {"recovered": recovered, "scheduled": scheduled, "due": due, "send_tasks": senders}


def enqueue_delivery_send() -> None:
    """Send what is due now rather than at the next tick (an email a person sent now)."""
    async_task("agents.tasks.delivery_send_task")


def delivery_send_task(limit: int = SEND_TASK_LIMIT) -> dict:
    """Send due emails; any number of these may run at once (claims skip each other's rows)."""
    report = delivery_send_due(limit=limit)
    return {
        "worker": worker_label(),
        "sent": report.sent,
        "requeued": report.requeued,
        "cancelled": report.cancelled,
        "failed": report.failed,
        "unknown": report.unknown,
        "sent_ids": report.sent_ids,
    }


def sequence_tick_task() -> dict:
    """Start the follow-ups whose delay passed (every active campaign), then enqueue their runs."""
    started = 0
    for campaign in Campaign.objects.filter(status=Campaign.Status.ACTIVE).select_related("workspace"):
        run_ids = sequence_next_runs(campaign=campaign) + not_now_follow_ups(campaign=campaign)
        enqueue_runs(run_ids)
        started += len(run_ids)
    return {"follow_ups_started": started}
