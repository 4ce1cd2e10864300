"""A campaign's audience: its ICP's criteria and lists select contacts; eligibility leaves out whom the
campaign may not enrol now; counts say why everyone else is outside."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from campaigns import hooks, icp_match
from campaigns.audience import campaign_audience
from campaigns.models import (
    Account,
    CampaignAudienceList,
    CampaignLeadChoice,
    Contact,
    ContactBlock,
    ContactList,
    ContactListMember,
    Enrolment,
)
from campaigns.tests.factories import make_account, make_campaign, make_contact, make_icp_version, make_signal

pytestmark = pytest.mark.django_db


def _icp(workspace, **content):
    defaults = {
        "industries": ["Logistics"],
        "employee_min": 50,
        "employee_max": 2000,
        "countries": ["DE"],
        "persona_titles": ["VP Operations"],
        "persona_seniorities": [],
        "persona_departments": [],
        "excluded_domains": [],
        "excluded_industries": [],
    }
    return make_icp_version(workspace=workspace, **{**defaults, **content})


def _fitting_contact(workspace, account=None, **fields):
    account = account or make_account(workspace=workspace, industry="Logistics", employee_count=300, country="DE")
    return make_contact(workspace=workspace, account=account, **{"title": "VP Operations", **fields})


def _campaign(workspace, **content):
    return make_campaign(workspace=workspace, icp_version=_icp(workspace, **content))


def _static_list(workspace, contacts, name="Imported"):
    contact_list = ContactList.objects.create(workspace=workspace, name=name, kind=ContactList.Kind.STATIC)
    for contact in contacts:
        ContactListMember.objects.create(workspace=workspace, contact_list=contact_list, contact=contact)
    return contact_list


def _attach(campaign, contact_list, mode):
    CampaignAudienceList.objects.create(
        workspace=campaign.workspace, campaign=campaign, contact_list=contact_list, mode=mode
    )


def _member_ids(audience):
    return {member.contact_id for member in audience.members}


def test_the_audience_is_the_contacts_the_icp_matches(personas):
    workspace = personas.workspace
    campaign = _campaign(workspace)
    fits = _fitting_contact(workspace)
    software = make_account(workspace=workspace, industry="Software", employee_count=45, country="DE")
    make_contact(workspace=workspace, account=software, title="VP Operations")

    audience = campaign_audience(campaign)

    assert _member_ids(audience) == {fits.pk}
    member = audience.members[0]
    assert (member.account_id, member.industry, member.size_band, member.persona) == (
        fits.account_id,
        "logistics",
        "200-999",
        "vp operations",
    )
    assert member.fit == 100
    assert member.via_list is False
    assert audience.counts.contacts == audience.counts.eligible == 1
    assert audience.counts.accounts == 1
    assert audience.counts.excluded_by_icp == {icp_match.INDUSTRY: 1}
    assert audience.counts.workspace_contacts == 2


def test_another_workspaces_contacts_are_never_in_the_audience(personas):
    campaign = _campaign(personas.workspace)
    _fitting_contact(personas.outsider.workspace)

    audience = campaign_audience(campaign)

    assert audience.members == [] and audience.counts.workspace_contacts == 0


def test_each_outsider_is_counted_under_the_first_criterion_it_misses_with_named_examples(personas):
    workspace = personas.workspace
    campaign = _campaign(workspace, excluded_domains=["rival.example"], excluded_industries=["Gambling"])
    cases = {
        icp_match.EXCLUDED_DOMAIN: {
            "domain": "rival.example",
            "industry": "Logistics",
            "employee_count": 300,
            "country": "DE",
        },
        icp_match.EXCLUDED_INDUSTRY: {"industry": "Gambling", "employee_count": 300, "country": "DE"},
        icp_match.INDUSTRY: {"industry": "Software", "employee_count": 10, "country": "FR"},
        icp_match.SIZE: {"industry": "Logistics", "employee_count": 10, "country": "FR"},
        icp_match.COUNTRY: {"industry": "Logistics", "employee_count": 300, "country": "FR"},
    }
    for fields in cases.values():
        make_contact(workspace=workspace, account=make_account(workspace=workspace, **fields), title="VP Operations")
    office = _fitting_contact(workspace, title="Office Manager", first_name="Olga", last_name="Office")

    counts = campaign_audience(campaign).counts

    assert counts.excluded_by_icp == dict.fromkeys([*cases, icp_match.PERSONA], 1)
    assert counts.contacts == 0
    [example] = counts.examples[icp_match.PERSONA]
    assert (example.contact_id, example.name, example.detail) == (office.pk, "Olga Office", "Office Manager")
    assert counts.examples[icp_match.SIZE][0].detail == "10 employees"


def test_missing_data_lowers_fit_but_never_excludes(personas):
    workspace = personas.workspace
    campaign = _campaign(workspace)
    bare = make_account(workspace=workspace, industry="", employee_count=None, country="")
    contact = make_contact(workspace=workspace, account=bare, title="")

    audience = campaign_audience(campaign)

    assert _member_ids(audience) == {contact.pk}
    assert audience.members[0].fit == 50
    assert audience.members[0].size_band == "unknown"
    assert audience.members[0].industry == audience.members[0].persona == "other"


@pytest.mark.parametrize(
    "make_ineligible, count",
    [
        (lambda campaign, contact: Contact.objects.filter(pk=contact.pk).update(status="unsubscribed"), "suppressed"),
        (lambda campaign, contact: Contact.objects.filter(pk=contact.pk).update(status="bounced"), "suppressed"),
        (
            lambda campaign, contact: ContactBlock.objects.create(
                workspace=campaign.workspace, contact=contact, reason="off_target"
            ),
            "blocked",
        ),
        (
            lambda campaign, contact: CampaignLeadChoice.objects.create(
                workspace=campaign.workspace, campaign=campaign, contact=contact, choice="exclude"
            ),
            "excluded_by_manager",
        ),
        (
            lambda campaign, contact: Enrolment.objects.create(
                workspace=campaign.workspace, campaign=campaign, contact=contact, account=contact.account
            ),
            "in_this_campaign",
        ),
        (
            lambda campaign, contact: Enrolment.objects.create(
                workspace=campaign.workspace,
                campaign=make_campaign(workspace=campaign.workspace),
                contact=contact,
                account=contact.account,
            ),
            "in_other_sequence",
        ),
        (lambda campaign, contact: Contact.objects.filter(pk=contact.pk).update(status="replied"), "already_engaged"),
    ],
)
def test_a_contact_of_the_audience_who_may_not_be_enrolled_now_is_counted_by_why(personas, make_ineligible, count):
    campaign = _campaign(personas.workspace)
    contact = _fitting_contact(personas.workspace)
    make_ineligible(campaign, contact)

    audience = campaign_audience(campaign)

    assert audience.members == []
    assert audience.counts.contacts == 1 and audience.counts.eligible == 0
    assert getattr(audience.counts, count) == 1
    assert audience.counts.examples[count][0].contact_id == contact.pk


def test_a_lifted_block_an_ended_enrolment_and_a_pin_keep_the_contact_eligible(personas):
    workspace = personas.workspace
    campaign = _campaign(workspace)
    contact = _fitting_contact(workspace)
    ContactBlock.objects.create(workspace=workspace, contact=contact, reason="off_target", lifted_at=timezone.now())
    Enrolment.objects.create(
        workspace=workspace,
        campaign=make_campaign(workspace=workspace),
        contact=contact,
        account=contact.account,
        status="ended",
        ended_at=timezone.now(),
    )
    CampaignLeadChoice.objects.create(workspace=workspace, campaign=campaign, contact=contact, choice="pin")

    assert _member_ids(campaign_audience(campaign)) == {contact.pk}


def test_a_campaign_that_allows_overlap_may_enrol_contacts_in_another_sequence(personas):
    workspace = personas.workspace
    campaign = _campaign(workspace)
    campaign.allow_sequence_overlap = True
    contact = _fitting_contact(workspace, status="in_sequence")
    Enrolment.objects.create(
        workspace=workspace, campaign=make_campaign(workspace=workspace), contact=contact, account=contact.account
    )

    assert _member_ids(campaign_audience(campaign)) == {contact.pk}


def test_a_narrowing_list_restricts_the_audience_to_its_members(personas):
    workspace = personas.workspace
    campaign = _campaign(workspace)
    listed, unlisted = _fitting_contact(workspace), _fitting_contact(workspace)
    outside_icp = make_contact(workspace=workspace, account=make_account(workspace=workspace, industry="Software"))
    _attach(campaign, _static_list(workspace, [listed, outside_icp]), CampaignAudienceList.Mode.NARROW)

    audience = campaign_audience(campaign)

    assert _member_ids(audience) == {listed.pk}
    assert audience.members[0].via_list is True
    assert audience.counts.outside_lists == 1
    assert audience.counts.examples["outside_lists"][0].contact_id == unlisted.pk


def test_an_extending_list_adds_its_members_outside_the_icp_but_not_at_excluded_domains(personas):
    workspace = personas.workspace
    campaign = _campaign(workspace, excluded_domains=["rival.example"], excluded_industries=["Gambling"])
    software = make_contact(
        workspace=workspace, account=make_account(workspace=workspace, industry="Software", employee_count=45)
    )
    rival = make_contact(
        workspace=workspace, account=make_account(workspace=workspace, domain="rival.example", industry="Logistics")
    )
    casino = make_contact(workspace=workspace, account=make_account(workspace=workspace, industry="Gambling"))
    _attach(campaign, _static_list(workspace, [software, rival, casino]), CampaignAudienceList.Mode.EXTEND)
    fits = _fitting_contact(workspace)

    audience = campaign_audience(campaign)

    assert _member_ids(audience) == {software.pk, fits.pk}
    by_id = {member.contact_id: member for member in audience.members}
    assert by_id[software.pk].via_list is True and by_id[software.pk].fit < 100
    assert by_id[fits.pk].via_list is False
    assert audience.counts.excluded_by_icp == {icp_match.EXCLUDED_DOMAIN: 1, icp_match.EXCLUDED_INDUSTRY: 1}


def test_a_dynamic_list_narrows_by_its_saved_filter(personas):
    workspace = personas.workspace
    campaign = _campaign(workspace)
    hiring = _fitting_contact(workspace)
    make_signal(workspace=workspace, account=hiring.account, kind="hiring")
    _fitting_contact(workspace)
    dynamic = ContactList.objects.create(
        workspace=workspace,
        name="Hiring now",
        kind=ContactList.Kind.DYNAMIC,
        filter={"signal_kind": "hiring", "signal_days": 30},
    )
    _attach(campaign, dynamic, CampaignAudienceList.Mode.NARROW)

    assert _member_ids(campaign_audience(campaign)) == {hiring.pk}


def test_without_an_icp_only_an_extending_list_selects_anyone(personas):
    workspace = personas.workspace
    campaign = make_campaign(workspace=workspace, complete=False)
    listed = make_contact(workspace=workspace)
    make_contact(workspace=workspace)

    assert campaign_audience(campaign).members == []
    _attach(campaign, _static_list(workspace, [listed]), CampaignAudienceList.Mode.EXTEND)
    audience = campaign_audience(campaign)
    assert _member_ids(audience) == {listed.pk} and audience.has_icp is False


def test_an_icp_that_matches_nothing_says_how_many_miss_and_why(personas):
    workspace = personas.workspace
    campaign = _campaign(workspace, industries=["Travel"])
    for _ in range(3):
        make_contact(workspace=workspace, account=make_account(workspace=workspace, industry="Software"))

    audience = campaign_audience(campaign)

    assert audience.members == []
    assert audience.counts.contacts == 0
    assert audience.counts.excluded_by_icp == {icp_match.INDUSTRY: 3}
    assert audience.counts.workspace_contacts == 3


def _bulk_audience(workspace, start: int, accounts: int, per_account: int = 2):
    rows = Account.objects.bulk_create(
        Account(
            workspace=workspace,
            name=f"Bulk {number}",
            domain=f"bulk{number}.example",
            industry=["Logistics", "Software"][number % 2],
            employee_count=60 + number,
            country="DE",
        )
        for number in range(start, start + accounts)
    )
    Contact.objects.bulk_create(
        Contact(
            workspace=workspace,
            account=account,
            email=f"p{position}@{account.domain}",
            title=["VP Operations", "Office Manager"][position % 2],
        )
        for account in rows
        for position in range(per_account)
    )


def test_the_audience_is_read_in_the_same_number_of_queries_whatever_its_size(personas):
    workspace = personas.workspace
    campaign = _campaign(workspace)
    _attach(campaign, _static_list(workspace, []), CampaignAudienceList.Mode.EXTEND)
    _bulk_audience(workspace, 0, 10)
    with CaptureQueriesContext(connection) as small:
        first = campaign_audience(campaign)
    _bulk_audience(workspace, 10, 100)
    with CaptureQueriesContext(connection) as large:
        second = campaign_audience(campaign)

    assert second.counts.eligible > first.counts.eligible > 0
    assert len(large.captured_queries) == len(small.captured_queries)


@pytest.mark.parametrize("entry", ["address", "domain"])
def test_whom_the_suppression_list_covers_is_counted_as_suppressed(personas, monkeypatch, entry):
    campaign = _campaign(personas.workspace)
    contact = _fitting_contact(personas.workspace)
    covered = ({contact.email}, set()) if entry == "address" else (set(), {contact.email.split("@")[1]})
    # The list lives in a layer above; it hands its reader over through the hook (agents/apps.py).
    monkeypatch.setattr(hooks, "suppression_readers", [lambda workspace_id: covered])

    audience = campaign_audience(campaign)

    assert audience.members == [] and audience.counts.suppressed == 1
