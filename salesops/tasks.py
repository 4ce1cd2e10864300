"""django-q2 entry points of the core: thin wrappers that load by id and call a service."""

from salesops.audit import audit_record, audit_verify_chain
from salesops.models import Workspace


def audit_verify_task(workspace_id: int) -> dict:
    """Verify one workspace's audit chain in the background and record the result in it."""
    workspace = Workspace.objects.get(pk=workspace_id)
    report = audit_verify_chain(workspace=workspace)
    result = {
        "intact": report.intact,
        "events_checked": report.events_checked,
        "first_broken_sequence": report.first_broken.sequence if report.first_broken else None,
    }
    audit_record(workspace=workspace, verb="audit.verified", actor="system:worker", after=result)
    return result
