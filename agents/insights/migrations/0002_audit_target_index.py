"""An index on the audit log's targets, so the timeline can filter by contact or campaign.

AuditEvent belongs to the core (salesops), which knows nothing of contacts' handoffs or messages; the
audit timeline (here) asks "every event about these handoffs, messages and meetings", which without
this index scans a workspace's whole log. The index lives in the database only (no model state), so
the core's model is unchanged; dropping it is safe.
"""

from django.db import migrations

CREATE = (
    "CREATE INDEX IF NOT EXISTS insights_audit_target_idx "
    "ON salesops_auditevent (workspace_id, target_type, target_id, created_at)"
)
DROP = "DROP INDEX IF EXISTS insights_audit_target_idx"


class Migration(migrations.Migration):
    dependencies = [
        ("insights", "0001_initial"),
        ("salesops", "0002_workspace_inbound_secret"),
    ]

    operations = [migrations.RunSQL(CREATE, DROP, elidable=False)]
