"""Every URL of the product checks sign-in, workspace and role.

`URL_RULES` is the specification: the lowest role each page needs. A test fails when a URL
exists that the table does not name, so a new page cannot skip its access rule.
"""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from salesops.models import AuditEvent, Role

pytestmark = pytest.mark.django_db

# url name -> (lowest role, method, a function of the personas giving the URL's kwargs)
URL_RULES = {
    "dashboard": (Role.REP, "get", None),
    "settings_members": (Role.ADMIN, "get", None),
    "invitation_create": (Role.ADMIN, "post", None),
    "invitation_revoke": (Role.ADMIN, "post", lambda p: {"invitation_id": p.invitation.pk}),
    "membership_role_change": (Role.ADMIN, "post", lambda p: {"membership_id": p.rep.pk}),
    "membership_remove": (Role.ADMIN, "post", lambda p: {"membership_id": p.rep.pk}),
    "audit_list": (Role.ADMIN, "get", None),
    "audit_verify": (Role.ADMIN, "post", None),
    "campaigns:campaign_list": (Role.MANAGER, "get", None),
    "campaigns:icp_list": (Role.MANAGER, "get", None),
    "campaigns:account_list": (Role.REP, "get", None),
    "review:inbox": (Role.REP, "get", None),
}
# URLs open to anyone by design, each with its reason.
PUBLIC_URLS = {
    "home": "redirects to the login page or the dashboard",
    "invitation_accept": "the signed invitation link; tested in test_invitations",
    "workspace_switch": "needs sign-in only; checks membership of the target itself (tested below)",
}
THIRD_PARTY_NAMESPACES = ("admin",)


def _our_url_names(resolver=None, namespace=""):
    resolver = resolver or get_resolver()
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            if pattern.namespace in THIRD_PARTY_NAMESPACES or pattern.urlconf_name == "allauth.urls":
                continue
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from _our_url_names(pattern, inner)
        elif isinstance(pattern, URLPattern) and pattern.name:
            module = getattr(pattern.callback, "__module__", "")
            if module.split(".")[0] in {"salesops", "campaigns", "agents", "review"}:
                yield f"{namespace}{pattern.name}"


def test_every_url_of_the_product_has_an_access_rule():
    missing = set(_our_url_names()) - set(URL_RULES) - set(PUBLIC_URLS)
    assert not missing, f"Add these URLs to URL_RULES with their role: {sorted(missing)}"


@pytest.fixture
def personas_with_rows(personas):
    from salesops.models import Invitation

    personas.invitation = Invitation.objects.create(
        workspace=personas.workspace,
        email="new@acme.test",
        role=Role.REP,
        expires_at="2999-01-01T00:00Z",
    )
    return personas


def _url(name, kwargs_for, personas):
    return reverse(name, kwargs=kwargs_for(personas) if kwargs_for else None)


@pytest.mark.parametrize("name", sorted(URL_RULES))
def test_anonymous_visitors_are_sent_to_sign_in(name, personas_with_rows, client):
    _, method, kwargs_for = URL_RULES[name]
    response = getattr(client, method)(_url(name, kwargs_for, personas_with_rows))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


@pytest.mark.parametrize("name", sorted(URL_RULES))
@pytest.mark.parametrize("persona", ["rep", "manager", "admin"])
def test_each_role_gets_exactly_the_pages_its_rank_allows(name, persona, personas_with_rows):
    required_role, method, kwargs_for = URL_RULES[name]
    membership = getattr(personas_with_rows, persona)
    client = personas_with_rows.client_for(membership)
    response = getattr(client, method)(_url(name, kwargs_for, personas_with_rows))
    if membership.has_role(required_role):
        # 400: allowed in, but the empty form was refused.
        assert response.status_code in (200, 302, 400), response.status_code
    else:
        assert response.status_code == 403
        assert AuditEvent.objects.filter(
            workspace=personas_with_rows.workspace, verb="security.permission_denied", actor=membership.user.email
        ).exists()


@pytest.mark.parametrize("name", sorted(n for n, rule in URL_RULES.items() if rule[2] is not None))
def test_an_outsider_guessing_ids_gets_404(name, personas_with_rows):
    _, method, kwargs_for = URL_RULES[name]
    client = personas_with_rows.client_for(personas_with_rows.outsider)
    response = getattr(client, method)(_url(name, kwargs_for, personas_with_rows))
    assert response.status_code == 404


def test_navigation_shows_each_role_only_its_links(personas):
    expected = {
        "rep": {"Dashboard", "Inbox", "Accounts"},
        "manager": {"Dashboard", "Inbox", "Accounts", "Campaigns", "ICPs"},
        "admin": {"Dashboard", "Inbox", "Accounts", "Campaigns", "ICPs", "Audit", "Settings"},
    }
    for persona, labels in expected.items():
        response = personas.client_for(getattr(personas, persona)).get(reverse("dashboard"))
        shown = {label for label, _ in response.context["navigation"]}
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
