"""The insights app's URLs check sign-in, workspace and role (see salesops.tests.access_matrix)."""

import pytest

from salesops.models import Role
from salesops.tests.access_matrix import Rule, access_tests

URL_RULES = {
    # Dashboards: every member (reps see how their campaigns do).
    "insights:overview": Rule(Role.REP),
    "insights:campaign_dashboard": Rule(Role.REP, kwargs=lambda rows: {"campaign_id": rows.run.campaign_id}),
    "insights:campaign_plan": Rule(Role.REP, kwargs=lambda rows: {"campaign_id": rows.run.campaign_id}),
    # Trying a policy change: managers own strategy.
    "insights:policy_dry_run": Rule(Role.MANAGER, kwargs=lambda rows: {"campaign_id": rows.run.campaign_id}),
    # A person's page: every member (reps work the conversation).
    "insights:contact_detail": Rule(Role.REP, kwargs=lambda rows: {"contact_id": rows.run.contact_id}),
    # Lifting a "do not contact" or "off-target" block: managers decide whom campaigns may pick.
    "insights:contact_block_lift": Rule(
        Role.MANAGER,
        method="post",
        kwargs=lambda rows: {"contact_id": rows.block.contact_id, "block_id": rows.block.pk},
    ),
    # The audit: admins only.
    "insights:timeline": Rule(Role.ADMIN),
    "insights:timeline_export_csv": Rule(Role.ADMIN),
    "insights:timeline_export_jsonl": Rule(Role.ADMIN),
    "insights:step_detail": Rule(Role.ADMIN, kwargs=lambda rows: {"step_id": rows.step.pk}),
    "insights:event_detail": Rule(Role.ADMIN, kwargs=lambda rows: {"event_id": rows.event.pk}),
    "insights:contact_history": Rule(Role.ADMIN, kwargs=lambda rows: {"contact_id": rows.run.contact_id}),
}


@pytest.fixture
def access_rows(personas):
    from agents.outreach.pipeline import lead_pipeline_run
    from agents.tests.factories import make_lead
    from campaigns.models import ContactBlock
    from salesops.models import AuditEvent

    personas.run = lead_pipeline_run(run_id=make_lead(workspace=personas.workspace).run.pk)
    personas.step = personas.run.steps.first()
    personas.event = AuditEvent.objects.filter(workspace=personas.workspace).first()
    personas.block = ContactBlock.objects.create(
        workspace=personas.workspace, contact=personas.run.contact, reason=ContactBlock.Reason.OFF_TARGET
    )
    return personas


globals().update(access_tests(URL_RULES))
