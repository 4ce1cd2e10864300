import re
from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from salesops.models import AuditEvent, Invitation, Membership, Role
from salesops.services import invitation_token
from salesops.tests.factories import make_user

pytestmark = pytest.mark.django_db


def _invite(personas, email="newrep@acme.test", role="rep"):
    client = personas.client_for(personas.admin)
    response = client.post(reverse("invitation_create"), {"email": email, "role": role})
    assert response.status_code == 302
    return Invitation.objects.get(workspace=personas.workspace, email=email, status="pending")


def _link_in_last_mail() -> str:
    match = re.search(r"https?://\S+/invitations/(\S+)/", mail.outbox[-1].body)
    assert match, mail.outbox[-1].body
    return reverse("invitation_accept", args=[match.group(1)])


def test_an_admin_invites_by_email_and_the_new_person_joins_with_that_role(
    personas, client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        invitation = _invite(personas, role="manager")
    assert mail.outbox[-1].to == ["newrep@acme.test"]
    link = _link_in_last_mail()

    page = client.get(link)
    assert "as <strong>manager</strong>" in page.text
    response = client.post(link, {"first_name": "Nia", "last_name": "New", "password": "a-long-new-password-77"})
    assert response.status_code == 302
    membership = Membership.objects.get(workspace=personas.workspace, user__email="newrep@acme.test")
    assert membership.role == Role.MANAGER
    invitation.refresh_from_db()
    assert invitation.status == "accepted"
    assert client.get(reverse("dashboard")).context["membership"] == membership
    assert AuditEvent.objects.filter(workspace=personas.workspace, verb="invitation.accepted").exists()


def test_an_invitation_link_works_only_once(personas, client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        _invite(personas)
    link = _link_in_last_mail()
    client.post(link, {"first_name": "Nia", "password": "a-long-new-password-77"})
    client.logout()
    again = client.get(link)
    assert again.status_code in (302, 400)


def test_an_expired_invitation_is_refused_and_recorded(personas, client):
    invitation = _invite(personas)
    Invitation.objects.filter(pk=invitation.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    response = client.get(reverse("invitation_accept", args=[invitation_token(invitation)]))
    assert response.status_code == 400
    assert "expired" in response.text
    assert AuditEvent.objects.filter(verb="security.invitation_expired_used", workspace=personas.workspace).exists()
    assert not Membership.objects.filter(user__email=invitation.email).exists()


def test_a_forged_invitation_is_refused_and_recorded(personas, client):
    invitation = _invite(personas)
    forged = invitation_token(invitation)[:-3] + "abc"
    response = client.post(
        reverse("invitation_accept", args=[forged]), {"first_name": "X", "password": "whatever-long-99"}
    )
    assert response.status_code == 400
    assert "not valid" in response.text
    assert AuditEvent.objects.filter(verb="security.invitation_forged", workspace=None).exists()
    assert not Membership.objects.filter(user__email=invitation.email).exists()


def test_an_existing_user_signs_in_then_joins(personas):
    other_member = personas.outsider
    invitation = _invite(personas, email=other_member.user.email, role="rep")
    link = reverse("invitation_accept", args=[invitation_token(invitation)])

    anonymous = personas.client_for(None)
    assert anonymous.get(link)["Location"].startswith(reverse("account_login"))

    client = personas.client_for(other_member)
    assert client.post(link).status_code == 302
    assert Membership.objects.filter(user=other_member.user, workspace=personas.workspace, role="rep").exists()


def test_an_invitation_cannot_be_taken_by_someone_else(personas):
    make_user(email="victim@acme.test")
    invitation = _invite(personas, email="victim@acme.test")
    link = reverse("invitation_accept", args=[invitation_token(invitation)])
    response = personas.client_for(personas.outsider).post(link)
    assert response.status_code == 400
    assert not Membership.objects.filter(user=personas.outsider.user, workspace=personas.workspace).exists()


def test_there_is_no_open_sign_up(db, client):
    response = client.post(
        reverse("account_signup"),
        {"email": "walkin@example.test", "password1": "x-long-pass-123", "password2": "x-long-pass-123"},
    )
    assert "Sign Up Closed" in response.text or response.status_code == 403
    from salesops.models import User

    assert not User.objects.filter(email="walkin@example.test").exists()


def test_inviting_a_current_member_says_so(personas):
    client = personas.client_for(personas.admin)
    response = client.post(reverse("invitation_create"), {"email": personas.rep.user.email, "role": "rep"})
    assert response.status_code == 400
    assert "already a member" in response.text


def test_withdrawing_an_invitation_kills_its_link(personas, client):
    invitation = _invite(personas)
    admin = personas.client_for(personas.admin)
    assert admin.post(reverse("invitation_revoke", args=[invitation.pk])).status_code == 302
    response = client.get(reverse("invitation_accept", args=[invitation_token(invitation)]))
    assert response.status_code == 400
    assert "withdrawn" in response.text


def test_the_last_admin_cannot_be_demoted_or_removed(personas):
    client = personas.client_for(personas.admin)
    client.post(reverse("membership_role_change", args=[personas.admin.pk]), {"role": "rep"})
    personas.admin.refresh_from_db()
    assert personas.admin.role == Role.ADMIN
    client.post(reverse("membership_remove", args=[personas.admin.pk]))
    assert Membership.objects.filter(pk=personas.admin.pk).exists()


def test_an_admin_changes_a_role_and_it_is_audited(personas):
    client = personas.client_for(personas.admin)
    client.post(reverse("membership_role_change", args=[personas.rep.pk]), {"role": "manager"})
    personas.rep.refresh_from_db()
    assert personas.rep.role == Role.MANAGER
    event = AuditEvent.objects.get(workspace=personas.workspace, verb="membership.role_changed")
    assert event.before == {"role": "rep"}
    assert event.after["role"] == "manager"
    assert event.actor == personas.admin.user.email
