"""Contact lists and the audience pages: managers make static and dynamic lists, fill static ones from the
accounts page or a contacts import, attach lists to a campaign, and read the campaign's audience. A list
never holds another workspace's contacts."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from campaigns import lists
from campaigns.models import CampaignAudienceList, ContactList, ContactListMember, ImportJob
from campaigns.tests.factories import make_account, make_campaign, make_contact, make_signal
from salesops.models import AuditEvent

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def _static(workspace, name="Picked", contacts=()):
    contact_list = ContactList.objects.create(workspace=workspace, name=name, kind="static")
    for contact in contacts:
        ContactListMember.objects.create(workspace=workspace, contact_list=contact_list, contact=contact)
    return contact_list


# Services ---------------------------------------------------------------------------------------


def test_a_list_refuses_another_workspaces_contacts_and_adds_nothing(personas):
    contact_list = _static(personas.workspace)
    ours = make_contact(workspace=personas.workspace)
    theirs = make_contact(workspace=personas.outsider.workspace)

    with pytest.raises(ValidationError, match=f"No contact of this workspace has the id {theirs.pk}"):
        lists.contact_list_add_contacts(
            actor=personas.manager, contact_list=contact_list, contact_ids=[ours.pk, theirs.pk]
        )

    assert not ContactListMember.objects.filter(contact_list=contact_list).exists()


def test_another_workspaces_list_is_refused_too(personas):
    their_list = _static(personas.outsider.workspace)
    ours = make_contact(workspace=personas.workspace)

    with pytest.raises(ValidationError, match="another workspace"):
        lists.contact_list_add_contacts(actor=personas.manager, contact_list=their_list, contact_ids=[ours.pk])


def test_adding_the_same_contacts_twice_adds_them_once_and_is_audited(personas):
    contact_list = _static(personas.workspace)
    contacts = [make_contact(workspace=personas.workspace) for _ in range(3)]

    first = lists.contact_list_add_contacts(
        actor=personas.manager, contact_list=contact_list, contact_ids=[c.pk for c in contacts]
    )
    second = lists.contact_list_add_contacts(
        actor=personas.manager, contact_list=contact_list, contact_ids=[str(c.pk) for c in contacts]
    )

    assert (first, second) == (3, 0)
    assert contact_list.members.count() == 3
    assert AuditEvent.objects.filter(verb="contact_list.contacts_added", workspace=personas.workspace).count() == 2


def test_a_rep_cannot_change_lists(personas):
    with pytest.raises(PermissionDenied):
        lists.contact_list_create(actor=personas.rep, name="Mine", kind="static")


def test_a_dynamic_list_holds_no_members_of_its_own(personas):
    dynamic = lists.contact_list_create(
        actor=personas.manager, name="Big", kind="dynamic", filter={"employees_min": 500}
    )
    with pytest.raises(ValidationError, match="static lists only"):
        lists.contact_list_add_contacts(
            actor=personas.manager, contact_list=dynamic, contact_ids=[make_contact(workspace=personas.workspace).pk]
        )


@pytest.mark.parametrize(
    "bad_filter, message",
    [
        ({"employees_min": 500, "employees_max": 100}, "at least the lowest"),
        ({"signal_kind": "hiring"}, "within how many days"),
        ({"signal_days": 30}, "kind of signal"),
        ({"signal_kind": "rumour", "signal_days": 3}, "Unknown signal kind"),
        ({"countries": ["Germany"]}, "two-letter"),
        ({"colour": "red"}, "Unknown filter fields"),
    ],
)
def test_a_dynamic_lists_filter_is_validated(personas, bad_filter, message):
    with pytest.raises(ValidationError, match=message):
        lists.contact_list_create(actor=personas.manager, name="Bad", kind="dynamic", filter=bad_filter)


def test_a_dynamic_list_selects_by_every_condition_of_its_filter_in_one_query(personas, django_assert_num_queries):
    workspace = personas.workspace
    big_de = make_account(workspace=workspace, industry="Freight Logistics", employee_count=800, country="DE", tier="A")
    small_de = make_account(
        workspace=workspace, industry="Freight Logistics", employee_count=20, country="DE", tier="A"
    )
    hit = make_contact(workspace=workspace, account=big_de, title="Head of Operations")
    make_contact(workspace=workspace, account=big_de, title="Office Manager")
    make_contact(workspace=workspace, account=small_de, title="Head of Operations")
    make_signal(workspace=workspace, account=big_de, kind="hiring")
    make_signal(workspace=workspace, account=small_de, kind="hiring")
    spec = {
        "industry_contains": "logistics",
        "countries": ["DE"],
        "tiers": ["A"],
        "employees_min": 100,
        "employees_max": 1000,
        "title_contains": "operations",
        "signal_kind": "hiring",
        "signal_days": 30,
    }
    with django_assert_num_queries(1):
        found = list(lists.filter_contacts(workspace_id=workspace.pk, filter=spec).values_list("pk", flat=True))
    assert found == [hit.pk]


# Pages ------------------------------------------------------------------------------------------


def test_a_manager_creates_a_dynamic_list_and_sees_who_it_selects(personas):
    account = make_account(workspace=personas.workspace, employee_count=900)
    make_contact(workspace=personas.workspace, account=account, first_name="Dana", last_name="Big")
    make_contact(workspace=personas.workspace, first_name="Sam", last_name="Small")
    client = personas.client_for(personas.manager)

    response = client.post(
        reverse("campaigns:list_create"), {"name": "Large accounts", "kind": "dynamic", "employees_min": "500"}
    )

    contact_list = ContactList.objects.get(workspace=personas.workspace, name="Large accounts")
    assert response.status_code == 302 and contact_list.filter["employees_min"] == 500
    page = client.get(reverse("campaigns:list_detail", args=[contact_list.pk]))
    assert "Dana Big" in page.text and "Sam Small" not in page.text
    assert "at least 500 employees" in page.text


def test_the_list_form_says_what_is_wrong_with_a_filter(personas):
    client = personas.client_for(personas.manager)
    response = client.post(
        reverse("campaigns:list_create"), {"name": "Hiring", "kind": "dynamic", "signal_kind": "hiring"}
    )
    assert response.status_code == 400
    assert "Say within how many days the signal happened." in response.text
    assert not ContactList.objects.filter(name="Hiring").exists()


def test_a_lists_members_are_shown_50_a_page_and_one_can_be_removed(personas, django_assert_max_num_queries):
    account = make_account(workspace=personas.workspace)
    contacts = [make_contact(workspace=personas.workspace, account=account) for _ in range(55)]
    contact_list = _static(personas.workspace, contacts=contacts)
    client = personas.client_for(personas.manager)
    url = reverse("campaigns:list_detail", args=[contact_list.pk])

    with django_assert_max_num_queries(8):
        first = client.get(url)
    second = client.get(url, {"page": 2})
    removed = client.post(
        reverse("campaigns:list_member_remove", args=[contact_list.pk, contacts[0].pk]), {"page": "2"}
    )

    assert "Page 1 of 2 · 55 contacts" in first.text
    assert "Page 2 of 2" in second.text
    assert removed.status_code == 302 and removed["Location"].endswith("?page=2")
    assert contact_list.members.count() == 54


def test_another_workspaces_list_answers_404_and_a_rep_403(personas):
    their_list = _static(personas.outsider.workspace)
    ours = _static(personas.workspace)
    manager = personas.client_for(personas.manager)
    assert manager.get(reverse("campaigns:list_detail", args=[their_list.pk])).status_code == 404
    assert manager.post(reverse("campaigns:list_member_remove", args=[their_list.pk, 1])).status_code == 404
    assert personas.client_for(personas.rep).get(reverse("campaigns:list_detail", args=[ours.pk])).status_code == 403


def test_a_manager_adds_the_ticked_accounts_contacts_to_a_new_list(personas):
    first, second, untouched = (make_account(workspace=personas.workspace) for _ in range(3))
    picked = [make_contact(workspace=personas.workspace, account=account) for account in (first, first, second)]
    make_contact(workspace=personas.workspace, account=untouched)
    client = personas.client_for(personas.manager)

    page = client.get(reverse("campaigns:account_list"))
    response = client.post(
        reverse("campaigns:list_add_accounts"),
        {"account_ids": [first.pk, second.pk], "new_list_name": "Trade fair leads"},
        follow=True,
    )

    assert "Add their contacts to list…" in page.text
    contact_list = ContactList.objects.get(workspace=personas.workspace, name="Trade fair leads")
    assert set(contact_list.members.values_list("contact_id", flat=True)) == {c.pk for c in picked}
    assert "3 contacts added to Trade fair leads." in response.text


def test_an_unknown_or_foreign_account_id_is_a_clear_error_not_dropped(personas):
    ours = make_account(workspace=personas.workspace)
    make_contact(workspace=personas.workspace, account=ours)
    theirs = make_account(workspace=personas.outsider.workspace)
    contact_list = _static(personas.workspace)
    client = personas.client_for(personas.manager)

    response = client.post(
        reverse("campaigns:list_add_accounts"),
        {"account_ids": [ours.pk, theirs.pk], "list_id": contact_list.pk},
        follow=True,
    )

    assert f"No account of this workspace has the id {theirs.pk}; nothing was added." in response.text
    assert contact_list.members.count() == 0


def test_reps_see_no_list_controls_on_the_accounts_page(personas):
    make_account(workspace=personas.workspace)
    page = personas.client_for(personas.rep).get(reverse("campaigns:account_list"))
    assert "Add their contacts to list" not in page.text
    assert personas.client_for(personas.rep).post(reverse("campaigns:list_add_accounts")).status_code == 403


def test_a_contacts_import_adds_every_contact_of_the_file_to_a_new_list(personas, django_capture_on_commit_callbacks):
    make_account(workspace=personas.workspace, domain="globex.example")
    existing = make_contact(workspace=personas.workspace, email="old@globex.example")
    client = personas.client_for(personas.manager)
    content = b"Email,Company Domain Name,First Name\nnew@globex.example,globex.example,Nia\nold@globex.example,,\n"
    client.post(
        reverse("campaigns:import_new"),
        {"kind": "contacts", "file": SimpleUploadedFile("fair.csv", content, "text/csv")},
    )
    job = ImportJob.objects.latest("id")
    mapping_page = client.get(reverse("campaigns:import_mapping", args=[job.pk]))

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("campaigns:import_mapping", args=[job.pk]), {**job.mapping, "new_list_name": "Fair 2025"}
        )

    assert "Add the imported contacts to a list" in mapping_page.text
    assert response.status_code == 302
    job.refresh_from_db()
    assert job.status == "done" and job.contact_list.name == "Fair 2025"
    emails = set(job.contact_list.members.values_list("contact__email", flat=True))
    assert emails == {"new@globex.example", existing.email}


def test_an_import_cannot_add_to_another_workspaces_list(personas):
    their_list = _static(personas.outsider.workspace)
    client = personas.client_for(personas.manager)
    client.post(
        reverse("campaigns:import_new"),
        {"kind": "contacts", "file": SimpleUploadedFile("a.csv", b"Email,Domain\na@b.example,b.example\n")},
    )
    job = ImportJob.objects.latest("id")

    response = client.post(
        reverse("campaigns:import_mapping", args=[job.pk]), {**job.mapping, "add_to_list": their_list.pk}
    )

    assert response.status_code == 400 and "static lists" in response.text
    job.refresh_from_db()
    assert job.status == "uploaded" and job.contact_list is None


def test_the_campaign_form_attaches_lists_to_narrow_and_extend_the_audience(personas):
    from campaigns.tests.test_strategy import _campaign_post

    narrow, extend = _static(personas.workspace, "Fair"), _static(personas.workspace, "Partners")
    client = personas.client_for(personas.manager)

    response = client.post(
        reverse("campaigns:campaign_create"), {**_campaign_post(personas), "narrow": [narrow.pk], "extend": [extend.pk]}
    )

    assert response.status_code == 302, response.text[:3000]
    rows = set(CampaignAudienceList.objects.values_list("contact_list__name", "mode"))
    assert rows == {("Fair", "narrow"), ("Partners", "extend")}
    both = client.post(
        reverse("campaigns:campaign_create"),
        {**_campaign_post(personas, name="Other"), "narrow": [narrow.pk], "extend": [narrow.pk]},
    )
    assert both.status_code == 400 and "not both: Fair" in both.text


def test_the_campaign_page_loads_its_audience_with_counts_and_named_examples(personas):
    campaign = make_campaign(workspace=personas.workspace)
    account = make_account(workspace=personas.workspace, industry="Software", employee_count=300, country="DE")
    make_contact(workspace=personas.workspace, account=account, title="VP Sales")
    travel = make_account(workspace=personas.workspace, name="Fjord Tours", industry="Leisure, Travel & Tourism")
    make_contact(workspace=personas.workspace, account=travel, first_name="Ola", last_name="<b>Nor</b>")
    client = personas.client_for(personas.manager)

    page = client.get(reverse("campaigns:campaign_detail", args=[campaign.pk]))
    fragment = client.get(reverse("campaigns:campaign_audience", args=[campaign.pk]), headers={"HX-Request": "true"})

    assert reverse("campaigns:campaign_audience", args=[campaign.pk]) in page.text
    assert "<html" not in fragment.text
    assert "<dt>Eligible now</dt><dd><strong>1</strong></dd>" in fragment.text
    assert "1 outside the ICP&#x27;s industries" in fragment.text or "1 outside the ICP's industries" in fragment.text
    assert "Ola &lt;b&gt;Nor&lt;/b&gt; (Fjord Tours: Leisure, Travel &amp; Tourism)" in fragment.text


def test_the_campaign_page_says_plainly_when_the_icp_matches_nobody(personas):
    campaign = make_campaign(workspace=personas.workspace)
    for _ in range(3):
        make_contact(
            workspace=personas.workspace, account=make_account(workspace=personas.workspace, industry="Travel")
        )
    fragment = personas.client_for(personas.manager).get(reverse("campaigns:campaign_audience", args=[campaign.pk]))
    assert "No contact matches this ICP: 0 of 3 contacts</strong> — 3 outside the ICP" in fragment.text


def test_the_audience_part_uses_the_same_queries_whatever_the_audience_size(personas, django_assert_num_queries):
    campaign = make_campaign(workspace=personas.workspace)
    client = personas.client_for(personas.manager)
    url = reverse("campaigns:campaign_audience", args=[campaign.pk])

    def grow(count):
        for _ in range(count):
            account = make_account(workspace=personas.workspace, employee_count=300, country="DE")
            make_contact(workspace=personas.workspace, account=account, title="VP Sales")
            make_contact(workspace=personas.workspace, account=account, title="Intern")

    grow(2)
    client.get(url)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as small:
        client.get(url)
    grow(20)
    with django_assert_num_queries(len(small.captured_queries)):
        client.get(url)


def test_another_workspaces_campaign_audience_answers_404(personas):
    campaign = make_campaign(workspace=personas.outsider.workspace)
    response = personas.client_for(personas.manager).get(reverse("campaigns:campaign_audience", args=[campaign.pk]))
    assert response.status_code == 404
