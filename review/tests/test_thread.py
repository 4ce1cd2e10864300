"""The thread page: the whole conversation, each agent step and human action inline, a composer for
whoever took it over."""

import hashlib
from pathlib import Path

import pytest
from django.urls import reverse

from agents import decisions
from agents.delivery.models import OutboundMessage
from agents.models import Handoff
from agents.outreach.pipeline import lead_pipeline_run
from agents.tests.factories import make_lead

pytestmark = pytest.mark.django_db
CORPUS = Path(__file__).resolve().parents[2] / "agents" / "conversations" / "tests" / "corpus"


def test_the_thread_shows_emails_replies_steps_and_actions_in_order(personas, django_capture_on_commit_callbacks):
    lead = make_lead(workspace=personas.workspace, autonomy="review_all")
    handoff = Handoff.objects.get(run=lead_pipeline_run(run_id=lead.run.pk))
    message = decisions.handoff_approve(handoff=handoff, actor=personas.rep)
    OutboundMessage.objects.filter(pk=message.pk).update(status="sent", message_id="<out-1001@demo-sales.example>")
    personas.workspace.inbound_secret_hash = hashlib.sha256(b"secret").hexdigest()
    personas.workspace.save()
    raw = (
        (CORPUS / "06-question-integration.eml")
        .read_bytes()
        .replace(b"priya.nair@brightwave-analytics.example", lead.contact.email.encode())
    )
    with django_capture_on_commit_callbacks(execute=True):
        personas.client_for(None).post(
            reverse("conversations:inbound_mime"), raw, content_type="message/rfc822",
            headers={"Authorization": "Bearer secret"},
        )  # fmt: skip
    page = personas.client_for(personas.rep).get(reverse("review:thread", args=[lead.contact.pk]))
    kinds = [entry.kind for entry in page.context["entries"]]
    assert kinds.index("step") < kinds.index("sent") < kinds.index("received")
    assert "action" in kinds
    assert "understood as <em>A question</em>" in page.text
    assert "Approved the draft by rep@acme.test" in page.text
    assert page.context["compose_form"] is None


def test_whoever_took_the_conversation_over_writes_from_the_thread(personas):
    lead = make_lead(workspace=personas.workspace, autonomy="review_all")
    handoff = Handoff.objects.get(run=lead_pipeline_run(run_id=lead.run.pk))
    decisions.handoff_take_over(handoff=handoff, actor=personas.rep)
    page = personas.client_for(personas.rep).get(reverse("review:thread", args=[lead.contact.pk]))
    assert page.context["can_write"]
    token = page.context["compose_form"]["token"].value()
    personas.client_for(personas.rep).post(
        reverse("review:compose", args=[handoff.pk]), {"subject": "Hi", "body": "Let me help.", "token": token}
    )
    assert OutboundMessage.objects.get(contact=lead.contact).approved_by == personas.rep.user
    other = personas.client_for(personas.outsider).get(reverse("review:thread", args=[lead.contact.pk]))
    assert other.status_code == 404


def test_another_rep_reads_the_thread_without_a_composer_and_a_manager_gets_one(personas):
    from salesops.tests.factories import make_membership

    lead = make_lead(workspace=personas.workspace, autonomy="review_all")
    handoff = Handoff.objects.get(run=lead_pipeline_run(run_id=lead.run.pk))
    decisions.handoff_take_over(handoff=handoff, actor=personas.rep)
    url = reverse("review:thread", args=[lead.contact.pk])
    other_rep = personas.client_for(make_membership(workspace=personas.workspace, role="rep")).get(url)
    assert not other_rep.context["can_write"] and other_rep.context["compose_form"] is None
    assert "Only rep@acme.test or a manager writes in this conversation." in other_rep.text
    manager = personas.client_for(personas.manager).get(url)
    assert manager.context["can_write"] and manager.context["compose_form"] is not None
