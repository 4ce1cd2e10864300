"""django-q2 entry points of the meetings app: thin wrappers over services."""

# The module, not its names: services enqueue these tasks by reference, so each module imports the other.
from agents.meetings import services


def meeting_invitations_send_task(meeting_id: int, sequence: int, method: str) -> int:
    return services.meeting_invitations_send(meeting_id=meeting_id, sequence=sequence, method=method)


def ics_feeds_refresh_task() -> dict:
    """Scheduled hourly: re-read every person's calendar feed."""
    return services.ics_feeds_refresh_all()
