"""django-q2 entry points for inbound mail."""

# Modules, not names: services enqueue these tasks by reference, so each module imports the other.
from agents.conversations import services, simulator


def inbound_process_task(inbound_id: int) -> str:
    return services.inbound_process(inbound_id=inbound_id).status


def inbound_requeue_stale_task() -> int:
    return services.inbound_requeue_stale()


def simulate_prospect_replies_task() -> int:
    return simulator.simulate_prospect_replies()
