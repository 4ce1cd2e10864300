"""Admins can see, for any lead, which model and prompt each agent used, what it saw, decided and cost."""

import pytest
from django.urls import reverse

from agents.outreach.pipeline import lead_pipeline_run
from agents.tests.factories import make_lead

pytestmark = pytest.mark.django_db


def test_a_run_page_shows_every_step_with_model_prompt_tokens_and_decision(personas):
    lead = make_lead(workspace=personas.workspace, autonomy="review_all")
    run = lead_pipeline_run(run_id=lead.run.pk)
    client = personas.client_for(personas.admin)
    page = client.get(reverse("agent_runs:run_detail", args=[run.pk]))
    assert [step.agent for step in page.context["steps"]] == ["research", "qualify", "write", "verify", "route"]
    # Prompt versions read as "prompt v1" (the raw version in its title), the offline model as words.
    for text in (
        'title="research-1"',
        'title="write-2"',
        "prompt v1",
        "Offline rules",
        "qualified",
        "review every email",
    ):
        assert text in page.text
    assert lead.signal.title in page.text  # what the research agent saw


def test_the_run_list_and_a_contacts_history_link_to_runs(personas, django_assert_max_num_queries):
    for _ in range(5):
        lead_pipeline_run(run_id=make_lead(workspace=personas.workspace).run.pk)
    client = personas.client_for(personas.admin)
    client.get(reverse("agent_runs:run_list"))
    with django_assert_max_num_queries(6):
        listing = client.get(reverse("agent_runs:run_list"))
    run = listing.context["page"].object_list[0]
    history = client.get(reverse("agent_runs:contact_history", args=[run.contact_id]))
    assert reverse("agent_runs:run_detail", args=[run.pk]) in history.text
    account_page = client.get(reverse("campaigns:account_detail", args=[run.contact.account_id]))
    assert reverse("insights:contact_detail", args=[run.contact_id]) in account_page.text
    contact_page = client.get(reverse("insights:contact_detail", args=[run.contact_id]))
    assert reverse("agent_runs:run_detail", args=[run.pk]) in contact_page.text
