"""Managers describe who to sell to and what may be said; every change is versioned or audited."""

import pytest
from django.urls import reverse

from campaigns.models import ICP, Campaign, Contact, ICPVersion, Offer, Policy, ProofPoint
from campaigns.services import campaign_missing_pieces
from campaigns.tests.factories import (
    make_account,
    make_campaign,
    make_contact,
    make_icp_version,
    make_offer,
    make_proof_point,
)
from salesops.models import AuditEvent

pytestmark = pytest.mark.django_db

ICP_POST = {
    "name": "Mid-market SaaS",
    "description": "B2B software teams that sell to other businesses",
    "industries": "Software\nFintech",
    "employee_min": "50",
    "employee_max": "1000",
    "countries": "de\nUS",
    "persona_titles": "VP Sales\nHead of Revenue",
    "persona_seniorities": "VP",
    "persona_departments": "Sales",
    "excluded_domains": "rival.com, https://",
    "excluded_industries": "Gambling",
    "disqualifiers": "Fewer than 3 sales reps",
    "notes": "",
    "weight_funding": "8",
    "weight_hiring": "5",
}


def test_a_manager_builds_an_icp_and_each_save_is_a_new_immutable_version(personas):
    client = personas.client_for(personas.manager)
    response = client.post(reverse("campaigns:icp_create"), ICP_POST)
    icp = ICP.objects.get(workspace=personas.workspace, name="Mid-market SaaS")
    assert response["Location"] == reverse("campaigns:icp_detail", args=[icp.pk])
    first = icp.versions.get()
    assert first.countries == ["DE", "US"]
    assert first.signal_weights == {"funding": 8, "hiring": 5}
    assert "rival.com" in first.excluded_domains

    changed = {**ICP_POST, "industries": "Software\nHealthtech", "weight_hiring": "0", "weight_news": "2"}
    client.post(reverse("campaigns:icp_edit", args=[icp.pk]), changed)
    second = icp.versions.get(number=2)
    assert second.industries == ["Software", "Healthtech"]
    assert second.signal_weights == {"funding": 8, "news": 2}
    first.refresh_from_db()
    assert first.industries == ["Software", "Fintech"]  # the old version is untouched
    with pytest.raises(TypeError):
        first.save()

    page = client.get(reverse("campaigns:icp_detail", args=[icp.pk]))
    diff = {change.field: change for change in page.context["changes"]}
    assert diff["industries"].added == ["Healthtech"] and diff["industries"].removed == ["Fintech"]
    assert "hiring: 5" in diff["signal_weights"].removed
    assert "<ins>Healthtech</ins>" in page.text
    assert AuditEvent.objects.filter(workspace=personas.workspace, verb="icp.version_saved").exists()


def test_saving_an_unchanged_icp_makes_no_empty_version(personas):
    client = personas.client_for(personas.manager)
    client.post(reverse("campaigns:icp_create"), ICP_POST)
    icp = ICP.objects.get(name="Mid-market SaaS")
    response = client.post(reverse("campaigns:icp_edit", args=[icp.pk]), ICP_POST, follow=True)
    assert icp.versions.count() == 1
    assert "Nothing changed" in response.text


def test_a_campaign_keeps_the_icp_version_it_points_at(personas):
    campaign = make_campaign(workspace=personas.workspace)
    icp = campaign.icp_version.icp
    client = personas.client_for(personas.manager)
    client.post(reverse("campaigns:icp_edit", args=[icp.pk]), {**ICP_POST, "name": icp.name})
    campaign.refresh_from_db()
    assert campaign.icp_version.number == 1
    assert icp.versions.count() == 2


def test_icp_form_errors_are_shown_not_saved(personas):
    client = personas.client_for(personas.manager)
    bad = {**ICP_POST, "countries": "Germany", "employee_min": "500", "employee_max": "10"}
    response = client.post(reverse("campaigns:icp_create"), bad)
    assert response.status_code == 400
    assert "two-letter country codes" in response.text
    assert "at least the lower bound" in response.text
    assert not ICP.objects.exists()


def test_icp_names_are_unique_per_workspace_only(personas):
    make_icp_version(workspace=personas.outsider.workspace, name="Mid-market SaaS")
    client = personas.client_for(personas.manager)
    client.post(reverse("campaigns:icp_create"), ICP_POST)
    assert ICPVersion.objects.filter(workspace=personas.workspace).count() == 1
    again = client.post(reverse("campaigns:icp_create"), ICP_POST)
    assert again.status_code == 400
    assert "already exists" in again.text


def test_a_manager_writes_the_offer_policy_and_proof_library(personas):
    client = personas.client_for(personas.manager)
    client.post(
        reverse("campaigns:offer_create"),
        {
            "name": "Pipeline autopilot",
            "value_proposition": "Agents prospect; your reps close.",
            "call_to_action": "Open to a 20-minute call?",
            "tone": "plain",
            "languages": "en, de",
            "sender_name": "Sam",
            "signature": "Sam\nAE",
            "postal_address": "Hauptstr. 1, Berlin",
        },
    )
    offer = Offer.objects.get(workspace=personas.workspace)
    assert offer.languages == ["en", "de"]

    client.post(
        reverse("campaigns:policy_create"),
        {
            "name": "Default",
            "forbidden_phrases": "guarantee\nrisk-free",
            "forbidden_topics": "politics",
            "max_discount_percent": "0",
            "allowed_link_domains": "example.com",
            "escalation_rules": "legal or procurement\nmentions a competitor contract",
        },
    )
    policy = Policy.objects.get(workspace=personas.workspace)
    assert policy.pricing_allowed is False
    assert policy.escalation_rules == ["legal or procurement", "mentions a competitor contract"]

    client.post(
        reverse("campaigns:proof_create"),
        {
            "kind": "case_study",
            "title": "Acme doubled demos",
            "text": "Acme booked twice as many demos in 90 days.",
            "customer_name": "Acme",
            "source": "https://example.com/acme",
            "may_name_publicly": "on",
            "is_active": "on",
        },
    )
    proof = ProofPoint.objects.get(workspace=personas.workspace)
    assert proof.may_name_publicly
    verbs = set(AuditEvent.objects.filter(workspace=personas.workspace).values_list("verb", flat=True))
    assert {"offer.created", "policy.created", "proof_point.created"} <= verbs


def test_an_offer_needs_a_postal_address_and_a_unique_name(personas):
    make_offer(workspace=personas.workspace, name="Taken")
    client = personas.client_for(personas.manager)
    response = client.post(reverse("campaigns:offer_create"), {"name": "Taken", "value_proposition": "x"})
    assert response.status_code == 400
    assert "already exists" in response.text
    assert "postal_address" in response.context["form"].errors


def test_a_discount_above_100_percent_is_refused(personas):
    client = personas.client_for(personas.manager)
    response = client.post(reverse("campaigns:policy_create"), {"name": "P", "max_discount_percent": "150"})
    assert response.status_code == 400
    assert not Policy.objects.exists()


def test_editing_another_workspaces_offer_is_404(personas):
    foreign = make_offer(workspace=personas.outsider.workspace)
    client = personas.client_for(personas.manager)
    assert client.post(reverse("campaigns:offer_edit", args=[foreign.pk]), {"name": "mine"}).status_code == 404
    foreign.refresh_from_db()
    assert foreign.name != "mine"


def _campaign_post(personas, **overrides):
    version = make_icp_version(workspace=personas.workspace)
    offer = make_offer(workspace=personas.workspace)
    data = {
        "name": "Q1 demos",
        "icp_version": version.pk,
        "offer": offer.pk,
        "policy": "",
        "goal_target": "10",
        "goal_start": "2026-12-01",
        "goal_end": "2026-12-31",
        "autonomy": "review_low_confidence",
        "confidence_threshold": "0.85",
        "high_value_tiers": "Enterprise",
        "daily_new_lead_limit": "25",
        "max_contacts_per_account": "2",
        "colleague_spacing_days": "3",
        "send_days": ["0", "1", "2", "3", "4"],
        "send_start": "09:00",
        "send_end": "17:00",
        "stale_signal_days": "90",
        "steps-TOTAL_FORMS": "3",
        "steps-INITIAL_FORMS": "0",
        "steps-0-intent": "intro",
        "steps-0-delay_business_days": "0",
        "steps-1-intent": "follow_up",
        "steps-1-delay_business_days": "3",
        "steps-2-intent": "break_up",
        "steps-2-delay_business_days": "5",
    }
    return {**data, **overrides}


def test_a_manager_creates_a_campaign_with_a_goal_and_a_sequence(personas):
    client = personas.client_for(personas.manager)
    response = client.post(reverse("campaigns:campaign_create"), _campaign_post(personas))
    campaign = Campaign.objects.get(workspace=personas.workspace, name="Q1 demos")
    assert response["Location"] == reverse("campaigns:campaign_detail", args=[campaign.pk])
    assert campaign.status == Campaign.Status.DRAFT
    assert [(s.position, s.intent, s.delay_business_days) for s in campaign.steps.all()] == [
        (1, "intro", 0),
        (2, "follow_up", 3),
        (3, "break_up", 5),
    ]
    assert campaign.high_value_tiers == ["Enterprise"]
    assert campaign.send_day_names == ["Mon", "Tue", "Wed", "Thu", "Fri"]


def test_a_manager_sets_the_enrolment_rules_on_the_campaign_form_and_the_page_shows_them(personas):
    client = personas.client_for(personas.manager)
    client.post(
        reverse("campaigns:campaign_create"),
        _campaign_post(personas, max_contacts_per_account="1", colleague_spacing_days="7", allow_sequence_overlap="on"),
    )
    campaign = Campaign.objects.get(workspace=personas.workspace, name="Q1 demos")
    assert (campaign.max_contacts_per_account, campaign.colleague_spacing_days) == (1, 7)
    assert campaign.allow_sequence_overlap is True
    detail = client.get(reverse("campaigns:campaign_detail", args=[campaign.pk])).text
    assert "at most 1 person in sequence at once, colleagues started 7 days apart" in detail
    assert "may enrol people already in another campaign" in detail


def test_a_campaign_allows_at_least_one_person_per_account_in_sequence(personas):
    client = personas.client_for(personas.manager)
    response = client.post(reverse("campaigns:campaign_create"), _campaign_post(personas, max_contacts_per_account="0"))
    assert response.status_code == 400
    assert not Campaign.objects.filter(workspace=personas.workspace, name="Q1 demos").exists()


def test_a_campaign_cannot_start_while_it_lacks_a_piece_and_the_page_says_what(personas):
    client = personas.client_for(personas.manager)
    client.post(reverse("campaigns:campaign_create"), _campaign_post(personas))
    campaign = Campaign.objects.get(name="Q1 demos")
    detail = client.get(reverse("campaigns:campaign_detail", args=[campaign.pk]))
    assert "Choose a policy." in detail.text
    assert "Add at least one approved fact to the proof library." in detail.text

    response = client.post(reverse("campaigns:campaign_status", args=[campaign.pk]), {"status": "active"}, follow=True)
    campaign.refresh_from_db()
    assert campaign.status == Campaign.Status.DRAFT
    assert "cannot start yet" in response.text


def test_missing_pieces_name_everything_a_campaign_needs(personas):
    campaign = make_campaign(workspace=personas.workspace, complete=False, steps=0, send_days=[])
    assert campaign_missing_pieces(campaign) == [
        "Choose an ICP version.",
        "Choose an offer.",
        "Choose a policy.",
        "Set a goal: how many qualified meetings to book.",
        "Set the goal's period.",
        "Add at least one sequence step.",
        "Choose the days emails may be sent.",
        "Add at least one approved fact to the proof library.",
        "Ask an admin to connect a mailbox: the workspace has no active mailbox to send from.",
    ]


def _fitting_contact(workspace):
    """A contact the factory campaign's ICP selects: a VP Sales at a 300-person software company in DE."""
    account = make_account(workspace=workspace, industry="Software", employee_count=300, country="DE")
    return make_contact(workspace=workspace, account=account, title="VP Sales")


def test_status_changes_follow_the_lifecycle_and_are_audited(personas):
    campaign = make_campaign(workspace=personas.workspace, mailbox=True)
    _fitting_contact(personas.workspace)
    client = personas.client_for(personas.manager)
    url = reverse("campaigns:campaign_status", args=[campaign.pk])
    for status in ["active", "paused", "active", "completed"]:
        client.post(url, {"status": status})
        campaign.refresh_from_db()
        assert campaign.status == status
    response = client.post(url, {"status": "active"}, follow=True)
    campaign.refresh_from_db()
    assert campaign.status == "completed"
    assert "cannot become active" in response.text
    verbs = list(
        AuditEvent.objects.filter(workspace=personas.workspace, verb__startswith="campaign.")
        .order_by("sequence")
        .values_list("verb", flat=True)
    )
    assert verbs == ["campaign.activated", "campaign.paused", "campaign.resumed", "campaign.completed"]


def test_a_retired_fact_no_longer_counts_for_activation(personas):
    campaign = make_campaign(workspace=personas.workspace, mailbox=True)
    _fitting_contact(personas.workspace)
    ProofPoint.objects.filter(workspace=personas.workspace).update(is_active=False)
    assert "Add at least one approved fact to the proof library." in campaign_missing_pieces(campaign)
    make_proof_point(workspace=personas.workspace)
    assert campaign_missing_pieces(campaign) == []


def test_a_campaign_whose_icp_matches_nobody_cannot_start_and_says_so(personas):
    campaign = make_campaign(workspace=personas.workspace)
    make_contact(workspace=personas.workspace, account=make_account(workspace=personas.workspace, industry="Travel"))
    client = personas.client_for(personas.manager)

    response = client.post(reverse("campaigns:campaign_status", args=[campaign.pk]), {"status": "active"}, follow=True)

    campaign.refresh_from_db()
    assert campaign.status == "draft"
    assert "The audience is empty: no contact matches the ICP and the lists (0 of 1)" in response.text


def test_an_audience_whose_contacts_are_all_taken_cannot_start_either(personas):
    campaign = make_campaign(workspace=personas.workspace, mailbox=True)
    contact = _fitting_contact(personas.workspace)
    Contact.objects.filter(pk=contact.pk).update(status="unsubscribed")

    [piece] = campaign_missing_pieces(campaign)

    assert piece.startswith("The audience is empty: none of its 1 contacts may be enrolled now")


def test_a_campaign_form_rejects_an_inverted_send_window(personas):
    client = personas.client_for(personas.manager)
    response = client.post(
        reverse("campaigns:campaign_create"), _campaign_post(personas, send_start="18:00", send_end="08:00")
    )
    assert response.status_code == 400
    assert "must close after it opens" in response.text
