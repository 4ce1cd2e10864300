"""campaigns.ingest: the one bulk write path for accounts, contacts and signals (CSV import and API)."""

from datetime import UTC, date, datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from campaigns.ingest import (
    accounts_upsert,
    contacts_upsert,
    normalize_domain,
    normalize_email,
    signals_upsert,
)
from campaigns.models import Account, Contact, Signal
from campaigns.tests.factories import make_account, make_contact
from salesops.models import AuditEvent

pytestmark = pytest.mark.django_db

ACTOR = "api:crm-sync"


def _statuses(results):
    return [result.status for result in results]


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("https://www.Acme.COM/path", "acme.com"),
        ("acme.com", "acme.com"),
        ("  WWW.acme.com.  ", "acme.com"),
        ("http://user@shop.acme.co.uk:8080/a?b#c", "shop.acme.co.uk"),
        ("acme.com/about", "acme.com"),
        ("", ""),
    ],
)
def test_it_normalises_domains(raw, expected):
    assert normalize_domain(raw) == expected


def test_it_normalises_emails():
    assert normalize_email("  Ada.Lovelace@Example.COM ") == "ada.lovelace@example.com"


def test_it_creates_then_updates_then_leaves_accounts_unchanged(personas):
    workspace = personas.workspace
    rows = [{"domain": "https://www.Acme.com/", "name": "Acme", "employee_count": "1,200", "country": "de"}]

    created = accounts_upsert(workspace=workspace, rows=rows, actor=ACTOR)
    assert _statuses(created) == ["created"]
    account = Account.objects.get(workspace=workspace, domain="acme.com")
    assert created[0].id == account.pk
    assert (account.name, account.employee_count, account.country) == ("Acme", 1200, "DE")

    again = accounts_upsert(workspace=workspace, rows=rows, actor=ACTOR)
    assert _statuses(again) == ["unchanged"]
    assert again[0].id == account.pk
    first_updated_at = Account.objects.get(pk=account.pk).updated_at

    changed = accounts_upsert(workspace=workspace, rows=[{"domain": "acme.com", "tier": "A"}], actor=ACTOR)
    assert _statuses(changed) == ["updated"]
    account.refresh_from_db()
    assert (account.name, account.tier) == ("Acme", "A"), "fields not sent keep their value"
    assert account.updated_at > first_updated_at


def test_reimporting_the_same_contacts_writes_nothing(personas):
    account = make_account(workspace=personas.workspace, domain="acme.com")
    rows = [
        {"email": f"Person{number}@Acme.com", "account_domain": "acme.com", "first_name": f"P{number}"}
        for number in range(5)
    ]
    assert _statuses(contacts_upsert(workspace=personas.workspace, rows=rows, actor=ACTOR)) == ["created"] * 5
    before = {contact.pk: contact.updated_at for contact in Contact.objects.filter(account=account)}

    with CaptureQueriesContext(connection) as queries:
        results = contacts_upsert(workspace=personas.workspace, rows=rows, actor=ACTOR)

    assert _statuses(results) == ["unchanged"] * 5
    assert {result.id for result in results} == set(before)
    assert not [query for query in queries if query["sql"].startswith(('INSERT INTO "campaigns', 'UPDATE "campaigns'))]
    assert {contact.pk: contact.updated_at for contact in Contact.objects.filter(account=account)} == before


def test_good_rows_are_kept_when_others_fail_with_a_message_per_field(personas):
    make_account(workspace=personas.workspace, domain="acme.com")
    rows = [
        {"email": "good@acme.com", "account_domain": "acme.com"},
        {"email": "not-an-email", "account_domain": "acme.com"},
        {"email": "who@nowhere.com", "account_domain": "example.com"},
        {"email": "bad-status@acme.com", "account_domain": "acme.com", "status": "hot"},
        {"email": "bad-url@acme.com", "account_domain": "acme.com", "linkedin_url": "not a url"},
        {"account_domain": "acme.com", "first_name": "No Email"},
        {"email": "zone@acme.com", "account_domain": "acme.com", "time_zone": "Mars/Olympus"},
        {"email": "extra@acme.com", "account_domain": "acme.com", "favourite_colour": "blue"},
        {"email": "new@acme.com"},
    ]

    results = contacts_upsert(workspace=personas.workspace, rows=rows, actor=ACTOR)

    assert _statuses(results) == ["created"] + ["error"] * 8
    assert [result.index for result in results] == list(range(9))
    assert results[1].errors == {"email": ["Enter a valid email address."]}
    assert results[2].errors == {"account_domain": ["unknown account example.com"]}
    assert "Unknown contact status 'hot'" in results[3].errors["status"][0]
    assert results[4].errors == {"linkedin_url": ["Enter a valid URL."]}
    assert results[5].errors == {"email": ["This field is required."]}
    assert "Unknown time zone" in results[6].errors["time_zone"][0]
    assert results[7].errors == {"favourite_colour": ["Unknown field."]}
    assert results[8].errors == {"account_domain": ["This field is required."]}, "a new contact needs its account"
    assert all(result.id is None for result in results[1:])
    assert list(Contact.objects.filter(workspace=personas.workspace).values_list("email", flat=True)) == [
        "good@acme.com"
    ]


def test_it_validates_account_fields(personas):
    rows = [
        {"domain": "acme.com", "name": "Acme", "employee_count": "about 50"},
        {"domain": "beta.com", "name": "Beta", "country": "Germany"},
        {"domain": "not a domain", "name": "Gamma"},
        {"domain": "delta.com"},
        {"domain": "epsilon.com", "name": "Epsilon", "owner": "nobody@acme.test"},
        {"domain": "zeta.com", "name": "Zeta", "owner": "manager@acme.test", "employee_count": 40},
    ]

    results = accounts_upsert(workspace=personas.workspace, rows=rows, actor=ACTOR)

    assert _statuses(results) == ["error"] * 5 + ["created"]
    assert results[0].errors["employee_count"] == ["Enter a whole number of employees, not 'about 50'."]
    assert "2-letter ISO country code" in results[1].errors["country"][0]
    assert "valid domain name" in results[2].errors["domain"][0]
    assert results[3].errors == {"name": ["This field is required."]}
    assert results[4].errors["owner"] == ["unknown owner nobody@acme.test: not a member of this workspace"]
    assert Account.objects.get(pk=results[5].id).owner == personas.manager.user


def test_an_account_of_another_workspace_is_an_unknown_account(personas):
    make_account(workspace=personas.outsider.workspace, domain="rival-only.com")
    results = contacts_upsert(
        workspace=personas.workspace,
        rows=[{"email": "x@rival-only.com", "account_domain": "rival-only.com"}],
        actor=ACTOR,
    )
    assert results[0].errors == {"account_domain": ["unknown account rival-only.com"]}


def test_the_same_email_in_two_workspaces_is_two_contacts(personas):
    theirs = make_contact(workspace=personas.outsider.workspace, email="shared@acme.com", first_name="Theirs")
    make_account(workspace=personas.workspace, domain="acme.com")
    results = contacts_upsert(
        workspace=personas.workspace,
        rows=[{"email": "shared@acme.com", "account_domain": "acme.com", "first_name": "Ours"}],
        actor=ACTOR,
    )
    assert _statuses(results) == ["created"]
    theirs.refresh_from_db()
    assert theirs.first_name == "Theirs"


def test_a_key_repeated_in_one_batch_is_written_once_with_the_last_values(personas):
    make_account(workspace=personas.workspace, domain="acme.com")
    rows = [
        {"email": "twice@acme.com", "account_domain": "acme.com", "title": "CTO"},
        {"email": "TWICE@acme.com", "title": "CEO"},
        {"email": "twice@acme.com", "title": "CEO"},
    ]
    results = contacts_upsert(workspace=personas.workspace, rows=rows, actor=ACTOR)
    assert _statuses(results) == ["created", "updated", "unchanged"]
    assert len({result.id for result in results}) == 1
    assert Contact.objects.get(workspace=personas.workspace, email="twice@acme.com").title == "CEO"


def test_an_import_never_resubscribes_a_contact_who_opted_out(personas):
    contact = make_contact(workspace=personas.workspace, status=Contact.Status.UNSUBSCRIBED)
    results = contacts_upsert(
        workspace=personas.workspace, rows=[{"email": contact.email, "status": "new"}], actor=ACTOR
    )
    assert _statuses(results) == ["unchanged"]
    contact.refresh_from_db()
    assert contact.status == Contact.Status.UNSUBSCRIBED


def test_a_batch_costs_the_same_queries_whatever_its_size(personas):
    make_account(workspace=personas.workspace, domain="acme.com")

    def batch(prefix, size):
        return [{"email": f"{prefix}{number}@acme.com", "account_domain": "acme.com"} for number in range(size)]

    contacts_upsert(workspace=personas.workspace, rows=batch("warm", 1), actor=ACTOR)  # the audit chain exists
    with CaptureQueriesContext(connection) as small:
        contacts_upsert(workspace=personas.workspace, rows=batch("small", 3), actor=ACTOR)
    with CaptureQueriesContext(connection) as large:
        contacts_upsert(workspace=personas.workspace, rows=batch("large", 300), actor=ACTOR)
    # Updating half of the large batch adds one UPDATE, still not one per row.
    updates = [{"email": f"large{number}@acme.com", "title": "VP"} for number in range(0, 300, 2)]
    with CaptureQueriesContext(connection) as updating:
        results = contacts_upsert(workspace=personas.workspace, rows=updates + batch("large", 300), actor=ACTOR)

    assert len(small) == len(large)
    # savepoint; accounts by domain; savepoint, contacts by email, INSERT, release; the audit event:
    # savepoint, chain locked, INSERT event, UPDATE chain, release; release.
    assert len(large) == 12, [query["sql"][:80] for query in large]
    assert len(updating) == len(large), [query["sql"][:80] for query in updating]
    assert _statuses(results).count("updated") == 150


def test_one_audit_event_records_each_batch(personas):
    make_account(workspace=personas.workspace, domain="acme.com")
    rows = [{"email": f"p{number}@acme.com", "account_domain": "acme.com"} for number in range(20)]
    rows.append({"email": "broken"})

    contacts_upsert(workspace=personas.workspace, rows=rows, actor=ACTOR)

    events = AuditEvent.objects.filter(workspace=personas.workspace, verb="contacts.upserted")
    assert events.count() == 1
    event = events.get()
    assert event.actor == ACTOR
    assert event.after == {"rows": 21, "created": 20, "updated": 0, "unchanged": 0, "error": 1}


def test_signals_upsert_by_source_and_external_id(personas):
    account = make_account(workspace=personas.workspace, domain="acme.com")
    contact = make_contact(workspace=personas.workspace, account=account, email="cto@acme.com")
    rows = [
        {
            "source": "crunchbase",
            "external_id": "round-1",
            "account_domain": "https://acme.com",
            "contact_email": "CTO@acme.com",
            "kind": "funding",
            "occurred_at": "2025-03-14T09:30:00Z",
            "title": "Raised a Series B",
            "payload": {"amount": 40_000_000},
        },
        {
            "source": "news",
            "external_id": "n-1",
            "account_domain": "acme.com",
            "kind": "News",
            "occurred_at": date(2025, 3, 1),
            "title": "Opened an office in Berlin",
            "payload": '{"city": "Berlin"}',
        },
        {"source": "news", "external_id": "n-2", "account_domain": "acme.com", "kind": "rumour", "title": "x"},
        {"source": "news", "external_id": "n-3", "account_domain": "acme.com", "kind": "news", "title": "x",
         "occurred_at": "last tuesday"},
        {"source": "news", "external_id": "n-4", "account_domain": "acme.com", "kind": "news", "title": "x",
         "occurred_at": "2025-01-01", "contact_email": "ghost@acme.com", "payload": "[1, 2]"},
        {"source": "news", "account_domain": "acme.com", "kind": "news", "title": "x", "occurred_at": "2025-01-01"},
    ]  # fmt: skip

    results = signals_upsert(workspace=personas.workspace, rows=rows, actor=ACTOR)

    assert _statuses(results) == ["created", "created", "error", "error", "error", "error"]
    funding = Signal.objects.get(pk=results[0].id)
    assert funding.contact == contact
    assert funding.occurred_at == datetime(2025, 3, 14, 9, 30, tzinfo=UTC)
    assert funding.payload == {"amount": 40_000_000}
    news = Signal.objects.get(pk=results[1].id)
    assert news.kind == "news"
    assert news.occurred_at == datetime(2025, 3, 1, tzinfo=UTC), "a date is midnight in the workspace's time zone"
    assert news.payload == {"city": "Berlin"}
    assert "Unknown signal kind 'rumour'" in results[2].errors["kind"][0]
    assert "ISO date" in results[3].errors["occurred_at"][0]
    assert results[4].errors["contact_email"] == ["unknown contact ghost@acme.com"]
    assert "JSON object" in results[4].errors["payload"][0]
    assert results[5].errors == {"external_id": ["This field is required."]}

    again = signals_upsert(workspace=personas.workspace, rows=rows[:2], actor=ACTOR)
    assert _statuses(again) == ["unchanged", "unchanged"]
    assert [result.id for result in again] == [results[0].id, results[1].id]


def test_a_contacts_phone_is_imported_and_updated_as_given(personas):
    make_account(workspace=personas.workspace, domain="acme.com")
    row = {"email": "ana@acme.com", "account_domain": "acme.com", "phone": " +49 30 1234567 "}
    assert _statuses(contacts_upsert(workspace=personas.workspace, rows=[row], actor=ACTOR)) == ["created"]
    assert Contact.objects.get(email="ana@acme.com").phone == "+49 30 1234567"
    row["phone"] = "x" * 41
    assert _statuses(contacts_upsert(workspace=personas.workspace, rows=[row], actor=ACTOR)) == ["error"]
    row["phone"] = "+49 30 7654321"
    assert _statuses(contacts_upsert(workspace=personas.workspace, rows=[row], actor=ACTOR)) == ["updated"]
    assert Contact.objects.get(email="ana@acme.com").phone == "+49 30 7654321"
