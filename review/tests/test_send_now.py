"""A person who wrote their own email in a taken-over conversation can hurry it with "Send now" from the
thread page and from the inbox item: only for their own email still waiting, and only the writer, a
manager or an admin; the answer (sent now, waits for business hours, refused at the cap) shows on the page."""

import re
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.urls import reverse

from agents import decisions
from agents.delivery.models import MailboxDay, OutboundMessage
from agents.delivery.tests.support import make_mailbox, make_queued, next_monday
from campaigns.models import Campaign, Contact
from review.tests.factories import make_review_handoff
from salesops.tests.factories import make_membership, make_user

pytestmark = pytest.mark.django_db
BERLIN = ZoneInfo("Europe/Berlin")


@pytest.fixture
def taken_over(personas):
    """An item the rep took over, in an active campaign with a mailbox (cap 3), the contact in Berlin."""
    handoff = make_review_handoff(workspace=personas.workspace)
    Campaign.objects.filter(pk=handoff.campaign_id).update(status="active")
    make_mailbox(workspace=personas.workspace, campaigns=[handoff.campaign], daily_cap=3)
    Contact.objects.filter(pk=handoff.contact_id).update(time_zone="Europe/Berlin")
    decisions.handoff_take_over(handoff=handoff, actor=personas.rep)
    return handoff


def _write(client, handoff, subject="About your question") -> OutboundMessage:
    """The rep writes to the contact from the inbox item, as a person does."""
    response = client.post(
        reverse("review:compose", args=[handoff.pk]), {"subject": subject, "body": "Hi,\n\nHere it is.", "token": "t1"}
    )
    assert response.status_code == 302
    return OutboundMessage.objects.get(contact=handoff.contact, subject=subject)


def _send_now_forms(html: str) -> list[str]:
    return re.findall(r'<form method="post" action="/[^"]*/send-now/".*?</form>', html, re.S)


def _thread(handoff) -> str:
    return reverse("review:thread", args=[handoff.contact_id])


def _item(handoff) -> str:
    return reverse("review:item", args=[handoff.pk])


def test_the_writer_sends_their_own_reply_now_from_the_thread_page(
    personas, taken_over, django_capture_on_commit_callbacks
):
    rep = personas.client_for(personas.rep)
    message = _write(rep, taken_over)
    send_now = reverse("agents:outbox_send_now", args=[message.pk])

    page = rep.get(_thread(taken_over)).content.decode()
    [form] = _send_now_forms(page)
    assert f'action="{send_now}"' in form and 'name="csrfmiddlewaretoken"' in form
    assert f'name="next" value="{_thread(taken_over)}"' in form
    assert 'Send now<span class="visually-hidden">: About your question</span>' in form

    with time_machine.travel(next_monday(hour=10), tick=False), django_capture_on_commit_callbacks(execute=True):
        response = rep.post(send_now, {"next": _thread(taken_over)}, follow=True)

    assert response.redirect_chain == [(_thread(taken_over), 302)]
    assert "It leaves now" in response.content.decode()
    message.refresh_from_db()
    assert message.status == "sent" and [sent.subject for sent in mail.outbox] == ["About your question"]
    assert not _send_now_forms(rep.get(_thread(taken_over)).content.decode())  # it left: nothing to hurry


def test_outside_business_hours_the_item_says_when_it_leaves(personas, taken_over):
    rep = personas.client_for(personas.rep)
    message = _write(rep, taken_over)
    item = _item(taken_over) + "?queue=mine"

    page = rep.get(item).content.decode()
    [form] = _send_now_forms(page)
    assert f'name="next" value="{_item(taken_over)}?queue=mine"' in form

    with time_machine.travel(next_monday(hour=19), tick=False):  # after 17:00 in Berlin
        response = rep.post(reverse("agents:outbox_send_now", args=[message.pk]), {"next": item}, follow=True)

    assert response.redirect_chain == [(item, 302)]
    html = response.content.decode()
    assert "Outside" in html and "business hours: it leaves when they open, Tue" in html
    message.refresh_from_db()
    assert message.status == "scheduled" and message.scheduled_for.astimezone(BERLIN).hour == 9


def test_at_the_mailboxs_cap_it_is_refused_and_says_why(personas, taken_over):
    rep = personas.client_for(personas.rep)
    message = _write(rep, taken_over)
    now = next_monday(hour=10)
    MailboxDay.objects.create(
        mailbox=taken_over.campaign.mailboxes.get(), day=now.astimezone(BERLIN).date(), scheduled=3
    )

    with time_machine.travel(now, tick=False):
        response = rep.post(
            reverse("agents:outbox_send_now", args=[message.pk]), {"next": _thread(taken_over)}, follow=True
        )

    assert "has used all 3 sends" in response.content.decode()
    message.refresh_from_db()
    assert message.status == "queued"
    assert len(_send_now_forms(response.content.decode())) == 1  # still waiting: it can be tried again


def test_only_the_writer_a_manager_or_an_admin_see_send_now(personas, taken_over):
    message = _write(personas.client_for(personas.rep), taken_over)
    other_rep = make_membership(workspace=personas.workspace, role="rep", user=make_user(email="other@acme.test"))
    for member, shown in ((personas.rep, 1), (personas.manager, 1), (personas.admin, 1), (other_rep, 0)):
        client = personas.client_for(member)
        assert len(_send_now_forms(client.get(_thread(taken_over)).content.decode())) == shown, member
        assert len(_send_now_forms(client.get(_item(taken_over)).content.decode())) == shown, member
    assert personas.client_for(other_rep).post(reverse("agents:outbox_send_now", args=[message.pk])).status_code == 403


def test_no_send_now_for_the_agents_email_or_one_that_left(personas, taken_over):
    make_queued(workspace=personas.workspace, campaign=taken_over.campaign, contact=taken_over.contact, step=2)
    message = _write(personas.client_for(personas.rep), taken_over)
    manager = personas.client_for(personas.manager)
    assert len(_send_now_forms(manager.get(_thread(taken_over)).content.decode())) == 1  # the person's only
    OutboundMessage.objects.filter(pk=message.pk).update(status="sent")
    assert not _send_now_forms(manager.get(_thread(taken_over)).content.decode())
    assert not _send_now_forms(manager.get(_item(taken_over)).content.decode())
