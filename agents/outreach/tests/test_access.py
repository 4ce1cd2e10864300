"""The agent run pages and the planner's picks check sign-in, workspace and role (see salesops.tests.access_matrix)."""

import pytest

from salesops.models import Role
from salesops.tests.access_matrix import Rule, access_tests

URL_RULES = {
    "agent_runs:run_list": Rule(Role.ADMIN),
    "agent_runs:run_detail": Rule(Role.ADMIN, kwargs=lambda rows: {"run_id": rows.run.pk}),
    "agent_runs:contact_history": Rule(Role.ADMIN, kwargs=lambda rows: {"contact_id": rows.run.contact_id}),
    # The planner's picks: managers own whom a campaign works.
    "planner:campaign_picks": Rule(Role.MANAGER, kwargs=lambda rows: {"campaign_id": rows.run.campaign_id}),
    "planner:lead_choice": Rule(
        Role.MANAGER,
        method="post",
        kwargs=lambda rows: {"campaign_id": rows.run.campaign_id, "contact_id": rows.run.contact_id},
        data=lambda rows: {"action": "exclude"},
    ),
}


@pytest.fixture
def access_rows(personas):
    from agents.outreach.pipeline import lead_pipeline_run
    from agents.tests.factories import make_lead

    personas.run = lead_pipeline_run(run_id=make_lead(workspace=personas.workspace).run.pk)
    return personas


globals().update(access_tests(URL_RULES))
