"""Managers see the planner's picks for a campaign, with reasons, and pin or exclude leads."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from campaigns.models import Campaign, CampaignLeadChoice, Enrolment
from campaigns.tests.factories import make_account, make_campaign, make_contact, make_signal
from salesops.models import AuditEvent

pytestmark = pytest.mark.django_db


def _campaign_with_audience(personas, size=3):
    workspace = personas.workspace
    campaign = make_campaign(workspace=workspace, status=Campaign.Status.ACTIVE)
    contacts = []
    for _ in range(size):
        account = make_account(workspace=workspace, industry="Software", employee_count=300, country="DE")
        contacts.append(make_contact(workspace=workspace, account=account, title="VP Sales"))
    make_signal(workspace=workspace, account=contacts[0].account, kind="hiring", title="Hiring 4 SDRs",
                occurred_at=timezone.now() - timedelta(days=3))  # fmt: skip
    return campaign, contacts


def _picks_url(campaign):
    return reverse("planner:campaign_picks", args=[campaign.pk])


def _choice_url(campaign, contact):
    return reverse("planner:lead_choice", args=[campaign.pk, contact.pk])


def test_a_manager_sees_todays_picks_and_the_next_leads_with_their_reasons(personas, django_assert_max_num_queries):
    campaign, contacts = _campaign_with_audience(personas)
    Enrolment.objects.create(
        workspace=personas.workspace, campaign=campaign, contact=contacts[2], account=contacts[2].account,
        reason="fits: software; no recent signals", score=42.0, segment="software|200-999|vp sales|none",
    )  # fmt: skip
    client = personas.client_for(personas.manager)
    with django_assert_max_num_queries(40):
        page = client.get(_picks_url(campaign))
    picks = page.context["picks"]
    assert [row.contact for row in picks.picked_today] == [contacts[2]]
    assert "fits: software; no recent signals" in page.text
    upcoming = [row.contact for row in picks.upcoming]
    assert upcoming[0] == contacts[0] and contacts[2] not in upcoming
    assert "intent: Hiring 4 SDRs, 3 days ago" in page.text


def test_a_lead_the_enrolment_rules_hold_back_says_why_it_waits(personas):
    campaign, contacts = _campaign_with_audience(personas)
    colleague = make_contact(workspace=personas.workspace, account=contacts[0].account, title="VP Sales")
    Enrolment.objects.create(
        workspace=personas.workspace, campaign=campaign, contact=colleague, account=colleague.account, account_slot=1
    )
    page = personas.client_for(personas.manager).get(_picks_url(campaign))
    waits = {row.contact: row.waits for row in page.context["picks"].upcoming}
    assert waits[contacts[0]] == "a colleague was enrolled recently"
    assert waits[contacts[1]] == ""
    assert "Waits: a colleague was enrolled recently." in page.text


def test_the_campaign_plan_links_managers_to_the_picks(personas):
    campaign, _ = _campaign_with_audience(personas)
    plan_url = reverse("insights:campaign_plan", args=[campaign.pk])
    assert _picks_url(campaign) in personas.client_for(personas.manager).get(plan_url).text
    assert _picks_url(campaign) not in personas.client_for(personas.rep).get(plan_url).text


def test_a_manager_pins_excludes_and_undoes_with_a_row_swap_and_an_audit_each(personas):
    campaign, contacts = _campaign_with_audience(personas)
    client = personas.client_for(personas.manager)

    pinned = client.post(_choice_url(campaign, contacts[2]), {"action": "pin"}, headers={"HX-Request": "true"})
    assert pinned.status_code == 200 and pinned.text.strip().startswith(f'<tr id="pick-{contacts[2].pk}"')
    assert "Pinned: picked first" in pinned.text
    assert client.get(_picks_url(campaign)).context["picks"].upcoming[0].contact == contacts[2]

    client.post(_choice_url(campaign, contacts[0]), {"action": "exclude"})
    page = client.get(_picks_url(campaign)).context["picks"]
    assert contacts[0] not in [row.contact for row in page.upcoming]
    assert [row.contact for row in page.excluded] == [contacts[0]]

    undone = client.post(_choice_url(campaign, contacts[0]), {"action": "undo"})
    assert undone.status_code == 302
    assert list(CampaignLeadChoice.objects.values_list("contact_id", "choice")) == [(contacts[2].pk, "pin")]
    verbs = list(
        AuditEvent.objects.filter(workspace=personas.workspace).order_by("sequence").values_list("verb", flat=True)
    )
    assert [v for v in verbs if v.startswith("campaign.lead_")] == [
        "campaign.lead_pinned", "campaign.lead_excluded", "campaign.lead_choice_undone"
    ]  # fmt: skip


def test_a_rep_may_not_see_the_picks_or_choose(personas):
    campaign, contacts = _campaign_with_audience(personas)
    client = personas.client_for(personas.rep)
    assert client.get(_picks_url(campaign)).status_code == 403
    assert client.post(_choice_url(campaign, contacts[0]), {"action": "pin"}).status_code == 403
    assert not CampaignLeadChoice.objects.exists()


def test_another_workspaces_campaign_or_contact_is_not_found(personas):
    campaign, contacts = _campaign_with_audience(personas)
    outsider = personas.client_for(personas.outsider)
    assert outsider.get(_picks_url(campaign)).status_code == 404
    assert outsider.post(_choice_url(campaign, contacts[0]), {"action": "pin"}).status_code == 404
    foreign = make_contact(workspace=personas.outsider.workspace)
    manager = personas.client_for(personas.manager)
    assert manager.post(_choice_url(campaign, foreign), {"action": "exclude"}).status_code == 404
    assert manager.post(_choice_url(campaign, contacts[0]), {"action": "delete"}).status_code == 400
    assert not CampaignLeadChoice.objects.exists()


def test_choosing_needs_a_post_with_a_csrf_token(personas):
    campaign, contacts = _campaign_with_audience(personas)
    client = personas.client_for(personas.manager)
    assert client.get(_choice_url(campaign, contacts[0])).status_code == 405
    client.handler.enforce_csrf_checks = True
    assert client.post(_choice_url(campaign, contacts[0]), {"action": "pin"}).status_code == 403
    assert not CampaignLeadChoice.objects.exists()
