"""Give every lead already started (a step-1 run) its enrolment, so the enrolment rules see the sequences
that are running. Lives in the agents app because it reads AgentRun."""

from django.db import migrations
from django.utils import timezone

BATCH = 1000
WORKING_STATUSES = ("new", "in_sequence")


def backfill_enrolments(apps, schema_editor):
    AgentRun = apps.get_model("agents", "AgentRun")
    Enrolment = apps.get_model("campaigns", "Enrolment")
    now = timezone.now()
    existing = set(Enrolment.objects.values_list("campaign_id", "contact_id"))
    exclusive_taken = set(
        Enrolment.objects.filter(status="active", exclusive=True).values_list("contact_id", flat=True)
    )
    first_runs = (
        AgentRun.objects.filter(step_position=1, inbound_message__isnull=True)
        .select_related("campaign", "contact")
        .order_by("contact_id", "created_at", "pk")
    )
    batch = []
    for run in first_runs.iterator(chunk_size=BATCH):
        if (run.campaign_id, run.contact_id) in existing:
            continue
        existing.add((run.campaign_id, run.contact_id))
        contact = run.contact
        working = contact.status in WORKING_STATUSES and run.outcome != "dropped"
        exclusive, note = False, ""
        if working and not run.campaign.allow_sequence_overlap:
            if contact.pk in exclusive_taken:
                # Before enrolments, two campaigns could start the same contact: the earliest keeps the
                # exclusive place, the later one goes on beside it, marked so a manager can see it.
                note = "Backfilled beside an earlier sequence of this contact (started before enrolment rules)"
            else:
                exclusive = True
                exclusive_taken.add(contact.pk)
        if working:
            end_reason = ""
        elif run.outcome == "dropped":
            end_reason = "Backfilled: the first email was dropped"
        else:
            end_reason = f"Backfilled: the contact's status is {contact.status}"
        batch.append(
            Enrolment(
                workspace_id=run.workspace_id,
                campaign_id=run.campaign_id,
                contact_id=contact.pk,
                account_id=contact.account_id,
                # No slot: sequences already running may hold more of one account than its limit allows,
                # and numbering them would either break the slot constraint or end sequences people
                # approved. Rows without a slot still count against the account's limit (see
                # campaigns.enrolment), so new enrolments wait until these end.
                account_slot=None,
                exclusive=exclusive,
                status="active" if working else "ended",
                started_at=run.created_at,
                ended_at=None if working else now,
                end_reason=end_reason,
                note=note,
            )
        )
        if len(batch) >= BATCH:
            Enrolment.objects.bulk_create(batch)
            batch = []
    Enrolment.objects.bulk_create(batch)


class Migration(migrations.Migration):
    dependencies = [
        ("agents", "0010_handoff_inbox_counts_idx"),
        ("campaigns", "0004_audience_lists_enrolment_blocks"),
    ]

    operations = [migrations.RunPython(backfill_enrolments, migrations.RunPython.noop)]
