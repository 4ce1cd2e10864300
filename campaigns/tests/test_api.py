"""The JSON API under /api/v1/: bearer keys, workspace scoping, filters, pagination, batch upserts."""

import json
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from campaigns import api_keys
from campaigns.models import Account, Contact, Signal
from campaigns.tests.factories import make_account, make_contact, make_signal
from salesops.models import AuditEvent

pytestmark = pytest.mark.django_db


@pytest.fixture
def key(personas) -> api_keys.NewApiKey:
    return api_keys.api_key_create(actor=personas.admin, name="CRM sync")


def api_client(raw_key: str | None) -> Client:
    return Client(headers={"Authorization": f"Bearer {raw_key}"} if raw_key else {})


def post_json(client: Client, url: str, body) -> object:
    return client.post(url, json.dumps(body), content_type="application/json")


# --- authentication ------------------------------------------------------------------------------


def test_a_request_without_a_key_is_refused_with_401(personas):
    response = api_client(None).get("/api/v1/accounts")

    assert response.status_code == 401
    assert "Bearer" in response.json()["detail"]
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_a_wrong_key_is_refused_with_401(key):
    response = api_client(key.key[:-2] + "zz").get("/api/v1/accounts")

    assert response.status_code == 401
    assert response.json() == {"detail": "Send a valid, unrevoked API key as 'Authorization: Bearer <key>'."}


def test_a_revoked_key_is_refused_with_401(personas, key):
    api_keys.api_key_revoke(actor=personas.admin, api_key=key.api_key)

    response = api_client(key.key).get("/api/v1/accounts")

    assert response.status_code == 401


def test_a_key_in_another_scheme_is_refused_with_401(key):
    response = Client(headers={"Authorization": f"Token {key.key}"}).get("/api/v1/accounts")

    assert response.status_code == 401


def test_a_signed_in_browser_session_alone_cannot_use_the_api(personas):
    make_account(workspace=personas.workspace)
    client = personas.client_for(personas.admin)

    assert client.get("/api/v1/accounts").status_code == 401
    response = post_json(client, "/api/v1/accounts/batch", {"items": [{"domain": "x.example", "name": "X"}]})
    assert response.status_code == 401
    assert not Account.objects.filter(domain="x.example").exists()


def test_a_post_with_a_key_needs_no_csrf_token(key):
    client = Client(enforce_csrf_checks=True, headers={"Authorization": f"Bearer {key.key}"})

    response = post_json(client, "/api/v1/accounts/batch", {"items": []})

    assert response.status_code == 200


def test_using_a_key_records_when_it_was_last_used(key):
    assert key.api_key.last_used_at is None

    api_client(key.key).get("/api/v1/accounts")

    key.api_key.refresh_from_db()
    assert timezone.now() - key.api_key.last_used_at < timedelta(seconds=10)


# --- reading, within the key's workspace ---------------------------------------------------------


def test_it_gets_an_account_of_the_keys_workspace(personas, key):
    account = make_account(workspace=personas.workspace, name="Globex", domain="globex.example", tier="A")

    response = api_client(key.key).get(f"/api/v1/accounts/{account.pk}")

    assert response.status_code == 200
    body = response.json()
    assert body["id"] == account.pk
    assert body["name"] == "Globex"
    assert body["domain"] == "globex.example"
    assert body["tier"] == "A"


@pytest.mark.parametrize("kind", ["accounts", "contacts", "signals"])
def test_another_workspaces_id_answers_404(personas, key, kind):
    foreign_account = make_account(workspace=personas.outsider.workspace)
    foreign = {
        "accounts": foreign_account,
        "contacts": make_contact(workspace=personas.outsider.workspace, account=foreign_account),
        "signals": make_signal(workspace=personas.outsider.workspace, account=foreign_account),
    }[kind]

    response = api_client(key.key).get(f"/api/v1/{kind}/{foreign.pk}")

    assert response.status_code == 404
    assert "detail" in response.json()


def test_lists_hold_only_the_keys_workspace(personas, key):
    ours = make_account(workspace=personas.workspace)
    make_account(workspace=personas.outsider.workspace)
    make_contact(workspace=personas.outsider.workspace)

    client = api_client(key.key)

    assert [item["id"] for item in client.get("/api/v1/accounts").json()["items"]] == [ours.pk]
    assert client.get("/api/v1/contacts").json()["items"] == []


def test_it_filters_accounts_by_domain_name_tier_and_update_time(personas, key):
    acme = make_account(workspace=personas.workspace, name="Acme Robotics", domain="acme.example", tier="A")
    make_account(workspace=personas.workspace, name="Initech", domain="initech.example", tier="B")
    old = make_account(workspace=personas.workspace, name="Old Acme", domain="old-acme.example", tier="A")
    Account.objects.filter(pk=old.pk).update(updated_at=timezone.now() - timedelta(days=30))
    client = api_client(key.key)

    def ids(**params):
        response = client.get("/api/v1/accounts", params)
        assert response.status_code == 200, response.content
        return [item["id"] for item in response.json()["items"]]

    assert ids(domain="ACME.example") == [acme.pk]
    assert ids(q="acme") == [acme.pk, old.pk]
    assert ids(tier="A") == [acme.pk, old.pk]
    since = (timezone.now() - timedelta(days=1)).isoformat()
    assert ids(tier="A", updated_since=since) == [acme.pk]


def test_it_filters_contacts_by_email_account_and_status(personas, key):
    account = make_account(workspace=personas.workspace)
    ana = make_contact(workspace=personas.workspace, account=account, email="ana@buyer.example")
    replied = make_contact(workspace=personas.workspace, account=account, status=Contact.Status.REPLIED)
    elsewhere = make_contact(workspace=personas.workspace)
    client = api_client(key.key)

    def ids(**params):
        return [item["id"] for item in client.get("/api/v1/contacts", params).json()["items"]]

    assert ids(email="Ana@Buyer.example") == [ana.pk]
    assert ids(account_id=account.pk) == [ana.pk, replied.pk]
    assert ids(status="replied") == [replied.pk]
    assert ids() == [ana.pk, replied.pk, elsewhere.pk]
    assert client.get(f"/api/v1/contacts/{ana.pk}").json()["account_id"] == account.pk


def test_it_filters_signals_by_account_kind_and_time(personas, key):
    account = make_account(workspace=personas.workspace)
    funding = make_signal(workspace=personas.workspace, account=account, kind=Signal.Kind.FUNDING)
    hiring = make_signal(workspace=personas.workspace, account=account, kind=Signal.Kind.HIRING)
    old = make_signal(workspace=personas.workspace, occurred_at=timezone.now() - timedelta(days=400))
    client = api_client(key.key)

    def ids(**params):
        return [item["id"] for item in client.get("/api/v1/signals", params).json()["items"]]

    assert ids(account_id=account.pk) == [funding.pk, hiring.pk]
    assert ids(kind="hiring") == [hiring.pk]
    assert ids(since=(timezone.now() - timedelta(days=30)).isoformat()) == [funding.pk, hiring.pk]
    assert old.pk in ids()
    assert client.get(f"/api/v1/signals/{funding.pk}").json()["payload"] == {}


def test_it_pages_through_a_list_with_a_cursor(personas, key):
    accounts = [make_account(workspace=personas.workspace) for _ in range(5)]
    client = api_client(key.key)

    first = client.get("/api/v1/accounts", {"limit": 2}).json()
    second = client.get("/api/v1/accounts", {"limit": 2, "cursor": first["next_cursor"]}).json()
    last = client.get("/api/v1/accounts", {"limit": 2, "cursor": second["next_cursor"]}).json()

    seen = [item["id"] for page in (first, second, last) for item in page["items"]]
    assert seen == [account.pk for account in accounts]
    assert first["next_cursor"] is not None
    assert last["next_cursor"] is None


def test_a_page_larger_than_the_maximum_is_refused_with_422(key):
    response = api_client(key.key).get("/api/v1/accounts", {"limit": 501})

    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"][-1] == "limit"


def test_an_invalid_filter_is_refused_with_422_naming_it(key):
    response = api_client(key.key).get("/api/v1/signals", {"kind": "gossip", "since": "yesterday"})

    assert response.status_code == 422
    assert {error["loc"][-1] for error in response.json()["detail"]} == {"kind", "since"}


def test_a_list_costs_two_queries_whatever_its_length(personas, key, django_assert_num_queries):
    for _ in range(20):
        make_contact(workspace=personas.workspace)
    client = api_client(key.key)
    client.get("/api/v1/contacts")  # sets last_used_at

    with django_assert_num_queries(1 + 1):  # the key with its workspace; the page of contacts
        response = client.get("/api/v1/contacts", {"limit": 50})
    assert len(response.json()["items"]) == 20


# --- the OpenAPI document ------------------------------------------------------------------------


def test_the_openapi_document_lists_the_paths_and_the_bearer_scheme():
    response = Client().get("/api/v1/openapi.json")

    assert response.status_code == 200
    document = json.loads(response.content)
    for path in [
        "/api/v1/accounts",
        "/api/v1/accounts/{account_id}",
        "/api/v1/accounts/batch",
        "/api/v1/contacts",
        "/api/v1/contacts/{contact_id}",
        "/api/v1/contacts/batch",
        "/api/v1/signals",
        "/api/v1/signals/{signal_id}",
        "/api/v1/signals/batch",
    ]:
        assert path in document["paths"], path
    schemes = document["components"]["securitySchemes"]
    assert {"type": "http", "scheme": "bearer"}.items() <= next(iter(schemes.values())).items()


def test_there_is_no_interactive_docs_page_loading_a_cdn():
    assert Client().get("/api/v1/docs").status_code == 404


# --- batch upserts -------------------------------------------------------------------------------


def test_a_batch_answers_a_result_per_item_and_keeps_the_good_items_when_one_fails(personas, key):
    response = post_json(
        api_client(key.key),
        "/api/v1/accounts/batch",
        {
            "items": [
                {"domain": "https://www.Globex.example/", "name": "Globex", "employee_count": 120},
                {"domain": "not a domain", "name": "Broken"},
                {"domain": "initech.example", "name": "Initech", "tier": "A"},
            ]
        },
    )

    assert response.status_code == 200, response.content
    results = response.json()["results"]
    globex = Account.objects.get(workspace=personas.workspace, domain="globex.example")
    initech = Account.objects.get(workspace=personas.workspace, domain="initech.example")
    assert results[0] == {"index": 0, "status": "created", "id": globex.pk, "errors": {}}
    assert results[1]["index"] == 1
    assert results[1]["status"] == "error"
    assert results[1]["id"] is None
    assert list(results[1]["errors"]) == ["domain"]
    assert results[2] == {"index": 2, "status": "created", "id": initech.pk, "errors": {}}
    assert globex.employee_count == 120
    assert Account.objects.filter(workspace=personas.workspace).count() == 2


def test_sending_the_same_batch_again_answers_unchanged_and_writes_nothing(personas, key):
    client = api_client(key.key)
    batch = {"items": [{"domain": f"company{n}.example", "name": f"Company {n}", "tier": "B"} for n in range(3)]}
    first = post_json(client, "/api/v1/accounts/batch", batch).json()["results"]
    stamps = dict(Account.objects.values_list("pk", "updated_at"))

    again = post_json(client, "/api/v1/accounts/batch", batch).json()["results"]

    assert [result["status"] for result in first] == ["created"] * 3
    assert [result["status"] for result in again] == ["unchanged"] * 3
    assert [result["id"] for result in again] == [result["id"] for result in first]
    assert dict(Account.objects.values_list("pk", "updated_at")) == stamps


def test_an_item_updates_only_the_fields_it_sends(personas, key):
    account = make_account(workspace=personas.workspace, name="Acme", domain="acme.example", industry="Robots")

    result = post_json(
        api_client(key.key), "/api/v1/accounts/batch", {"items": [{"domain": "acme.example", "tier": "A"}]}
    ).json()["results"][0]

    assert result == {"index": 0, "status": "updated", "id": account.pk, "errors": {}}
    account.refresh_from_db()
    assert (account.name, account.industry, account.tier) == ("Acme", "Robots", "A")


def test_batch_writes_are_audited_under_the_keys_name(personas, key):
    post_json(api_client(key.key), "/api/v1/accounts/batch", {"items": [{"domain": "a.example", "name": "A"}]})

    event = AuditEvent.objects.get(workspace=personas.workspace, verb="accounts.upserted")
    assert event.actor == "api:CRM sync"
    assert event.after["created"] == 1


def test_a_batch_never_touches_another_workspace(personas, key):
    theirs = make_account(workspace=personas.outsider.workspace, name="Theirs", domain="shared.example")

    results = post_json(
        api_client(key.key),
        "/api/v1/contacts/batch",
        {"items": [{"email": "ceo@shared.example", "account_domain": "shared.example"}]},
    ).json()["results"]
    accounts = post_json(
        api_client(key.key), "/api/v1/accounts/batch", {"items": [{"domain": "shared.example", "name": "Ours"}]}
    ).json()["results"]

    assert results[0]["status"] == "error"
    assert "account_domain" in results[0]["errors"]
    assert accounts[0]["status"] == "created"
    assert accounts[0]["id"] != theirs.pk
    theirs.refresh_from_db()
    assert theirs.name == "Theirs"
    assert not Contact.objects.exists()


def test_contacts_are_upserted_onto_their_account_by_domain(personas, key):
    account = make_account(workspace=personas.workspace, domain="globex.example")
    client = api_client(key.key)
    batch = {
        "items": [
            {"email": "Hank@Globex.example", "account_domain": "globex.example", "first_name": "Hank"},
            {"email": "nobody@nowhere.example", "account_domain": "nowhere.example"},
            {"email": "not-an-email", "account_domain": "globex.example"},
        ]
    }

    results = post_json(client, "/api/v1/contacts/batch", batch).json()["results"]

    hank = Contact.objects.get(workspace=personas.workspace, email="hank@globex.example")
    assert hank.account == account
    assert [result["status"] for result in results] == ["created", "error", "error"]
    assert results[0]["id"] == hank.pk
    assert "account_domain" in results[1]["errors"]
    assert "email" in results[2]["errors"]
    again = post_json(client, "/api/v1/contacts/batch", batch).json()["results"]
    assert [result["status"] for result in again] == ["unchanged", "error", "error"]


def test_signals_are_upserted_by_source_and_external_id(personas, key):
    account = make_account(workspace=personas.workspace, domain="globex.example")
    contact = make_contact(workspace=personas.workspace, account=account, email="hank@globex.example")
    client = api_client(key.key)
    batch = {
        "items": [
            {
                "source": "crunchbase",
                "external_id": "round-42",
                "account_domain": "globex.example",
                "contact_email": "hank@globex.example",
                "kind": "funding",
                "occurred_at": "2026-03-14T09:30:00Z",
                "title": "Raised a Series B",
                "url": "https://news.example/globex",
                "payload": {"amount": 40_000_000},
            },
            {"source": "crunchbase", "external_id": "round-43", "account_domain": "globex.example", "kind": "gossip"},
        ]
    }

    results = post_json(client, "/api/v1/signals/batch", batch).json()["results"]
    again = post_json(client, "/api/v1/signals/batch", batch).json()["results"]

    signal = Signal.objects.get(workspace=personas.workspace, source="crunchbase", external_id="round-42")
    assert (signal.account, signal.contact, signal.payload) == (account, contact, {"amount": 40_000_000})
    assert results[0] == {"index": 0, "status": "created", "id": signal.pk, "errors": {}}
    assert results[1]["status"] == "error"
    assert "kind" in results[1]["errors"]
    assert [result["status"] for result in again] == ["unchanged", "error"]
    assert Signal.objects.count() == 1


def test_a_batch_over_1000_items_is_refused_with_422_naming_the_limit(key):
    items = [{"domain": f"c{n}.example", "name": f"C{n}"} for n in range(1001)]

    response = post_json(api_client(key.key), "/api/v1/accounts/batch", {"items": items})

    assert response.status_code == 422
    error = response.json()["detail"][0]
    assert error["loc"][-1] == "items"
    assert "1000" in error["msg"]
    assert not Account.objects.exists()


@pytest.mark.parametrize(
    ("body", "location"),
    [
        ({}, ["items"]),
        ({"items": "accounts"}, ["items"]),
        ({"items": [{"domain": "a.example"}, "b.example"]}, ["items", 1]),
    ],
)
def test_an_invalid_body_is_refused_with_422_naming_the_field(key, body, location):
    response = post_json(api_client(key.key), "/api/v1/accounts/batch", body)

    assert response.status_code == 422
    errors = response.json()["detail"]
    assert [error["loc"][-len(location) :] for error in errors] == [location]
    assert not Account.objects.exists()


def test_a_body_that_is_not_json_is_refused(key):
    response = api_client(key.key).post("/api/v1/accounts/batch", "{not json", content_type="application/json")

    assert response.status_code in (400, 422)
    assert not Account.objects.exists()


def test_a_full_batch_of_1000_items_is_written_in_one_request(personas, key, django_assert_max_num_queries):
    items = [{"domain": f"company{n}.example", "name": f"Company {n}", "employee_count": n} for n in range(1000)]

    with django_assert_max_num_queries(20):  # constant whatever the batch size: see campaigns.ingest
        response = post_json(api_client(key.key), "/api/v1/accounts/batch", {"items": items})

    results = response.json()["results"]
    assert len(results) == 1000
    assert {result["status"] for result in results} == {"created"}
    assert Account.objects.filter(workspace=personas.workspace).count() == 1000


def test_a_body_over_the_upload_limit_is_refused_in_json(key, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10_000
    items = [{"domain": f"c{n}.example", "name": "x" * 100} for n in range(100)]

    response = post_json(api_client(key.key), "/api/v1/accounts/batch", {"items": items})

    assert response.status_code == 413
    assert "fewer items" in response.json()["detail"]
    assert not Account.objects.exists()
