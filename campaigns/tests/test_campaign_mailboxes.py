"""A manager picks which of the workspace's active mailboxes send for a campaign (admins own the mailboxes
themselves), and a campaign does not start without one."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from campaigns.forms import CampaignForm
from campaigns.models import Campaign
from campaigns.services import campaign_missing_pieces, campaign_save
from campaigns.tests.factories import make_account, make_campaign, make_contact, make_mailbox_for
from salesops.models import AuditEvent

pytestmark = pytest.mark.django_db


def _edit_post(campaign: Campaign, **overrides) -> dict:
    """The campaign form as a browser posts it back unchanged, then `overrides`."""
    data = {
        "name": campaign.name,
        "icp_version": campaign.icp_version_id or "",
        "offer": campaign.offer_id or "",
        "policy": campaign.policy_id or "",
        "goal_target": str(campaign.goal_target),
        "goal_start": campaign.goal_start.isoformat() if campaign.goal_start else "",
        "goal_end": campaign.goal_end.isoformat() if campaign.goal_end else "",
        "autonomy": campaign.autonomy,
        "confidence_threshold": str(campaign.confidence_threshold),
        "daily_new_lead_limit": str(campaign.daily_new_lead_limit),
        "max_contacts_per_account": str(campaign.max_contacts_per_account),
        "colleague_spacing_days": str(campaign.colleague_spacing_days),
        "send_days": [str(day) for day in campaign.send_days],
        "send_start": campaign.send_start.strftime("%H:%M"),
        "send_end": campaign.send_end.strftime("%H:%M"),
        "stale_signal_days": str(campaign.stale_signal_days),
        "steps-TOTAL_FORMS": "1",
        "steps-INITIAL_FORMS": "0",
        "steps-0-intent": "intro",
        "steps-0-delay_business_days": "0",
    }
    return {**data, **overrides}


def _edit(client, campaign, **overrides):
    return client.post(reverse("campaigns:campaign_edit", args=[campaign.pk]), _edit_post(campaign, **overrides))


def _fitting_contact(workspace):
    account = make_account(workspace=workspace, industry="Software", employee_count=300, country="DE")
    return make_contact(workspace=workspace, account=account, title="VP Sales")


def _attached(campaign) -> set[int]:
    return set(campaign.mailboxes.values_list("pk", flat=True))


@pytest.fixture
def boxes(personas):
    """The workspace's mailboxes (two active, one paused by an admin) and another workspace's, and a
    contact the factory campaigns' ICP selects (a campaign does not start with an empty audience)."""
    workspace = personas.workspace
    _fitting_contact(workspace)
    personas.first = make_mailbox_for(workspace=workspace, from_address="first@acme.example")
    personas.second = make_mailbox_for(workspace=workspace, from_address="second@acme.example")
    personas.paused = make_mailbox_for(workspace=workspace, from_address="paused@acme.example", status="paused")
    personas.foreign = make_mailbox_for(workspace=personas.outsider.workspace, from_address="theirs@rival.example")
    return personas


def test_the_form_offers_only_the_workspaces_active_mailboxes(boxes):
    campaign = make_campaign(workspace=boxes.workspace)
    page = boxes.client_for(boxes.manager).get(reverse("campaigns:campaign_edit", args=[campaign.pk])).text
    assert "first@acme.example" in page and "second@acme.example" in page
    assert "paused@acme.example" not in page and "theirs@rival.example" not in page
    assert f'name="mailboxes" value="{boxes.first.pk}"' in page


def test_a_manager_picks_the_mailboxes_and_each_save_is_audited_with_their_ids(boxes):
    campaign = make_campaign(workspace=boxes.workspace)
    client = boxes.client_for(boxes.manager)
    assert _edit(client, campaign, mailboxes=[boxes.first.pk]).status_code == 302
    assert _attached(campaign) == {boxes.first.pk}
    assert _edit(client, campaign, mailboxes=[boxes.second.pk]).status_code == 302
    assert _attached(campaign) == {boxes.second.pk}
    event = AuditEvent.objects.filter(verb="campaign.updated", target_id=str(campaign.pk)).latest("sequence")
    assert (event.before["mailboxes"], event.after["mailboxes"]) == ([boxes.first.pk], [boxes.second.pk])
    edit_page = client.get(reverse("campaigns:campaign_edit", args=[campaign.pk])).text
    assert f'value="{boxes.second.pk}" id="id_mailboxes_1" checked' in edit_page


def test_a_new_campaign_is_created_with_its_mailboxes(boxes):
    client = boxes.client_for(boxes.manager)
    template = make_campaign(workspace=boxes.workspace)
    data = _edit_post(template, name="Fresh start", mailboxes=[boxes.first.pk, boxes.second.pk])
    assert client.post(reverse("campaigns:campaign_create"), data).status_code == 302
    created = Campaign.objects.get(workspace=boxes.workspace, name="Fresh start")
    assert _attached(created) == {boxes.first.pk, boxes.second.pk}
    event = AuditEvent.objects.get(verb="campaign.created", target_id=str(created.pk))
    assert event.after["mailboxes"] == sorted([boxes.first.pk, boxes.second.pk])


def test_a_mailbox_an_admin_paused_stays_attached_when_a_manager_saves(boxes):
    campaign = make_campaign(workspace=boxes.workspace)
    campaign.mailboxes.set([boxes.first, boxes.paused])
    assert _edit(boxes.client_for(boxes.manager), campaign, mailboxes=[boxes.second.pk]).status_code == 302
    assert _attached(campaign) == {boxes.second.pk, boxes.paused.pk}


@pytest.mark.parametrize("which", ["foreign", "paused"])
def test_a_mailbox_not_offered_is_refused_in_the_post(boxes, which):
    campaign = make_campaign(workspace=boxes.workspace)
    campaign.mailboxes.set([boxes.first])
    response = _edit(boxes.client_for(boxes.manager), campaign, mailboxes=[getattr(boxes, which).pk], name="Renamed")
    assert response.status_code == 400
    assert "Select a valid choice" in response.text
    campaign.refresh_from_db()
    assert campaign.name != "Renamed" and _attached(campaign) == {boxes.first.pk}


def test_a_rep_cannot_change_a_campaigns_mailboxes(boxes):
    campaign = make_campaign(workspace=boxes.workspace)
    response = _edit(boxes.client_for(boxes.rep), campaign, mailboxes=[boxes.first.pk])
    assert response.status_code == 403
    assert _attached(campaign) == set()
    form = CampaignForm(_edit_post(campaign, mailboxes=[boxes.first.pk]), instance=campaign, workspace=boxes.workspace)
    assert form.is_valid(), form.errors
    with pytest.raises(PermissionDenied):
        campaign_save(actor=boxes.rep, form=form)
    assert _attached(campaign) == set()


def test_a_mailbox_paused_after_the_form_was_filled_is_refused_at_save(boxes):
    campaign = make_campaign(workspace=boxes.workspace)
    form = CampaignForm(_edit_post(campaign, mailboxes=[boxes.first.pk]), instance=campaign, workspace=boxes.workspace)
    assert form.is_valid(), form.errors
    type(boxes.first).objects.filter(pk=boxes.first.pk).update(status="paused")
    with pytest.raises(ValidationError, match="active mailboxes"):
        campaign_save(actor=boxes.manager, form=form)
    assert _attached(campaign) == set()


def test_the_campaign_page_names_the_mailboxes_it_sends_from(boxes):
    campaign = make_campaign(workspace=boxes.workspace)
    campaign.mailboxes.set([boxes.first, boxes.paused])
    page = boxes.client_for(boxes.manager).get(reverse("campaigns:campaign_detail", args=[campaign.pk])).text
    assert "first@acme.example, paused@acme.example (paused by a person)" in page


# Activation ---------------------------------------------------------------------------------------


def _activate(personas, campaign):
    client = personas.client_for(personas.manager)
    response = client.post(reverse("campaigns:campaign_status", args=[campaign.pk]), {"status": "active"}, follow=True)
    campaign.refresh_from_db()
    return response


def test_without_a_mailbox_activation_asks_the_manager_to_pick_one_of_the_workspaces(boxes):
    campaign = make_campaign(workspace=boxes.workspace)
    assert campaign_missing_pieces(campaign) == ["Pick at least one active mailbox to send from (Edit → Send from)."]
    response = _activate(boxes, campaign)
    assert campaign.status == Campaign.Status.DRAFT
    assert "The campaign cannot start yet: Pick at least one active mailbox" in response.text


def test_in_a_workspace_without_a_mailbox_activation_asks_for_an_admin(personas):
    make_mailbox_for(workspace=personas.workspace, status="stopped")
    _fitting_contact(personas.workspace)
    campaign = make_campaign(workspace=personas.workspace)
    response = _activate(personas, campaign)
    assert campaign.status == Campaign.Status.DRAFT
    assert "Ask an admin to connect a mailbox" in response.text
    detail = personas.client_for(personas.manager).get(reverse("campaigns:campaign_detail", args=[campaign.pk]))
    assert "Ask an admin to connect a mailbox" in detail.text  # "Before this campaign can start"


def test_a_campaign_whose_only_mailbox_is_paused_cannot_start(boxes):
    campaign = make_campaign(workspace=boxes.workspace)
    campaign.mailboxes.set([boxes.paused])
    _activate(boxes, campaign)
    assert campaign.status == Campaign.Status.DRAFT


def test_with_an_active_mailbox_the_campaign_starts(boxes):
    campaign = make_campaign(workspace=boxes.workspace)
    campaign.mailboxes.set([boxes.first])
    assert campaign_missing_pieces(campaign) == []
    _activate(boxes, campaign)
    assert campaign.status == Campaign.Status.ACTIVE
