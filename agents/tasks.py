"""Every django-q2 entry point of the agent team, under the names the schedules (see the migrations) and
already queued tasks use. Each one lives beside the code it runs; this module gathers them, and holds the
one tick that spans two steps: follow-ups of the sequence (outreach) and of "not now" replies
(conversations)."""

from agents.conversations.follow_ups import not_now_follow_ups
from agents.conversations.tasks import inbound_process_task, simulate_prospect_replies_task
from agents.delivery.tasks import delivery_send_task, delivery_tick_task, enqueue_delivery_send
from agents.meetings.tasks import ics_feeds_refresh_task, meeting_invitations_send_task
from agents.outreach.sequences import sequence_next_runs
from agents.outreach.tasks import (
    campaign_tick_all_task,
    campaign_tick_task,
    enqueue_campaign_tick,
    enqueue_runs,
    lead_batch_task,
    lead_chain_task,
)
from campaigns.models import Campaign

__all__ = [
    "campaign_tick_all_task",
    "campaign_tick_task",
    "delivery_send_task",
    "delivery_tick_task",
    "enqueue_campaign_tick",
    "enqueue_delivery_send",
    "enqueue_runs",
    "ics_feeds_refresh_task",
    "inbound_process_task",
    "lead_batch_task",
    "lead_chain_task",
    "meeting_invitations_send_task",
    "sequence_tick_task",
    "simulate_prospect_replies_task",
]


def sequence_tick_task() -> dict:
    """Start the follow-ups whose delay passed (every active campaign), then enqueue their runs."""
    started = 0
    for campaign in Campaign.objects.filter(status=Campaign.Status.ACTIVE).select_related("workspace"):
        run_ids = sequence_next_runs(campaign=campaign) + not_now_follow_ups(campaign=campaign)
        enqueue_runs(run_ids)
        started += len(run_ids)
    return {"follow_ups_started": started}
