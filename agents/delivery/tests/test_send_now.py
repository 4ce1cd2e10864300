"""The outbox in send order with a status filter, and "send now" for an email a person wrote: at once
inside the recipient's business hours, else when they open (and it says so); never past the mailbox's
cap; for its writer, a manager or an admin."""

import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from agents.delivery.models import EmailThread, MailboxDay, OutboundMessage
from agents.delivery.send_now import outbound_send_now
from agents.delivery.tests.support import make_mailbox, make_queued, next_monday
from campaigns.tests.factories import make_campaign
from salesops.models import AuditEvent

pytestmark = pytest.mark.django_db
BERLIN = ZoneInfo("Europe/Berlin")


@pytest.fixture
def campaign(personas):
    campaign = make_campaign(workspace=personas.workspace, status="active")
    campaign.mailbox = make_mailbox(workspace=personas.workspace, campaigns=[campaign], daily_cap=3)
    return campaign


def _persons_reply(personas, campaign, writer=None, **fields) -> OutboundMessage:
    """A reply a person wrote in a take-over: no agent run, approved by its writer (recipient in Germany)."""
    writer = writer or personas.rep
    return make_queued(
        workspace=personas.workspace, campaign=campaign, cite_signal=False, approved_by=writer.user, **fields
    )


def test_it_sends_a_persons_reply_at_once_inside_the_recipients_business_hours(personas, campaign):
    message = _persons_reply(personas, campaign)
    now = next_monday(hour=10)  # 11:00 or 12:00 in Berlin
    result = outbound_send_now(message=message, actor=personas.rep, now=now)
    message.refresh_from_db()
    assert (message.status, message.scheduled_for, message.mailbox) == ("scheduled", now, campaign.mailbox)
    assert not result.waits_for_business_hours and result.text.startswith("It leaves now")
    assert message.thread == EmailThread.objects.get(campaign=campaign, contact=message.contact)
    assert MailboxDay.objects.get(mailbox=campaign.mailbox, day=message.send_day).scheduled == 1
    event = AuditEvent.objects.get(verb="outbound.sent_now")
    assert event.actor == personas.rep.user.email and event.after["waits_for_business_hours"] is False


def test_outside_business_hours_it_waits_for_the_window_to_open_and_says_so(personas, campaign):
    message = _persons_reply(personas, campaign)
    monday_evening = next_monday(hour=19)  # 20:00 or 21:00 in Berlin, after the 17:00 close
    result = outbound_send_now(message=message, actor=personas.rep, now=monday_evening)
    tuesday_nine = datetime.combine(monday_evening.date() + timedelta(days=1), datetime.min.time(), BERLIN).replace(
        hour=9
    )
    message.refresh_from_db()
    assert message.scheduled_for == tuesday_nine.astimezone(UTC) and result.waits_for_business_hours
    assert "Outside" in result.text and "business hours" in result.text and "Tue" in result.text
    assert "Europe/Berlin" in message.decision


def test_it_is_refused_with_a_clear_message_when_the_mailbox_cap_is_reached(personas, campaign):
    message = _persons_reply(personas, campaign)
    now = next_monday(hour=10)
    MailboxDay.objects.create(mailbox=campaign.mailbox, day=now.astimezone(BERLIN).date(), scheduled=3)
    with pytest.raises(ValidationError, match="has used all 3 sends"):
        outbound_send_now(message=message, actor=personas.rep, now=now)
    message.refresh_from_db()
    assert message.status == "queued" and not AuditEvent.objects.filter(verb="outbound.sent_now").exists()


def test_a_scheduled_reply_moved_within_its_day_keeps_its_one_slot(personas, campaign):
    message = _persons_reply(personas, campaign)
    now = next_monday(hour=8)
    outbound_send_now(message=message, actor=personas.rep, now=now - timedelta(hours=1))  # 08:00 Berlin in winter
    message.refresh_from_db()
    OutboundMessage.objects.filter(pk=message.pk).update(scheduled_for=now + timedelta(hours=5))
    message.refresh_from_db()
    outbound_send_now(message=message, actor=personas.rep, now=now)
    assert MailboxDay.objects.get(mailbox=campaign.mailbox, day=message.send_day).scheduled == 1


def test_an_agents_email_keeps_its_schedule(personas, campaign):
    agents_email = make_queued(workspace=personas.workspace, campaign=campaign)  # approved by nobody: the router's
    with pytest.raises(ValidationError, match="Only an email a person wrote"):
        outbound_send_now(message=agents_email, actor=personas.admin, now=next_monday(hour=10))


def test_a_rep_cannot_hurry_someone_elses_email_but_its_writer_a_manager_and_an_admin_can(personas, campaign):
    managers_email = _persons_reply(personas, campaign, writer=personas.manager)
    with pytest.raises(PermissionDenied):
        outbound_send_now(message=managers_email, actor=personas.rep, now=next_monday(hour=10))
    for actor in (personas.rep, personas.manager, personas.admin):
        outbound_send_now(message=_persons_reply(personas, campaign), actor=actor, now=next_monday(hour=10))
    assert AuditEvent.objects.filter(verb="outbound.sent_now").count() == 3


def test_it_checks_the_state_again_under_the_lock(personas, campaign):
    message = _persons_reply(personas, campaign)
    OutboundMessage.objects.filter(pk=message.pk).update(status="sent")  # the sender got there meanwhile
    with pytest.raises(ValidationError, match="This email is sent"):
        outbound_send_now(message=message, actor=personas.rep, now=next_monday(hour=10))


# The view ----------------------------------------------------------------------------------------------


def test_send_now_posts_then_redirects_and_the_sender_sends_it_at_once(
    personas, campaign, django_capture_on_commit_callbacks
):
    message = _persons_reply(personas, campaign)
    client = personas.client_for(personas.rep)
    url = reverse("agents:outbox_send_now", args=[message.pk])
    assert client.get(url).status_code == 405
    with time_machine.travel(next_monday(hour=10), tick=False), django_capture_on_commit_callbacks(execute=True):
        response = client.post(url)
    assert response.status_code == 302 and response["Location"] == reverse("review:inbox")
    message.refresh_from_db()
    assert message.status == "sent" and [sent.subject for sent in mail.outbox] == [message.subject]


def test_a_refusal_comes_back_as_a_message_and_htmx_gets_the_row(personas, campaign):
    message = _persons_reply(personas, campaign, status="cancelled")
    client = personas.client_for(personas.manager)
    url = reverse("agents:outbox_send_now", args=[message.pk])
    outbox = reverse("agents:outbox_list") + "?status=cancelled"
    response = client.post(url, {"next": outbox}, follow=True)
    assert response.redirect_chain[-1][0] == outbox and "This email is cancelled" in response.text
    fragment = client.post(url, headers={"HX-Request": "true"})
    assert fragment.status_code == 409 and f'id="outbox-message-{message.pk}"' in fragment.text
    assert "<html" not in fragment.text and "This email is cancelled" in fragment.text
    assert client.post(url, {"next": "https://evil.example/"}).url == reverse("agents:outbox_detail", args=[message.pk])


def test_the_send_now_button_shows_only_on_a_persons_pending_email(personas, campaign):
    persons = _persons_reply(personas, campaign)
    agents = make_queued(workspace=personas.workspace, campaign=campaign, cite_signal=False)
    page = personas.client_for(personas.manager).get(reverse("agents:outbox_list")).text
    assert reverse("agents:outbox_send_now", args=[persons.pk]) in page
    assert reverse("agents:outbox_send_now", args=[agents.pk]) not in page
    assert 'name="csrfmiddlewaretoken"' in page and 'aria-label="Send' in page


def test_csrf_is_required_to_send_now(personas, campaign):
    from django.test import Client

    message = _persons_reply(personas, campaign)
    client = Client(enforce_csrf_checks=True)
    client.force_login(personas.rep.user)
    assert client.post(reverse("agents:outbox_send_now", args=[message.pk])).status_code == 403
    message.refresh_from_db()
    assert message.status == "queued"


# Send order and the status filter ------------------------------------------------------------------------


def test_the_outbox_lists_what_leaves_next_first_then_the_queue_then_what_left(personas, campaign):
    soon, later = next_monday(hour=9), next_monday(hour=12)
    queued_first = make_queued(workspace=personas.workspace, campaign=campaign, cite_signal=False)
    queued_second = make_queued(workspace=personas.workspace, campaign=campaign, cite_signal=False)
    scheduled_later = make_queued(
        workspace=personas.workspace, campaign=campaign, status="scheduled", mailbox=campaign.mailbox,
        scheduled_for=later, cite_signal=False,
    )  # fmt: skip
    scheduled_soon = make_queued(
        workspace=personas.workspace, campaign=campaign, status="scheduled", mailbox=campaign.mailbox,
        scheduled_for=soon, cite_signal=False,
    )  # fmt: skip
    sent_old = make_queued(
        workspace=personas.workspace, campaign=campaign, status="sent", sent_at=soon - timedelta(days=3),
        cite_signal=False,
    )  # fmt: skip
    sent_new = make_queued(
        workspace=personas.workspace, campaign=campaign, status="sent", sent_at=soon - timedelta(days=1),
        cite_signal=False,
    )  # fmt: skip
    response = personas.client_for(personas.manager).get(reverse("agents:outbox_list"))
    shown = [message.pk for message in response.context["page"].object_list]
    assert shown == [
        scheduled_soon.pk, scheduled_later.pk, queued_first.pk, queued_second.pk, sent_new.pk, sent_old.pk
    ]  # fmt: skip


def test_the_status_filter_uses_human_labels_and_survives_paging(personas, campaign, monkeypatch):
    from agents.delivery import views as delivery_views

    monkeypatch.setattr(delivery_views, "PAGE_SIZE", 2)
    for _ in range(3):
        make_queued(workspace=personas.workspace, campaign=campaign, cite_signal=False)
    make_queued(workspace=personas.workspace, campaign=campaign, cite_signal=False, status="sent")
    client = personas.client_for(personas.manager)
    first = client.get(reverse("agents:outbox_list"), {"status": "queued"}).text
    assert "Outcome unknown (0)" in first and "Queued (3)" in first and 'href="?status=queued"' in first
    assert 'href="?status=queued&amp;page=2"' in first
    second = client.get(reverse("agents:outbox_list"), {"status": "queued", "page": 2})
    assert [message.status for message in second.context["page"].object_list] == ["queued"]
    assert 'aria-current="page">Queued (3)' in second.text


def test_an_htmx_status_change_marks_the_current_status_link_and_pushes_its_url(personas, campaign):
    make_queued(workspace=personas.workspace, campaign=campaign, cite_signal=False)
    make_queued(workspace=personas.workspace, campaign=campaign, cite_signal=False, status="sent")
    client = personas.client_for(personas.manager)

    swap = client.get(reverse("agents:outbox_list"), {"status": "sent"}, headers={"HX-Request": "true"})

    html = swap.text
    assert "<html" not in html and html.lstrip().startswith('<div id="outbox-results">')
    links = re.search(r'<nav aria-label="Filter by status".*?</nav>', html, re.S).group(0)
    assert re.findall(r'<a [^>]*aria-current="page"[^>]*>([^<]*)</a>', links) == ["Sent (1)"]
    assert swap["HX-Push-Url"] == reverse("agents:outbox_list") + "?status=sent"
    every = client.get(reverse("agents:outbox_list"), {"status": ""}, headers={"HX-Request": "true"})
    assert re.findall(r'<a [^>]*aria-current="page"[^>]*>([^<]*)</a>', every.text) == ["All"]
    assert every["HX-Push-Url"] == reverse("agents:outbox_list")
    # The form on the page swaps exactly that block.
    page = client.get(reverse("agents:outbox_list")).text
    assert 'hx-target="#outbox-results"' in page and page.count('id="outbox-results"') == 1
