"""The core's URLs check sign-in, workspace and role (see access_matrix for the specification)."""

import pytest
from django.apps import apps
from django.urls import reverse

from salesops.models import Invitation, Role
from salesops.tests.access_matrix import Rule, access_tests

pytestmark = pytest.mark.django_db

URL_RULES = {
    "dashboard": Rule(Role.REP),
    "settings_members": Rule(Role.ADMIN),
    "invitation_create": Rule(Role.ADMIN, "post"),
    "invitation_revoke": Rule(Role.ADMIN, "post", lambda rows: {"invitation_id": rows.invitation.pk}),
    "membership_role_change": Rule(Role.ADMIN, "post", lambda rows: {"membership_id": rows.rep.pk}),
    "membership_remove": Rule(Role.ADMIN, "post", lambda rows: {"membership_id": rows.rep.pk}),
    "audit_list": Rule(Role.ADMIN),
    "audit_verify": Rule(Role.ADMIN, "post"),
    "api_key_list": Rule(Role.ADMIN),
    "api_key_create": Rule(Role.ADMIN, "post", data=lambda rows: {"name": "CRM sync"}),
    "api_key_revoke": Rule(Role.ADMIN, "post", lambda rows: {"api_key_id": rows.api_key.pk}),
}
# URLs open to anyone by design, each with its reason.
PUBLIC_URLS = {
    "home": "redirects to the login page or the dashboard",
    "favicon": "the site icon, which browsers fetch before anyone signs in",
    "invitation_accept": "the signed invitation link; tested in test_invitations",
    "workspace_switch": "needs sign-in only; checks membership of the target itself (tested below)",
}


@pytest.fixture
def access_rows(personas):
    personas.invitation = Invitation.objects.create(
        workspace=personas.workspace, email="new@acme.test", role=Role.REP, expires_at="2999-01-01T00:00Z"
    )
    # By name: the core's tests import no app (the layers contract); the key's pages live in campaigns.
    personas.api_key = apps.get_model("campaigns", "ApiKey").objects.create(
        workspace=personas.workspace, name="Access test", prefix="accesstest01", key_hash="0" * 64
    )
    return personas


globals().update(access_tests(URL_RULES))


def test_navigation_shows_each_role_only_its_links(personas):
    expected = {
        "rep": {"Dashboard", "Inbox", "Meetings", "Accounts"},
        "manager": {"Dashboard", "Inbox", "Meetings", "Accounts", "Campaigns", "ICPs", "Delivery"},
        "admin": {"Dashboard", "Inbox", "Meetings", "Accounts", "Campaigns", "ICPs", "Audit", "Settings"},
    }
    for persona, labels in expected.items():
        response = personas.client_for(getattr(personas, persona)).get(reverse("dashboard"))
        shown = {label for label, _, _ in response.context["navigation"]}
        assert shown == labels, persona
        assert f"Acme Sales · {persona.capitalize()}" in response.text


def test_a_member_can_switch_only_to_a_workspace_they_belong_to(personas):
    from salesops.tests.factories import make_membership

    second = make_membership(user=personas.rep.user, role=Role.MANAGER)
    client = personas.client_for(personas.rep)
    assert client.post(reverse("workspace_switch"), {"workspace": second.workspace_id}).status_code == 302
    response = client.get(reverse("dashboard"))
    assert response.context["membership"] == second
    assert client.get(reverse("campaigns:campaign_list")).status_code == 200  # a manager there

    foreign = client.post(reverse("workspace_switch"), {"workspace": personas.outsider.workspace_id})
    assert foreign.status_code == 404
    assert client.get(reverse("dashboard")).context["membership"] == second


def test_a_signed_in_user_without_workspace_is_told_to_ask_for_an_invitation(db, client):
    from salesops.tests.factories import make_user

    client.force_login(make_user(email="loner@example.test"))
    response = client.get(reverse("dashboard"))
    assert response.status_code == 403
    assert "invitation" in response.text


def test_every_post_needs_a_csrf_token(personas):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(personas.admin.user)
    response = client.post(reverse("invitation_create"), {"email": "x@acme.test", "role": "rep"})
    assert response.status_code == 403
