"""Every contact has a page: profile, consent, signals, campaigns, the conversation and the history."""

import html
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from agents.conversations.models import InboundMessage
from agents.delivery.models import EmailThread, OutboundMessage, Suppression
from agents.delivery.tests.support import make_mailbox
from agents.models import AgentRun, AgentStep, TakeOver
from agents.outreach.pipeline import lead_pipeline_run
from agents.tests.factories import make_lead
from campaigns.models import Account, Contact
from campaigns.tests.factories import make_contact, make_signal
from salesops.audit import audit_record

pytestmark = pytest.mark.django_db


def _worked_lead(personas, *, replies: int = 1, emails: int = 1, signals: int = 0):
    """A lead the pipeline worked, who was emailed and replied."""
    lead = make_lead(workspace=personas.workspace)
    lead_pipeline_run(run_id=lead.run.pk)
    contact = lead.contact
    Contact.objects.filter(pk=contact.pk).update(phone="+49 30 1234567", time_zone="Europe/Berlin")
    mailbox = make_mailbox(workspace=personas.workspace, campaigns=[lead.campaign])
    thread = EmailThread.objects.create(
        workspace=personas.workspace,
        campaign=lead.campaign,
        contact=contact,
        mailbox=mailbox,
        reply_token=f"t{contact.pk}",
    )
    now = timezone.now()
    for index in range(emails):
        OutboundMessage.objects.create(
            workspace=personas.workspace,
            campaign=lead.campaign,
            contact=contact,
            thread=thread,
            mailbox=mailbox,
            subject=f"Your Series B, part {index}",
            body_text=f"Hi Mia, email {index}",
            idempotency_key=f"page-{contact.pk}-{index}",
            status="sent",
            sent_at=now - timedelta(days=3, hours=index),
            approved_by=personas.rep.user,
        )
    for index in range(replies):
        InboundMessage.objects.create(
            workspace=personas.workspace,
            channel="simulator",
            raw=b"x",
            size_bytes=1,
            dedupe_key=f"reply-{contact.pk}-{index}",
            status="processed",
            thread=thread,
            contact=contact,
            subject=f"Re: Your Series B {index}",
            text=f"<script>alert({index})</script> Tell me more",
            category="interested",
            received_at=now - timedelta(days=1, hours=index),
        )
    for _ in range(signals):
        make_signal(workspace=personas.workspace, account=contact.account)
    contact.refresh_from_db()
    return lead, contact


def _page(client, contact):
    return client.get(reverse("insights:contact_detail", args=[contact.pk]))


def test_a_rep_reads_the_profile_and_that_the_person_may_be_emailed(personas):
    lead, contact = _worked_lead(personas)
    response = _page(personas.client_for(personas.rep), contact)
    profile = response.text.split('id="profile"')[1].split("</dl>")[0]
    for fact in [contact.first_name, contact.title, contact.email, "+49 30 1234567", "Europe/Berlin"]:
        assert fact in profile
    assert 'href="tel:+49301234567"' in profile
    assert reverse("campaigns:account_detail", args=[contact.account_id]) in profile
    assert contact.get_status_display() in profile
    assert "<strong>May be emailed.</strong>" in response.text
    assert response.context["page"].may_be_emailed is True


def test_the_profile_names_the_zone_the_person_is_emailed_in_and_where_it_comes_from(personas):
    _, contact = _worked_lead(personas)
    client = personas.client_for(personas.rep)

    def profile() -> str:
        return html.unescape(_page(client, contact).text.split('id="profile"')[1].split("</dl>")[0])

    assert "Europe/Berlin <small>(contact's time zone)</small>" in profile()
    Contact.objects.filter(pk=contact.pk).update(time_zone="")
    Account.objects.filter(pk=contact.account_id).update(country="RU")
    assert "Europe/Moscow <small>(account's country)</small>" in profile()
    Account.objects.filter(pk=contact.account_id).update(country="")
    assert f"{personas.workspace.default_time_zone} <small>(workspace default)</small>" in profile()


def test_a_suppressed_domain_or_an_opt_out_is_shown_with_its_reason(personas):
    _, contact = _worked_lead(personas)
    domain = contact.email.rpartition("@")[2]
    Suppression.objects.create(workspace=personas.workspace, kind="domain", value=domain, reason="complaint")
    Suppression.objects.create(
        workspace=personas.workspace, kind="email", value="someone.else@" + domain, reason="manual"
    )
    Suppression.objects.create(
        workspace=personas.outsider.workspace, kind="email", value=contact.email, reason="manual"
    )
    response = _page(personas.client_for(personas.rep), contact)
    assert [s.value for s in response.context["page"].suppressions] == [domain]
    assert "<strong>Never emailed again.</strong>" in response.text
    assert f"<code>{domain}</code> on the suppression list: spam complaint" in response.text
    Suppression.objects.all().delete()
    Contact.objects.filter(pk=contact.pk).update(status="unsubscribed")
    response = _page(personas.client_for(personas.rep), contact)
    assert "Never emailed again.</strong> The person unsubscribed." in response.text


def test_it_shows_the_signals_of_the_person_and_of_the_account(personas):
    lead, contact = _worked_lead(personas)
    colleague = make_contact(workspace=personas.workspace, account=contact.account)
    about_person = make_signal(
        workspace=personas.workspace, account=contact.account, contact=contact, title="Job change"
    )
    about_colleague = make_signal(
        workspace=personas.workspace, account=contact.account, contact=colleague, title="Colleague posted"
    )
    make_signal(workspace=personas.workspace, title="Another account's news")
    response = _page(personas.client_for(personas.rep), contact)
    shown = {signal.pk for signal in response.context["page"].signals}
    assert shown == {lead.signal.pk, about_person.pk, about_colleague.pk}
    signals = response.text.split('id="signals"')[1]
    assert (
        f"about {contact.name}" in signals and f"about {colleague.name}" in signals and "about the account" in signals
    )
    assert "Another account&#x27;s news" not in response.text and "Another account's news" not in response.text


def test_it_lists_the_campaigns_runs_with_their_status(personas):
    lead, contact = _worked_lead(personas)
    later = AgentRun.objects.create(
        workspace=personas.workspace, campaign=lead.campaign, contact=contact, step_position=2, status="pending"
    )
    response = _page(personas.client_for(personas.rep), contact)
    runs = response.context["page"].runs
    assert [run.pk for run in runs] == [later.pk, lead.run.pk]
    table = response.text.split('id="runs"')[1].split("</table>")[0]
    assert lead.campaign.name in table and "Pending" in table
    assert AgentRun.objects.get(pk=lead.run.pk).get_status_display() in table
    assert reverse("insights:campaign_dashboard", args=[lead.campaign.pk]) in table
    # Run pages are the admins' (they show prompts and costs): a rep sees no link to them.
    assert reverse("agent_runs:run_detail", args=[lead.run.pk]) not in table
    admin_table = _page(personas.client_for(personas.admin), contact).text.split('id="runs"')[1]
    assert reverse("agent_runs:run_detail", args=[lead.run.pk]) in admin_table


def test_the_conversation_shows_both_ways_in_order_escaped_and_links_to_the_inbox_thread(personas):
    _, contact = _worked_lead(personas, emails=2, replies=2)
    response = _page(personas.client_for(personas.rep), contact)
    thread = response.context["page"].thread
    expected = sorted(
        [(m.sent_at, "out", m.subject) for m in OutboundMessage.objects.filter(contact=contact)]
        + [(r.received_at, "in", r.subject) for r in InboundMessage.objects.filter(contact=contact)]
    )
    assert [(entry.at, entry.direction, entry.subject) for entry in thread] == expected
    assert [entry.direction for entry in thread] == ["out", "out", "in", "in"]
    assert "&lt;script&gt;alert(0)&lt;/script&gt; Tell me more" in response.text
    assert "<script>alert(" not in response.text
    assert f'href="{reverse("review:thread", args=[contact.pk])}"' in response.text
    assert f"approved by {personas.rep.user}" in response.text


def test_the_history_lists_agent_steps_and_recorded_actions_about_the_person(personas):
    lead, contact = _worked_lead(personas)
    audit_record(
        workspace=personas.workspace, verb="contact.noted", actor="user:rep@acme.test", target=contact, after={}
    )
    response = _page(personas.client_for(personas.rep), contact)
    history = response.context["history"]
    steps = AgentStep.objects.filter(run__contact=contact).count()
    assert steps > 0
    assert len([entry for entry in history if entry.is_step]) == steps
    assert [entry.verb for entry in history if not entry.is_step][0] == "contact.noted"
    assert "contact.noted" in response.text.split('id="history"')[1]
    # Details are the audit's, for admins.
    assert reverse("insights:step_detail", args=[history[-1].pk]) not in response.text
    admin = _page(personas.client_for(personas.admin), contact)
    assert reverse("insights:contact_history", args=[contact.pk]) in admin.text


def test_the_conversation_owner_and_the_referrer_are_shown(personas):
    _, contact = _worked_lead(personas)
    referrer = make_contact(workspace=personas.workspace, account=contact.account, first_name="Rafael")
    Contact.objects.filter(pk=contact.pk).update(referred_by=referrer)
    TakeOver.objects.create(workspace=personas.workspace, contact=contact, user=personas.rep.user)
    response = _page(personas.client_for(personas.manager), contact)
    assert f"the conversation is taken over by {personas.rep.user}" in response.text
    assert reverse("insights:contact_detail", args=[referrer.pk]) in response.text


def test_the_account_page_and_the_audit_timeline_link_to_the_contact_page(personas):
    _, contact = _worked_lead(personas)
    url = reverse("insights:contact_detail", args=[contact.pk])
    assert (
        url
        in personas.client_for(personas.rep).get(reverse("campaigns:account_detail", args=[contact.account_id])).text
    )
    assert url in personas.client_for(personas.admin).get(reverse("insights:timeline")).text


def test_another_workspaces_contact_is_404(personas):
    _, contact = _worked_lead(personas)
    assert _page(personas.client_for(personas.outsider), contact).status_code == 404


def test_the_contact_page_runs_a_constant_number_of_queries(personas):
    _, small = _worked_lead(personas, emails=1, replies=1, signals=0)
    _, large = _worked_lead(personas, emails=6, replies=5, signals=8)
    client = personas.client_for(personas.rep)
    _page(client, small)
    with CaptureQueriesContext(connection) as few:
        _page(client, small)
    with CaptureQueriesContext(connection) as many:
        response = _page(client, large)
    assert len(response.context["page"].thread) == 11
    # session, user, membership + workspace, the contact with its account, owner, referrer and take-over,
    # suppressions, signals (the count only when the list is full), runs, emails, replies, enrolments,
    # blocks, steps, actions.
    assert len(few) == len(many) == 13, [query["sql"] for query in many]
