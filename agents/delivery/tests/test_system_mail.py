"""The app's own mail (invitations, password resets, meeting invitations): in development it lands in
Settings → Sandbox mail beside the prospect mail, and every link in it still works once the message has
been through its transfer encoding (quoted-printable or base64, text and HTML parts)."""

import html
import re
from datetime import timedelta
from email import message_from_bytes, policy
from urllib.parse import urlsplit

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from agents.delivery.models import SandboxMail
from agents.meetings.invitations import REQUEST
from agents.meetings.services import meeting_invitations_send
from agents.meetings.tests.factories import make_availability, make_meeting, make_prospect
from salesops.services import invitation_create, invitation_url

pytestmark = pytest.mark.django_db
SANDBOX_MAILERS = {"default": {"BACKEND": "agents.delivery.sandbox.SystemMailSandboxBackend"}}


@pytest.fixture
def sandbox(settings):
    settings.SALESOPS_MAIL_SANDBOX = True
    settings.MAILERS = SANDBOX_MAILERS


def _invite(personas, django_capture_on_commit_callbacks, email="new.rep@acme.example"):
    personas.admin.user.first_name, personas.admin.user.last_name = "Zoë", "Ångström"  # a non-ASCII body
    personas.admin.user.save()
    with django_capture_on_commit_callbacks(execute=True):
        return invitation_create(actor=personas.admin, email=email, role="rep")


def _meeting(personas):
    make_availability(membership=personas.rep)
    contact = make_prospect(workspace=personas.workspace, first_name="Renée", last_name="Müller")
    start = (timezone.now() + timedelta(days=7)).replace(hour=10, minute=0, second=0, microsecond=0)
    return make_meeting(membership=personas.rep, contact=contact, start=start)


def _reset_password(client, email: str):
    return client.post(reverse("account_reset_password"), {"email": email})


# The sandbox keeps the app's own mail -------------------------------------------------------------------


def test_an_invitation_is_kept_in_the_sandbox_of_its_workspace_for_admins_only(
    personas, sandbox, django_capture_on_commit_callbacks
):
    invitation = _invite(personas, django_capture_on_commit_callbacks)
    kept = SandboxMail.objects.get(workspace=personas.workspace)
    assert kept.to_header == invitation.email and kept.admins_only and kept.message is None
    admin = personas.client_for(personas.admin)
    assert "You are invited to" in admin.get(reverse("agents:sandbox_list")).text
    detail = admin.get(reverse("agents:sandbox_detail", args=[kept.pk])).text
    assert "Links in this email" in detail and f'href="{invitation_url(invitation).rsplit(":", 2)[0]}' in detail
    manager = personas.client_for(personas.manager)
    assert "You are invited to" not in manager.get(reverse("agents:sandbox_list")).text
    assert manager.get(reverse("agents:sandbox_detail", args=[kept.pk])).status_code == 404
    assert not mail.outbox


def test_a_password_reset_is_kept_under_each_workspace_of_its_recipient(personas, sandbox, client):
    from salesops.tests.factories import make_membership

    second = make_membership(user=personas.rep.user, role="rep")
    _reset_password(client, personas.rep.user.email)
    kept = SandboxMail.objects.filter(to_header=personas.rep.user.email)
    assert {row.workspace_id for row in kept} == {personas.workspace.pk, second.workspace_id}
    assert all(row.admins_only for row in kept)
    assert not SandboxMail.objects.filter(workspace=personas.outsider.workspace).exists()


def test_a_password_reset_for_an_address_without_an_account_is_only_printed(personas, sandbox, client, capsys):
    _reset_password(client, "nobody@nowhere.example")
    assert not SandboxMail.objects.exists()
    assert "nobody@nowhere.example" in capsys.readouterr().out


def test_meeting_invitations_are_kept_with_their_ics_shown_and_downloadable(personas, sandbox):
    meeting = _meeting(personas)
    assert meeting_invitations_send(meeting_id=meeting.pk, sequence=meeting.sequence, method=REQUEST) == 2
    kept = SandboxMail.objects.filter(workspace=personas.workspace).order_by("pk")
    assert [row.to_header for row in kept] == [meeting.contact.email, personas.rep.user.email]
    assert not any(row.admins_only for row in kept)
    manager = personas.client_for(personas.manager)
    detail = manager.get(reverse("agents:sandbox_detail", args=[kept[0].pk])).text
    download = reverse("agents:sandbox_attachment", args=[kept[0].pk, 0])
    assert "invite.ics" in detail and f'href="{download}"' in detail and "BEGIN:VCALENDAR" in detail
    response = manager.get(download)
    assert response["Content-Type"].startswith("text/calendar")
    assert response["Content-Disposition"] == 'attachment; filename="invite.ics"'
    assert meeting.uid.encode() in response.content and b"METHOD:REQUEST" in response.content
    assert manager.get(reverse("agents:sandbox_attachment", args=[kept[0].pk, 1])).status_code == 404


def test_the_default_settings_keep_system_mail_in_the_sandbox_only_when_it_is_on():
    import subprocess
    import sys

    script = "from django.conf import settings; print(settings.MAILERS['default']['BACKEND'])"
    base = {"DJANGO_SETTINGS_MODULE": "salesops.settings", "DEBUG": "1", "PATH": "/usr/bin:/bin"}
    for extra, expected in (
        ({}, "agents.delivery.sandbox.SystemMailSandboxBackend"),
        ({"EMAIL_HOST": "smtp.example"}, "django.core.mail.backends.smtp.EmailBackend"),
        ({"SALESOPS_MAIL_SANDBOX": "0"}, "django.core.mail.backends.console.EmailBackend"),
    ):
        output = subprocess.run(
            [sys.executable, "-c", f"import django; django.setup(); {script}"],
            env={**base, **extra},
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        assert output.strip() == expected, extra


# Links survive the transfer encoding ------------------------------------------------------------------


def _links_in_sent_mail(message, site_url: str) -> list[str]:
    """The app's links (path and query) in every text part of the message as it leaves, decoded as a mail
    client would. The app's hosts: SITE_URL's (our own links) and the request's (allauth builds its own)."""
    hosts = {urlsplit(site_url).netloc, "testserver"}
    parsed = message_from_bytes(message.message(policy=policy.SMTP).as_bytes(), policy=policy.default)
    links = []
    for part in parsed.walk():
        if part.get_content_type() not in ("text/plain", "text/html"):
            continue
        assert part["Content-Transfer-Encoding"] in (None, "7bit", "8bit", "quoted-printable", "base64")
        content = part.get_content()
        if part.get_content_type() == "text/html":
            found = [html.unescape(link) for link in re.findall(r'href="([^"]+)"', content)]
        else:
            found = re.findall(r"https?://\S+", content)
        for link in map(urlsplit, found):
            if link.netloc in hosts:
                links.append(link.path + (f"?{link.query}" if link.query else ""))
    assert links, "no link of the app in the message"
    return links


def test_the_invitation_link_opens_the_invitation_after_transfer_encoding(
    personas, settings, client, django_capture_on_commit_callbacks
):
    invitation = _invite(personas, django_capture_on_commit_callbacks)
    [sent] = mail.outbox
    [link] = set(_links_in_sent_mail(sent, settings.SITE_URL))
    response = client.get(link)
    assert response.status_code == 200 and invitation.email in response.text
    assert response.templates[0].name == "salesops/invitation_accept.html"


def test_the_password_reset_link_opens_the_new_password_form_after_transfer_encoding(personas, settings, client):
    _reset_password(client, personas.rep.user.email)
    [sent] = mail.outbox
    links = set(_links_in_sent_mail(sent, settings.SITE_URL))
    [link] = [link for link in links if "/password/reset/key/" in link]
    response = client.get(link, follow=True)
    assert response.status_code == 200 and 'name="password1"' in response.text
    response = client.post(
        response.redirect_chain[-1][0] if response.redirect_chain else link,
        {"password1": "a-new-long-passphrase-9", "password2": "a-new-long-passphrase-9"},
    )
    assert response.status_code == 302
    personas.rep.user.refresh_from_db()
    assert personas.rep.user.check_password("a-new-long-passphrase-9")


def test_the_meeting_links_open_the_booking_pages_after_transfer_encoding(personas, settings, client):
    meeting = _meeting(personas)
    meeting_invitations_send(meeting_id=meeting.pk, sequence=meeting.sequence, method=REQUEST)
    prospect_mail = next(sent for sent in mail.outbox if meeting.contact.email in sent.to)
    links = set(_links_in_sent_mail(prospect_mail, settings.SITE_URL))
    assert len(links) >= 2
    for link in links:
        response = client.get(link)
        assert response.status_code == 200, link
        assert response.context["meeting"] == meeting, link
    assert {response.templates[0].name for response in map(client.get, links)} >= {"meetings/public/cancel.html"}


def test_the_unsubscribe_link_of_prospect_mail_works_from_its_text_and_its_html_part(personas, settings, client):
    from agents.delivery.scheduling import delivery_schedule
    from agents.delivery.sending import delivery_send_due
    from agents.delivery.tests.support import make_mailbox, make_queued, next_monday
    from campaigns.tests.factories import make_campaign

    campaign = make_campaign(workspace=personas.workspace, status="active")
    make_mailbox(workspace=personas.workspace, campaigns=[campaign])
    message = make_queued(workspace=personas.workspace, campaign=campaign, body_text="Grüße aus Köln,\n\nZoë")
    delivery_schedule(workspace=personas.workspace, now=next_monday(hour=6))
    message.refresh_from_db()
    assert delivery_send_due(now=message.scheduled_for + timedelta(seconds=1)).sent == 1
    [sent] = mail.outbox
    links = _links_in_sent_mail(sent, settings.SITE_URL)
    assert len(links) >= 2 and len(set(links)) == 1  # the same link in the text and the HTML part
    response = client.get(links[0])
    assert response.status_code == 200 and response.context["target"].contact == message.contact
