"""Admins' delivery pages: mailboxes (secrets encrypted, never shown again, a test email), the suppression
list (add, import, remove), the outbox with its decisions, and the sandbox that `make run` sends to."""

import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.html import escape

from agents.delivery.crypto import decrypt, encrypt
from agents.delivery.models import Mailbox, OutboundMessage, SandboxMail, Suppression
from agents.delivery.scheduling import delivery_schedule
from agents.delivery.sending import delivery_send_due
from agents.delivery.tests.support import make_mailbox, make_queued, next_monday, smtp_server_running
from campaigns.tests.factories import make_account, make_campaign, make_contact
from salesops.models import AuditEvent

pytestmark = pytest.mark.django_db
ROOT = Path(settings.BASE_DIR)


@pytest.fixture
def smtp_server():
    with smtp_server_running() as server:
        yield server


def _mailbox_form(**overrides) -> dict:
    return {
        "from_name": "Sam Seller",
        "from_address": "Sam@Sender.example",
        "reply_to_domain": "replies.sender.example",
        "signature": "",
        "daily_cap": "30",
        "warmup_started_on": "",
        "status": "active",
        "transport": "smtp",
        "smtp_host": "127.0.0.1",
        "smtp_port": "2525",
        "smtp_username": "sam",
        "smtp_password": "s3cret-passw0rd",
        "smtp_security": "none",
        **overrides,
    }


def test_an_admin_adds_a_mailbox_whose_password_is_encrypted_and_never_shown_again(personas):
    campaign = make_campaign(workspace=personas.workspace)
    client = personas.client_for(personas.admin)
    response = client.post(reverse("agents:mailbox_create"), _mailbox_form(campaigns=[campaign.pk]))
    mailbox = Mailbox.objects.get(workspace=personas.workspace)
    assert response.status_code == 302
    assert mailbox.from_address == "sam@sender.example" and list(mailbox.campaigns.all()) == [campaign]
    assert (
        "s3cret" not in mailbox.smtp_password_encrypted
        and decrypt(mailbox.smtp_password_encrypted) == "s3cret-passw0rd"
    )
    page = client.get(reverse("agents:mailbox_edit", args=[mailbox.pk])).text
    assert "s3cret" not in page and "A password is stored (encrypted)" in page
    event = AuditEvent.objects.get(verb="mailbox.created")
    assert event.after["smtp_password"] == "(changed)" and "s3cret" not in str(event.after)
    # Saving without typing a password keeps the stored one.
    client.post(reverse("agents:mailbox_edit", args=[mailbox.pk]), _mailbox_form(smtp_password="", daily_cap="40"))
    mailbox.refresh_from_db()
    assert mailbox.daily_cap == 40 and decrypt(mailbox.smtp_password_encrypted) == "s3cret-passw0rd"


def test_a_cap_above_fifty_is_refused(personas):
    response = personas.client_for(personas.admin).post(reverse("agents:mailbox_create"), _mailbox_form(daily_cap="60"))
    assert response.status_code == 400 and "less than or equal to 50" in response.text
    assert not Mailbox.objects.exists()


def test_secrets_follow_key_rotation_and_refuse_a_wrong_key(settings):
    token = encrypt("hunter2")
    settings.SALESOPS_ENCRYPTION_KEYS = ["a-brand-new-key-for-rotation-0123456789", *settings.SALESOPS_ENCRYPTION_KEYS]
    assert decrypt(token) == "hunter2"
    settings.SALESOPS_ENCRYPTION_KEYS = ["an-unrelated-key-that-cannot-decrypt-0123"]
    with pytest.raises(Exception, match="cannot be decrypted"):
        decrypt(token)


def test_production_refuses_to_start_without_an_encryption_key():
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SALESOPS_", "DJANGO_"))}
    env |= {"DEBUG": "0", "SECRET_KEY": "x" * 60, "ALLOWED_HOSTS": "sales.example.com"}
    env["DJANGO_SETTINGS_MODULE"] = "salesops.settings"
    result = subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode != 0
    assert "SALESOPS_ENCRYPTION_KEY must be set when DEBUG is off" in result.stderr


def test_the_test_email_goes_through_the_mailbox_and_failures_say_why(personas, smtp_server):
    mailbox = make_mailbox(workspace=personas.workspace, smtp=smtp_server)
    client = personas.client_for(personas.admin)
    response = client.post(reverse("agents:mailbox_send_test", args=[mailbox.pk]), {"to": "me@acme.test"}, follow=True)
    assert "Test email sent to me@acme.test (250" in response.text
    [received] = smtp_server.handler.received
    assert received["To"] == "me@acme.test" and mailbox.from_address in received["From"]
    Mailbox.objects.filter(pk=mailbox.pk).update(smtp_port=1)
    response = client.post(reverse("agents:mailbox_send_test", args=[mailbox.pk]), {"to": "me@acme.test"}, follow=True)
    assert "The test email was not sent: Could not connect" in response.text


def test_the_mailbox_list_shows_todays_use_in_a_fixed_number_of_queries(personas):
    campaign = make_campaign(workspace=personas.workspace)
    for _ in range(3):
        make_mailbox(workspace=personas.workspace, campaigns=[campaign])
    client = personas.client_for(personas.admin)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("agents:mailbox_list"))
    assert response.text.count("0 sent, 0 slots of 30 allowed") == 3 and campaign.name in response.text
    # session, user, membership; mailboxes, their campaigns, today's counters
    assert len(queries) <= 8, [query["sql"] for query in queries]


def test_suppressing_a_domain_cancels_its_waiting_emails_and_can_be_undone(personas):
    account = make_account(workspace=personas.workspace, domain="blocked.example")
    message = make_queued(
        workspace=personas.workspace, contact=make_contact(workspace=personas.workspace, account=account)
    )
    client = personas.client_for(personas.admin)
    response = client.post(
        reverse("agents:suppression_add"), {"entry": "@Blocked.example", "note": "asked"}, follow=True
    )
    assert "blocked.example is suppressed" in response.text
    message.refresh_from_db()
    assert (message.status, message.cancel_reason) == ("cancelled", "suppressed")
    entry = Suppression.objects.get(workspace=personas.workspace)
    assert (entry.kind, entry.value, entry.reason) == ("domain", "blocked.example", "manual")
    again = client.post(reverse("agents:suppression_add"), {"entry": "blocked.example"})
    assert again.status_code == 400 and "already suppressed" in again.text
    client.post(reverse("agents:suppression_remove", args=[entry.pk]))
    assert not Suppression.objects.exists()
    assert AuditEvent.objects.filter(verb__startswith="suppression.").count() == 2


def test_a_suppression_list_is_imported_from_a_file(personas):
    Suppression.objects.create(workspace=personas.workspace, kind="email", value="known@x.example", reason="manual")
    upload = SimpleUploadedFile(
        "list.csv", b"email,name\nA@One.example,Ann\nknown@x.example,\nnot an address\ntwo.example\n", "text/csv"
    )
    response = personas.client_for(personas.admin).post(
        reverse("agents:suppression_import"), {"file": upload, "note": "old CRM"}, follow=True
    )
    assert (
        "Imported 2 entries (1 were already on the list). 1 lines were skipped: line 4: not an address."
        in response.text
    )
    assert set(Suppression.objects.values_list("kind", "value")) == {
        ("email", "known@x.example"),
        ("email", "a@one.example"),
        ("domain", "two.example"),
    }


def test_the_outbox_says_when_and_why_each_email_leaves(personas):
    campaign = make_campaign(workspace=personas.workspace, status="active")
    make_mailbox(workspace=personas.workspace, campaigns=[campaign])
    message = make_queued(workspace=personas.workspace, campaign=campaign)
    delivery_schedule(workspace=personas.workspace, now=next_monday(hour=6))
    message.refresh_from_db()
    client = personas.client_for(personas.admin)
    listing = client.get(reverse("agents:outbox_list"), {"status": "scheduled"})
    assert message.subject in listing.text and "mailbox 1 of 1" in listing.text
    detail = client.get(reverse("agents:outbox_detail", args=[message.pk]))
    assert escape(message.message_id) in detail.text
    assert escape(message.decision) in detail.text


def test_in_development_mail_lands_in_the_sandbox_page_with_its_headers(personas, settings):
    settings.SALESOPS_MAIL_SANDBOX = True
    campaign = make_campaign(workspace=personas.workspace, status="active")
    make_mailbox(workspace=personas.workspace, campaigns=[campaign])  # the app's mail settings
    message = make_queued(workspace=personas.workspace, campaign=campaign)
    delivery_schedule(workspace=personas.workspace, now=next_monday(hour=6))
    message.refresh_from_db()
    assert delivery_send_due(now=message.scheduled_for + timedelta(seconds=1)).sent == 1
    mail = SandboxMail.objects.get(workspace=personas.workspace)
    assert mail.message_id == message.pk and mail.subject == message.subject
    headers = dict(mail.headers)
    assert (
        headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click" and headers["Message-ID"] == message.message_id
    )
    client = personas.client_for(personas.admin)
    assert message.subject in client.get(reverse("agents:sandbox_list")).text
    detail = client.get(reverse("agents:sandbox_detail", args=[mail.pk])).text
    assert "List-Unsubscribe" in detail and "open the unsubscribe link" in detail and "You raised a Series B." in detail
    assert OutboundMessage.objects.get(pk=message.pk).status == "sent"


def test_the_people_page_links_to_the_delivery_pages(personas):
    page = personas.client_for(personas.admin).get(reverse("settings_members")).text
    for name in ("mailbox_list", "suppression_list", "sandbox_list"):
        assert f'href="{reverse("agents:" + name)}"' in page


@pytest.mark.parametrize("url_name", ["agents:outbox_list", "agents:suppression_list", "agents:sandbox_list"])
def test_the_delivery_lists_cost_the_same_queries_for_one_row_or_many(personas, url_name):
    client = personas.client_for(personas.admin)

    def add_rows(count: int) -> None:
        for _ in range(count):
            message = make_queued(workspace=personas.workspace, cite_signal=False)
            Suppression.objects.create(
                workspace=personas.workspace, kind="email", value=message.contact.email, reason="manual"
            )
            SandboxMail.objects.create(
                workspace=personas.workspace, message=message, from_header="a@b.example", to_header="c", raw="x"
            )

    add_rows(1)
    with CaptureQueriesContext(connection) as one:
        assert client.get(reverse(url_name)).status_code == 200
    add_rows(5)
    with CaptureQueriesContext(connection) as six:
        assert client.get(reverse(url_name)).status_code == 200
    assert len(one) == len(six), [query["sql"][:90] for query in six]


# Managers read the delivery pages; admins change them ----------------------------------------------


def test_a_manager_reads_the_mailboxes_outbox_and_sandbox_without_write_controls(personas):
    mailbox = make_mailbox(workspace=personas.workspace, daily_cap=20)
    message = make_queued(workspace=personas.workspace)
    mail = SandboxMail.objects.create(
        workspace=personas.workspace, from_header="a@b.example", to_header="c@d.example", subject="Kept", raw="x"
    )
    client = personas.client_for(personas.manager)
    mailboxes = client.get(reverse("agents:mailbox_list")).text
    assert mailbox.from_address in mailboxes and "slots of 20 allowed" in mailboxes
    assert reverse("agents:mailbox_create") not in mailboxes
    assert reverse("agents:mailbox_edit", args=[mailbox.pk]) not in mailboxes
    assert reverse("agents:suppression_list") not in mailboxes and reverse("settings_members") not in mailboxes
    assert message.subject in client.get(reverse("agents:outbox_list")).text
    assert escape(message.message_id) in client.get(reverse("agents:outbox_detail", args=[message.pk])).text
    assert "Kept" in client.get(reverse("agents:sandbox_detail", args=[mail.pk])).text
    admin_page = personas.client_for(personas.admin).get(reverse("agents:mailbox_list")).text
    assert reverse("agents:mailbox_edit", args=[mailbox.pk]) in admin_page and "Add a mailbox" in admin_page


def test_a_manager_cannot_change_a_mailbox_send_a_test_or_edit_the_suppression_list(personas):
    mailbox = make_mailbox(workspace=personas.workspace)
    client = personas.client_for(personas.manager)
    posts = [
        (reverse("agents:mailbox_create"), _mailbox_form()),
        (reverse("agents:mailbox_edit", args=[mailbox.pk]), _mailbox_form(daily_cap="50")),
        (reverse("agents:mailbox_send_test", args=[mailbox.pk]), {"to": "me@acme.test"}),
        (reverse("agents:suppression_add"), {"entry": "x.example"}),
    ]
    for url, data in posts:
        assert client.post(url, data).status_code == 403, url
    mailbox.refresh_from_db()
    assert Mailbox.objects.count() == 1 and mailbox.daily_cap == 30 and not Suppression.objects.exists()


def test_the_mailbox_services_refuse_a_manager_whatever_the_view(personas):
    from django.core.exceptions import PermissionDenied

    from agents.delivery import mailboxes

    mailbox = make_mailbox(workspace=personas.workspace)
    with pytest.raises(PermissionDenied):
        mailboxes.mailbox_send_test(actor=personas.manager, mailbox=mailbox, to="me@acme.test")


def test_a_read_page_answers_a_post_with_405(personas):
    response = personas.client_for(personas.manager).post(reverse("agents:outbox_list"))
    assert response.status_code == 405


def test_managers_find_the_delivery_pages_in_the_main_navigation_and_reps_do_not(personas):
    outbox = f'href="{reverse("agents:outbox_list")}"'
    assert outbox in personas.client_for(personas.manager).get(reverse("review:inbox")).text
    assert outbox not in personas.client_for(personas.rep).get(reverse("review:inbox")).text
    admin_home = personas.client_for(personas.admin).get(reverse("review:inbox")).text
    assert f'href="{reverse("settings_members")}"' in admin_home and ">Delivery<" not in admin_home
