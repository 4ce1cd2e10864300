"""Delivery's pages (Settings → Mailboxes, Suppression, Outbox, Sandbox mail) check sign-in, workspace and
role (see salesops.tests.access_matrix)."""

import pytest

from salesops.models import Role
from salesops.tests.access_matrix import Rule, access_tests

# Managers read the mailbox list, the outbox and the sandbox; every change (and the mailbox form, and the
# suppression list) is an admin's.
URL_RULES = {
    "agents:mailbox_list": Rule(Role.MANAGER),
    "agents:mailbox_create": Rule(Role.ADMIN),
    "agents:mailbox_edit": Rule(Role.ADMIN, kwargs=lambda rows: {"mailbox_id": rows.mailbox.pk}),
    "agents:mailbox_send_test": Rule(Role.ADMIN, "post", kwargs=lambda rows: {"mailbox_id": rows.mailbox.pk}),
    "agents:suppression_list": Rule(Role.ADMIN),
    "agents:suppression_add": Rule(Role.ADMIN, "post"),
    "agents:suppression_import": Rule(Role.ADMIN, "post"),
    "agents:suppression_remove": Rule(Role.ADMIN, "post", kwargs=lambda rows: {"suppression_id": rows.suppression.pk}),
    "agents:outbox_list": Rule(Role.MANAGER),
    "agents:outbox_detail": Rule(Role.MANAGER, kwargs=lambda rows: {"message_id": rows.message.pk}),
    # Send now: the writer of a person's email (a rep here), a manager or an admin; tested in test_send_now.
    "agents:outbox_send_now": Rule(Role.REP, "post", kwargs=lambda rows: {"message_id": rows.persons_message.pk}),
    "agents:sandbox_list": Rule(Role.MANAGER),
    "agents:sandbox_detail": Rule(Role.MANAGER, kwargs=lambda rows: {"mail_id": rows.sandbox_mail.pk}),
    "agents:sandbox_attachment": Rule(Role.MANAGER, kwargs=lambda rows: {"mail_id": rows.sandbox_mail.pk, "index": 0}),
}
PUBLIC_URLS: dict[str, str] = {
    "agents:unsubscribe": "the signed unsubscribe link in every email (RFC 8058); tested in test_unsubscribe",
}


@pytest.fixture
def access_rows(personas):
    from django.core.mail import EmailMessage

    from agents.delivery.models import Suppression
    from agents.delivery.sandbox import sandbox_keep
    from agents.delivery.tests.support import make_mailbox, make_queued

    personas.mailbox = make_mailbox(workspace=personas.workspace)
    personas.suppression = Suppression.objects.create(
        workspace=personas.workspace, kind="domain", value="blocked.example", reason="manual"
    )
    personas.message = make_queued(workspace=personas.workspace)
    personas.persons_message = make_queued(workspace=personas.workspace, approved_by=personas.rep.user)
    email = EmailMessage("Hi", "Hi", "a@b.example", ["c@d.example"])
    email.attach("invite.ics", "BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n", "text/calendar")
    [personas.sandbox_mail] = sandbox_keep(email, workspace_ids=[personas.workspace.pk])
    return personas


globals().update(access_tests(URL_RULES))
