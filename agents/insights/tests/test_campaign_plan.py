"""The campaign page shows today's plan: the planner's own figures, and what is already in flight."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from agents.delivery.models import OutboundMessage
from agents.delivery.tests.support import make_mailbox
from agents.models import AgentRun, CampaignPlan, Handoff
from agents.outreach.planning import campaign_tick, plan_figures
from campaigns.models import Campaign
from campaigns.tests.factories import make_campaign, make_contact, make_signal
from salesops.models import AuditEvent

pytestmark = pytest.mark.django_db


def _active_campaign(personas, leads: int = 4) -> Campaign:
    today = timezone.localdate()
    campaign = make_campaign(
        workspace=personas.workspace,
        goal_target=12,
        goal_start=today - timedelta(days=7),
        goal_end=today + timedelta(days=30),
        daily_new_lead_limit=25,
        status=Campaign.Status.ACTIVE,
    )
    for _ in range(leads):
        contact = make_contact(workspace=personas.workspace, title="VP Sales")
        make_signal(workspace=personas.workspace, account=contact.account)
    return campaign


def _plan_fragment(client, campaign):
    return client.get(reverse("insights:campaign_plan", args=[campaign.pk]), headers={"HX-Request": "true"})


def test_before_the_tick_it_previews_the_planners_figures_without_storing_a_plan(personas):
    campaign = _active_campaign(personas)
    expected = plan_figures(campaign=campaign)
    response = _plan_fragment(personas.client_for(personas.manager), campaign)
    assert "<html" not in response.text
    shown = response.context["today_plan"]
    assert shown.made is False and shown.figures == expected
    assert f"{expected.planned_new_leads} new leads today</strong> when the planner runs" in response.text
    assert expected.reason in response.text
    assert f"{expected.business_days_left}</dd>" in response.text
    # Looking does not plan: no stored plan, no audit entry, no escalation.
    assert not CampaignPlan.objects.filter(campaign=campaign).exists()
    assert not AuditEvent.objects.filter(verb="campaign.planned").exists()
    assert not Handoff.objects.filter(campaign=campaign).exists()


def test_after_the_tick_it_shows_the_stored_plan_and_the_leads_started(personas):
    campaign = _active_campaign(personas, leads=3)
    result = campaign_tick(campaign=campaign)
    plan = result.plan
    assert plan.started_new_leads == len(result.started_run_ids) > 0
    response = _plan_fragment(personas.client_for(personas.rep), campaign)
    shown = response.context["today_plan"]
    assert shown.made is True and shown.stored.pk == plan.pk
    assert (
        f"{plan.planned_new_leads} new lead{'s' if plan.planned_new_leads != 1 else ''} today</strong>, "
        f"{plan.started_new_leads} started so far" in response.text
    )
    # The runs the tick created are pending: they are what the agents are working on.
    assert shown.in_flight["runs_working"] == AgentRun.objects.filter(campaign=campaign, status="pending").count()
    assert shown.in_flight["runs_working"] == len(result.started_run_ids)


def test_what_is_in_flight_is_recounted_from_the_rows(personas):
    campaign = _active_campaign(personas, leads=0)
    contacts = [make_contact(workspace=personas.workspace) for _ in range(5)]
    statuses = ["pending", "running", "waiting", "done", "failed"]
    runs = [
        AgentRun.objects.create(workspace=personas.workspace, campaign=campaign, contact=contact, status=status)
        for contact, status in zip(contacts, statuses, strict=True)
    ]
    for status in ["open", "snoozed", "resolved"]:
        Handoff.objects.create(
            workspace=personas.workspace,
            campaign=campaign,
            run=runs[2],
            kind="draft_review",
            reason="review",
            status=status,
            decision="approved" if status == "resolved" else "",
        )
    mailbox = make_mailbox(workspace=personas.workspace, campaigns=[campaign])
    for index, status in enumerate(["queued", "scheduled", "sending", "sent", "cancelled"]):
        OutboundMessage.objects.create(
            mailbox=mailbox,
            scheduled_for=timezone.now(),
            workspace=personas.workspace,
            campaign=campaign,
            contact=contacts[index],
            subject="Hello",
            body_text="Hi",
            idempotency_key=f"flight-{index}",
            status=status,
            step_position=1,
        )
    other = make_campaign(workspace=personas.workspace)
    AgentRun.objects.create(workspace=personas.workspace, campaign=other, contact=contacts[0], status="pending")
    shown = _plan_fragment(personas.client_for(personas.manager), campaign).context["today_plan"]
    assert shown.in_flight == {"runs_working": 2, "waiting_for_person": 2, "emails_unsent": 3}
    assert shown.leads_contacted == 5


def test_without_htmx_the_plan_is_a_page_of_its_own(personas):
    campaign = _active_campaign(personas)
    response = personas.client_for(personas.manager).get(reverse("insights:campaign_plan", args=[campaign.pk]))
    assert "<html" in response.text and 'id="plan-heading"' in response.text


def test_the_campaign_page_loads_the_plan_and_links_to_its_dashboard(personas):
    campaign = _active_campaign(personas)
    page = personas.client_for(personas.manager).get(reverse("campaigns:campaign_detail", args=[campaign.pk]))
    plan_url = reverse("insights:campaign_plan", args=[campaign.pk])
    assert f'hx-get="{plan_url}" hx-trigger="load"' in page.text
    assert f'<a href="{plan_url}">' in page.text  # the fallback without JavaScript
    assert f'href="{reverse("insights:campaign_dashboard", args=[campaign.pk])}"' in page.text


def test_another_workspaces_campaign_plan_is_404(personas):
    campaign = _active_campaign(personas)
    response = personas.client_for(personas.outsider).get(reverse("insights:campaign_plan", args=[campaign.pk]))
    assert response.status_code == 404


def test_without_a_goal_the_plan_says_so_instead_of_claiming_it_is_reached(personas):
    campaign = make_campaign(workspace=personas.workspace, goal_target=0)
    response = _plan_fragment(personas.client_for(personas.manager), campaign)
    assert "No goal set" in response.text
    assert "The goal is reached" not in response.text
    assert reverse("campaigns:campaign_edit", args=[campaign.pk]) in response.text


def test_the_campaign_dashboard_links_to_todays_plan(personas):
    campaign = _active_campaign(personas)
    page = personas.client_for(personas.rep).get(reverse("insights:campaign_dashboard", args=[campaign.pk]))
    assert f'href="{reverse("insights:campaign_plan", args=[campaign.pk])}"' in page.text
