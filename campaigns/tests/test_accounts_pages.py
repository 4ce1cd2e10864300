import pytest
from django.urls import reverse

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
    # session, user, membership + workspace, count, the page of accounts with counts
    with django_assert_num_queries(5):
        client.get(reverse("campaigns:account_list"))


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
