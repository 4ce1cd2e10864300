"""django-q2 entry points of the outbox: the delivery tick and the send tasks it fans out to."""

from django.conf import settings
from django.utils import timezone
from django_q.tasks import async_task

from agents.delivery.models import OutboundMessage
from agents.delivery.scheduling import delivery_schedule
from agents.delivery.sending import delivery_recover_stuck, delivery_send_due, worker_label
from salesops.models import Workspace

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
        async_task(delivery_send_task)
    return {"recovered": recovered, "scheduled": scheduled, "due": due, "send_tasks": senders}


def enqueue_delivery_send() -> None:
    """Send what is due now rather than at the next tick (an email a person sent now)."""
    async_task(delivery_send_task)


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
