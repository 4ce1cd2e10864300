"""django-q2 entry points for inbound mail."""

from agents.conversations.services import inbound_process
from agents.conversations.simulator import simulate_prospect_replies


def inbound_process_task(inbound_id: int) -> str:
    return inbound_process(inbound_id=inbound_id).status


def simulate_prospect_replies_task() -> int:
    return simulate_prospect_replies()
