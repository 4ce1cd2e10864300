import pytest
from django.urls import reverse

from salesops.models import AuditEvent
from salesops.tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def test_a_member_signs_in_with_email_and_lands_on_the_dashboard_showing_the_role(personas, client):
    response = client.post(reverse("account_login"), {"login": "manager@acme.test", "password": PASSWORD}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("dashboard")
    assert "as <strong>manager</strong>" in response.text
    assert AuditEvent.objects.filter(verb="auth.logged_in", actor="manager@acme.test").exists()


def test_a_wrong_password_shows_a_form_error_and_is_recorded(personas, client):
    response = client.post(reverse("account_login"), {"login": "rep@acme.test", "password": "wrong"})
    assert response.status_code == 200
    assert "not correct" in response.text
    event = AuditEvent.objects.get(verb="security.login_failed")
    assert event.after["email"] == "rep@acme.test"


def test_repeated_failed_sign_ins_are_rate_limited(personas, client):
    for _ in range(5):
        client.post(reverse("account_login"), {"login": "rep@acme.test", "password": "wrong"})
    response = client.post(reverse("account_login"), {"login": "rep@acme.test", "password": PASSWORD})
    assert response.status_code == 429 or "Too many failed login attempts" in response.text
    assert "_auth_user_id" not in client.session


def test_a_member_turns_on_totp_two_factor_and_then_needs_a_code_to_sign_in(personas, client):
    from allauth.mfa.models import Authenticator
    from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value, yield_hotp_counters_from_time

    client.post(reverse("account_login"), {"login": "rep@acme.test", "password": PASSWORD})
    # Changing security settings asks for the password again.
    assert client.get(reverse("mfa_activate_totp"))["Location"].startswith(reverse("account_reauthenticate"))
    client.post(reverse("account_reauthenticate"), {"password": PASSWORD})
    setup = client.get(reverse("mfa_activate_totp"))
    assert setup.status_code == 200
    secret = setup.context["form"].secret
    code = format_hotp_value(hotp_value(secret, next(yield_hotp_counters_from_time())))
    client.post(reverse("mfa_activate_totp"), {"code": code})
    assert Authenticator.objects.filter(user=personas.rep.user, type=Authenticator.Type.TOTP).exists()

    client.post(reverse("account_logout"))
    step_one = client.post(reverse("account_login"), {"login": "rep@acme.test", "password": PASSWORD})
    assert step_one["Location"] == reverse("mfa_authenticate")
    assert client.get(reverse("dashboard")).status_code == 302  # not signed in until the code is given


def test_signing_out_needs_a_post(personas):
    client = personas.client_for(personas.rep)
    client.post(reverse("account_logout"))
    assert client.get(reverse("dashboard")).status_code == 302


def test_the_sign_in_page_offers_no_sign_up_because_accounts_come_by_invitation(db, client):
    signup_url = reverse("account_signup")
    response = client.get(reverse("account_login"))
    assert response.status_code == 200
    assert f'href="{signup_url}"' not in response.text
    assert "sign up" not in response.text.lower()
    assert "invitation" in response.text


def test_a_password_reset_for_an_unknown_address_does_not_send_a_sign_up_link(db, client, mailoutbox):
    client.post(reverse("account_reset_password"), {"email": "nobody@example.test"})
    assert len(mailoutbox) == 1
    body = mailoutbox[0].body
    assert reverse("account_signup") not in body
    assert "sign up" not in body.lower()
    assert "invitation" in body


def test_favicon_ico_leads_to_the_static_icon(db, client):
    response = client.get("/favicon.ico")
    assert response.status_code == 302 and response["Location"].endswith(".svg")
    assert 'rel="icon"' in client.get(reverse("account_login")).text
