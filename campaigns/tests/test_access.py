"""The campaigns app's URLs check sign-in, workspace and role (see salesops.tests.access_matrix)."""

import pytest

from salesops.models import Role
from salesops.tests.access_matrix import Rule, access_tests

URL_RULES = {
    "campaigns:campaign_list": Rule(Role.MANAGER),
    "campaigns:campaign_create": Rule(Role.MANAGER),
    "campaigns:campaign_detail": Rule(Role.MANAGER, kwargs=lambda rows: {"campaign_id": rows.campaign.pk}),
    "campaigns:campaign_edit": Rule(Role.MANAGER, kwargs=lambda rows: {"campaign_id": rows.campaign.pk}),
    "campaigns:campaign_status": Rule(
        Role.MANAGER, "post", kwargs=lambda rows: {"campaign_id": rows.campaign.pk}, data=lambda rows: {"status": "x"}
    ),
    "campaigns:icp_list": Rule(Role.MANAGER),
    "campaigns:icp_create": Rule(Role.MANAGER),
    "campaigns:icp_detail": Rule(Role.MANAGER, kwargs=lambda rows: {"icp_id": rows.campaign.icp_version.icp_id}),
    "campaigns:icp_edit": Rule(Role.MANAGER, kwargs=lambda rows: {"icp_id": rows.campaign.icp_version.icp_id}),
    "campaigns:offer_list": Rule(Role.MANAGER),
    "campaigns:offer_create": Rule(Role.MANAGER),
    "campaigns:offer_edit": Rule(Role.MANAGER, kwargs=lambda rows: {"offer_id": rows.campaign.offer_id}),
    "campaigns:policy_list": Rule(Role.MANAGER),
    "campaigns:policy_create": Rule(Role.MANAGER),
    "campaigns:policy_edit": Rule(Role.MANAGER, kwargs=lambda rows: {"policy_id": rows.campaign.policy_id}),
    "campaigns:proof_list": Rule(Role.MANAGER),
    "campaigns:proof_create": Rule(Role.MANAGER),
    "campaigns:proof_edit": Rule(Role.MANAGER, kwargs=lambda rows: {"proof_id": rows.proof_point.pk}),
    "campaigns:account_list": Rule(Role.REP),
    "campaigns:account_detail": Rule(Role.REP, kwargs=lambda rows: {"account_id": rows.account.pk}),
    "campaigns:import_list": Rule(Role.MANAGER),
    "campaigns:import_new": Rule(Role.MANAGER),
    "campaigns:import_detail": Rule(Role.MANAGER, kwargs=lambda rows: {"job_id": rows.import_job.pk}),
    "campaigns:import_mapping": Rule(Role.MANAGER, kwargs=lambda rows: {"job_id": rows.import_job.pk}),
    "campaigns:import_errors_csv": Rule(Role.MANAGER, kwargs=lambda rows: {"job_id": rows.import_job.pk}),
    "campaigns:contacts_export": Rule(Role.MANAGER),
    "campaigns:campaign_audience": Rule(Role.MANAGER, kwargs=lambda rows: {"campaign_id": rows.campaign.pk}),
    "campaigns:list_index": Rule(Role.MANAGER),
    "campaigns:list_create": Rule(Role.MANAGER),
    "campaigns:list_add_accounts": Rule(Role.MANAGER, "post"),
    "campaigns:list_detail": Rule(Role.MANAGER, kwargs=lambda rows: {"list_id": rows.contact_list.pk}),
    "campaigns:list_filter_edit": Rule(Role.MANAGER, kwargs=lambda rows: {"list_id": rows.dynamic_list.pk}),
    "campaigns:list_member_remove": Rule(
        Role.MANAGER,
        "post",
        kwargs=lambda rows: {"list_id": rows.contact_list.pk, "contact_id": rows.contact.pk},
    ),
}
PUBLIC_URLS: dict[str, str] = {}


@pytest.fixture
def access_rows(personas):
    from campaigns.models import ContactList, ContactListMember, ImportJob, ProofPoint
    from campaigns.tests.factories import make_account, make_campaign, make_contact

    personas.campaign = make_campaign(workspace=personas.workspace)
    personas.proof_point = ProofPoint.objects.get(workspace=personas.workspace)
    personas.account = make_account(workspace=personas.workspace)
    personas.import_job = ImportJob.objects.create(
        workspace=personas.workspace, kind="contacts", file="imports/access.csv", original_name="access.csv"
    )
    personas.contact = make_contact(workspace=personas.workspace, account=personas.account)
    personas.contact_list = ContactList.objects.create(workspace=personas.workspace, name="Fair", kind="static")
    ContactListMember.objects.create(
        workspace=personas.workspace, contact_list=personas.contact_list, contact=personas.contact
    )
    personas.dynamic_list = ContactList.objects.create(
        workspace=personas.workspace, name="Big", kind="dynamic", filter={"employees_min": 500}
    )
    return personas


globals().update(access_tests(URL_RULES))
