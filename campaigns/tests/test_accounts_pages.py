from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from campaigns.tests.factories import make_account, make_contact, make_signal

pytestmark = pytest.mark.django_db


def test_reps_search_accounts_within_their_workspace(personas):
    make_account(workspace=personas.workspace, name="Acme Robotics", domain="acme-robotics.example", tier="A")
    make_account(workspace=personas.workspace, name="Globex", domain="globex.example", tier="B")
    make_account(workspace=personas.outsider.workspace, name="Acme Rival", domain="acme-rival.example")
    client = personas.client_for(personas.rep)
    names = [a.name for a in client.get(reverse("campaigns:account_list"), {"q": "acme"}).context["page"]]
    assert names == ["Acme Robotics"]
    assert [a.name for a in client.get(reverse("campaigns:account_list"), {"tier": "B"}).context["page"]] == ["Globex"]
    fragment = client.get(reverse("campaigns:account_list"), {"q": "glob"}, headers={"HX-Request": "true"})
    assert "<html" not in fragment.text and "Globex" in fragment.text


def test_the_account_list_uses_a_constant_number_of_queries(personas, django_assert_num_queries):
    for _ in range(30):
        account = make_account(workspace=personas.workspace)
        make_contact(workspace=personas.workspace, account=account)
        make_signal(workspace=personas.workspace, account=account)
    client = personas.client_for(personas.rep)
    client.get(reverse("campaigns:account_list"))
    # session, user, membership + workspace, the tiers for the filter, count, the page of accounts with counts
    with django_assert_num_queries(6):
        client.get(reverse("campaigns:account_list"))
    with django_assert_num_queries(6):
        client.get(reverse("campaigns:account_list"), {"sort": "-latest_signal", "tier": "", "page": "1"})


def test_an_account_page_shows_contacts_and_a_signal_timeline_escaped(personas, django_assert_max_num_queries):
    account = make_account(workspace=personas.workspace, name="Initech")
    make_contact(workspace=personas.workspace, account=account, first_name="Peter", last_name="Gibbons")
    make_signal(workspace=personas.workspace, account=account, title="Support ticket", text="<script>alert(1)</script>")
    client = personas.client_for(personas.rep)
    with django_assert_max_num_queries(7):
        page = client.get(reverse("campaigns:account_detail", args=[account.pk]))
    assert "Peter Gibbons" in page.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page.text
    assert "<script>alert(1)" not in page.text


def test_another_workspaces_account_is_404(personas):
    foreign = make_account(workspace=personas.outsider.workspace)
    client = personas.client_for(personas.rep)
    assert client.get(reverse("campaigns:account_detail", args=[foreign.pk])).status_code == 404


def _sortable_accounts(workspace):
    """Five accounts whose every column differs, some with empty values."""
    now = timezone.now()
    rows = [
        ("Delta", "delta.example", "Retail", 900, "FR", "B", 1, 3),
        ("Alpha", "zulu.example", "Banking", 40, "DE", "A", 3, 1),
        ("Charlie", "charlie.example", "", None, "", "", 0, 0),
        ("Bravo", "bravo.example", "Software", 5000, "US", "C", 2, 2),
        ("Echo", "echo.example", "Logistics", 12, "GB", "A", 0, 4),
    ]
    accounts = []
    for index, (name, domain, industry, employees, country, tier, contacts, signals) in enumerate(rows):
        account = make_account(
            workspace=workspace,
            name=name,
            domain=domain,
            industry=industry,
            employee_count=employees,
            country=country,
            tier=tier,
        )
        for _ in range(contacts):
            make_contact(workspace=workspace, account=account)
        for number in range(signals):
            make_signal(workspace=workspace, account=account, occurred_at=now - timedelta(days=10 * index + number))
        accounts.append(account)
    return accounts


SORT_KEYS = {
    "name": lambda a: a.name,
    "domain": lambda a: a.domain,
    "industry": lambda a: a.industry,
    "employees": lambda a: a.employee_count,
    "country": lambda a: a.country,
    "tier": lambda a: a.tier,
    "contacts": lambda a: a.contacts.count(),
    "signals": lambda a: a.signals.count(),
    "latest_signal": lambda a: max((s.occurred_at for s in a.signals.all()), default=None),
}


def _expected_order(accounts, key, descending):
    """What the page must show, recounted from the rows: empty values last, then by name."""
    value = SORT_KEYS[key]
    known = [a for a in accounts if value(a) is not None]
    empty = sorted((a for a in accounts if value(a) is None), key=lambda a: a.name)
    # The values are plain ASCII with capitals first, so every database's collation agrees with Python.
    known.sort(key=lambda a: a.name)
    known.sort(key=value, reverse=descending)
    return [a.name for a in known + empty]


@pytest.mark.parametrize("key", list(SORT_KEYS))
@pytest.mark.parametrize("descending", [False, True])
def test_reps_sort_the_accounts_by_any_column_both_ways(personas, key, descending):
    accounts = _sortable_accounts(personas.workspace)
    client = personas.client_for(personas.rep)
    response = client.get(reverse("campaigns:account_list"), {"sort": ("-" if descending else "") + key})
    assert [a.name for a in response.context["page"]] == _expected_order(accounts, key, descending)
    assert f'aria-sort="{"descending" if descending else "ascending"}"' in response.text
    assert response.text.count("aria-sort=") == 1


def test_a_header_link_sorts_its_column_and_toggles_the_direction_keeping_the_filters(personas):
    make_account(workspace=personas.workspace, tier="A")
    client = personas.client_for(personas.rep)
    page = client.get(reverse("campaigns:account_list"), {"tier": "A", "sort": "tier", "page": "1"})
    headers = {header["label"]: header for header in page.context["headers"]}
    assert headers["Tier"]["url"] == "?tier=A&sort=-tier"
    assert headers["Tier"]["aria_sort"] == "ascending"
    assert headers["Contacts"]["url"] == "?tier=A&sort=contacts"
    assert headers["Contacts"]["aria_sort"] == ""
    toggled = client.get(reverse("campaigns:account_list"), {"tier": "A", "sort": "-tier"})
    assert {h["label"]: h for h in toggled.context["headers"]}["Tier"]["url"] == "?tier=A&sort=tier"


@pytest.mark.parametrize(
    "sort",
    ["password", "-owner__password", "name; DROP TABLE campaigns_account", "contacts__email", "--name", "?", "-"],
)
def test_an_unknown_sort_key_falls_back_to_the_name_order(personas, sort):
    _sortable_accounts(personas.workspace)
    client = personas.client_for(personas.rep)
    response = client.get(reverse("campaigns:account_list"), {"sort": sort})
    assert response.status_code == 200
    default = client.get(reverse("campaigns:account_list"))
    assert [a.pk for a in response.context["page"]] == [a.pk for a in default.context["page"]]
    assert response.context["sort"] == "name"


def test_the_tier_filter_offers_the_tiers_that_exist_and_ignores_others(personas):
    _sortable_accounts(personas.workspace)
    make_account(workspace=personas.outsider.workspace, tier="Platinum")
    client = personas.client_for(personas.rep)
    page = client.get(reverse("campaigns:account_list"))
    assert [value for value, _ in page.context["form"].fields["tier"].choices] == ["", "A", "B", "C"]
    assert '<select name="tier"' in page.text and "Platinum" not in page.text
    tier_a = client.get(reverse("campaigns:account_list"), {"tier": "A", "sort": "-employees"})
    assert [a.name for a in tier_a.context["page"]] == ["Alpha", "Echo"]
    # A tier that is not in the list (removed since, or typed by hand) is dropped; the search still applies.
    unknown = client.get(reverse("campaigns:account_list"), {"tier": "Platinum", "q": "ech"})
    assert unknown.status_code == 200
    assert [a.name for a in unknown.context["page"]] == ["Echo"]


def test_paging_keeps_the_sort_and_the_filter(personas):
    for number in range(60):
        make_account(workspace=personas.workspace, name=f"Tiered {number:02}", tier="A", employee_count=number)
    for number in range(5):
        make_account(workspace=personas.workspace, name=f"Other {number}", tier="B", employee_count=1000 + number)
    client = personas.client_for(personas.rep)
    first = client.get(reverse("campaigns:account_list"), {"tier": "A", "sort": "-employees"})
    assert [a.employee_count for a in first.context["page"]] == list(range(59, 9, -1))
    assert 'href="?tier=A&amp;sort=-employees&amp;page=2"' in first.text
    second = client.get(reverse("campaigns:account_list"), {"tier": "A", "sort": "-employees", "page": "2"})
    assert [a.employee_count for a in second.context["page"]] == list(range(9, -1, -1))
    assert second.context["page"].paginator.count == 60
    assert 'href="?tier=A&amp;sort=-employees&amp;page=1"' in second.text
    # The htmx fragment carries the sort so that the filter form keeps it after a header click.
    fragment = client.get(
        reverse("campaigns:account_list"), {"tier": "A", "sort": "-employees"}, headers={"HX-Request": "true"}
    )
    assert '<input type="hidden" name="sort" value="-employees" form="account-filters">' in fragment.text
