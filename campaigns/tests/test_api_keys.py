"""Settings -> API keys: admins create keys shown once and stored hashed, revoke them; all audited."""

import hashlib
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from campaigns import api_keys
from campaigns.models import ApiKey
from salesops.models import AuditEvent

pytestmark = pytest.mark.django_db


def test_an_admin_creates_a_key_that_is_shown_once_and_stored_only_as_a_hash(personas):
    client = personas.client_for(personas.admin)

    response = client.post(reverse("api_key_create"), {"name": "HubSpot sync"})

    assert response.status_code == 200
    new_key = response.context["new_key"]
    key = new_key.key
    assert key.startswith(f"so_{new_key.api_key.prefix}_")
    assert key in response.text
    assert "no-store" in response["Cache-Control"]
    stored = ApiKey.objects.get(workspace=personas.workspace, name="HubSpot sync")
    assert stored.key_hash == hashlib.sha256(key.encode()).hexdigest()
    assert key.split("_", 2)[2] not in {stored.prefix, stored.key_hash, stored.name}
    assert stored.created_by == personas.admin.user
    # Shown once: the page never shows it again.
    listing = client.get(reverse("api_key_list"))
    assert "HubSpot sync" in listing.text
    assert f"so_{stored.prefix}_" in listing.text
    assert key not in listing.text


def test_creating_a_key_is_audited_without_the_secret(personas):
    new_key = api_keys.api_key_create(actor=personas.admin, name="Zapier")

    event = AuditEvent.objects.get(workspace=personas.workspace, verb="api_key.created")
    assert event.actor == "admin@acme.test"
    assert event.target_id == str(new_key.api_key.pk)
    assert event.after == {"name": "Zapier", "prefix": new_key.api_key.prefix}
    assert new_key.key not in str(event.after)


def test_each_key_is_different(personas):
    first = api_keys.api_key_create(actor=personas.admin, name="One")
    second = api_keys.api_key_create(actor=personas.admin, name="Two")

    assert first.key != second.key
    assert first.api_key.prefix != second.api_key.prefix


def test_it_refuses_a_second_key_with_the_same_name(personas):
    api_keys.api_key_create(actor=personas.admin, name="CRM")
    client = personas.client_for(personas.admin)

    response = client.post(reverse("api_key_create"), {"name": "CRM"})

    assert response.status_code == 400
    assert "already exists" in response.text
    assert response.context["new_key"] is None
    assert ApiKey.objects.filter(workspace=personas.workspace).count() == 1


def test_it_refuses_a_key_without_a_name(personas):
    response = personas.client_for(personas.admin).post(reverse("api_key_create"), {"name": "  "})

    assert response.status_code == 400
    assert not ApiKey.objects.exists()


def test_an_admin_revokes_a_key_and_it_is_audited(personas):
    new_key = api_keys.api_key_create(actor=personas.admin, name="Old script")
    client = personas.client_for(personas.admin)

    response = client.post(reverse("api_key_revoke", args=[new_key.api_key.pk]))

    assert response.status_code == 302
    new_key.api_key.refresh_from_db()
    assert new_key.api_key.revoked_at is not None
    assert api_keys.api_key_authenticate(key=new_key.key) is None
    event = AuditEvent.objects.get(workspace=personas.workspace, verb="api_key.revoked")
    assert event.actor == "admin@acme.test"
    assert event.before["name"] == "Old script"
    page = client.get(reverse("api_key_list"))
    assert "revoked" in page.text
    assert f"Revoke {new_key.api_key.name}" not in page.text


def test_revoking_twice_changes_nothing_the_second_time(personas):
    new_key = api_keys.api_key_create(actor=personas.admin, name="Twice")
    first = api_keys.api_key_revoke(actor=personas.admin, api_key=new_key.api_key)

    second = api_keys.api_key_revoke(actor=personas.admin, api_key=new_key.api_key)

    assert second.revoked_at == first.revoked_at
    assert AuditEvent.objects.filter(verb="api_key.revoked").count() == 1


def test_another_workspaces_key_cannot_be_revoked(personas):
    foreign = api_keys.api_key_create(actor=personas.outsider, name="Rival key")

    response = personas.client_for(personas.admin).post(reverse("api_key_revoke", args=[foreign.api_key.pk]))

    assert response.status_code == 404
    foreign.api_key.refresh_from_db()
    assert foreign.api_key.revoked_at is None
    assert api_keys.api_key_authenticate(key=foreign.key) == foreign.api_key


def test_the_page_lists_only_this_workspaces_keys(personas):
    api_keys.api_key_create(actor=personas.admin, name="Ours")
    api_keys.api_key_create(actor=personas.outsider, name="Theirs")

    response = personas.client_for(personas.admin).get(reverse("api_key_list"))

    assert [key.name for key in response.context["keys"]] == ["Ours"]
    assert "Theirs" not in response.text


@pytest.mark.parametrize("persona", ["rep", "manager"])
def test_reps_and_managers_cannot_open_the_api_key_page(personas, persona):
    client = personas.client_for(getattr(personas, persona))

    assert client.get(reverse("api_key_list")).status_code == 403
    assert client.post(reverse("api_key_create"), {"name": "Sneaky"}).status_code == 403
    assert not ApiKey.objects.exists()


def test_an_admin_opens_the_api_key_page_from_the_people_page(personas):
    client = personas.client_for(personas.admin)

    people = client.get(reverse("settings_members"))
    page = client.get(reverse("api_key_list"))

    assert reverse("api_key_list") in people.text
    assert page.status_code == 200
    assert "Create a key" in page.text


@pytest.mark.parametrize("persona", ["rep", "manager"])
def test_the_services_refuse_non_admins(personas, persona):
    membership = getattr(personas, persona)
    new_key = api_keys.api_key_create(actor=personas.admin, name="Admin made")

    with pytest.raises(PermissionDenied):
        api_keys.api_key_create(actor=membership, name="Mine")
    with pytest.raises(PermissionDenied):
        api_keys.api_key_revoke(actor=membership, api_key=new_key.api_key)


def test_the_service_refuses_to_revoke_another_workspaces_key(personas):
    foreign = api_keys.api_key_create(actor=personas.outsider, name="Rival key")

    with pytest.raises(PermissionDenied):
        api_keys.api_key_revoke(actor=personas.admin, api_key=foreign.api_key)


@pytest.mark.parametrize(
    "make_wrong",
    [
        lambda key: key + "x",
        lambda key: key[:-1],
        lambda key: key.replace("so_", "xx_", 1),
        lambda key: "so_" + key.split("_")[1],
        lambda key: "",
        lambda key: "so__",
    ],
)
def test_it_authenticates_only_the_exact_key(personas, make_wrong):
    new_key = api_keys.api_key_create(actor=personas.admin, name="Exact")

    assert api_keys.api_key_authenticate(key=new_key.key) == new_key.api_key
    assert api_keys.api_key_authenticate(key=make_wrong(new_key.key)) is None


def test_last_used_is_written_at_most_once_a_minute(personas, django_assert_num_queries):
    new_key = api_keys.api_key_create(actor=personas.admin, name="Busy")

    with django_assert_num_queries(2):  # the key with its workspace; last_used_at
        api_keys.api_key_authenticate(key=new_key.key)
    first_use = ApiKey.objects.get(pk=new_key.api_key.pk).last_used_at
    assert first_use is not None

    with django_assert_num_queries(1):  # the key only: used less than a minute ago
        api_keys.api_key_authenticate(key=new_key.key)
    assert ApiKey.objects.get(pk=new_key.api_key.pk).last_used_at == first_use

    ApiKey.objects.filter(pk=new_key.api_key.pk).update(last_used_at=timezone.now() - timedelta(minutes=2))
    api_keys.api_key_authenticate(key=new_key.key)
    assert ApiKey.objects.get(pk=new_key.api_key.pk).last_used_at > first_use
