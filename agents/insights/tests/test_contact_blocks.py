"""A person's "do not contact" or "off-target" rejection blocks the contact for every campaign; the
contact page shows the block, and a manager (not a rep) lifts it, audited."""

import pytest
from django.urls import reverse

from agents import decisions
from agents.delivery.models import OutboundMessage
from agents.models import Handoff
from agents.outreach.pipeline import lead_pipeline_run
from agents.tests.factories import make_lead
from campaigns.enrolment import EnrolmentCandidate, contact_block, enrolment_start
from campaigns.models import Contact, ContactBlock, Enrolment
from campaigns.tests.factories import make_campaign, make_contact
from salesops.models import AuditEvent

pytestmark = pytest.mark.django_db


def _rejected(personas, reason: str, note: str = "Not our market"):
    lead = make_lead(workspace=personas.workspace, autonomy="review_all")
    enrolment_start(campaign=lead.campaign, candidates=[EnrolmentCandidate(contact_id=lead.contact.pk)], count=1)
    handoff = Handoff.objects.get(run=lead_pipeline_run(run_id=lead.run.pk))
    decisions.handoff_reject(handoff=handoff, actor=personas.rep, reason=reason, note=note)
    return lead, handoff


@pytest.mark.parametrize("reason", ["do_not_contact", "off_target"])
def test_rejecting_as_do_not_contact_or_off_target_blocks_the_contact_and_ends_its_sequences(personas, reason):
    lead, handoff = _rejected(personas, reason)
    block = ContactBlock.objects.get(contact=lead.contact, lifted_at__isnull=True)
    assert (block.reason, block.created_by, block.note, block.source) == (
        reason,
        personas.rep.user,
        "Not our market",
        f"inbox item {handoff.pk}",
    )
    assert Enrolment.objects.get(contact=lead.contact).status == "ended"
    # No other campaign picks the contact again.
    other = make_campaign(workspace=personas.workspace, allow_sequence_overlap=True)
    assert enrolment_start(campaign=other, candidates=[EnrolmentCandidate(contact_id=lead.contact.pk)], count=1) == []


@pytest.mark.parametrize("reason", ["tone", "wrong_facts", "timing"])
def test_other_rejections_leave_the_contact_open_to_campaigns(personas, reason):
    lead, _ = _rejected(personas, reason)
    assert not ContactBlock.objects.filter(contact=lead.contact).exists()


def _page(client, contact):
    return client.get(reverse("insights:contact_detail", args=[contact.pk]))


def _lift(client, contact, block):
    return client.post(reverse("insights:contact_block_lift", args=[contact.pk, block.pk]))


def test_everyone_sees_the_block_and_only_managers_get_the_lift_button(personas):
    lead, _ = _rejected(personas, "off_target", note="<b>Competitor</b>")
    block = ContactBlock.objects.get(contact=lead.contact)
    rep_page = _page(personas.client_for(personas.rep), lead.contact).text
    standing = rep_page.split('id="standing-block"')[1].split("</div>")[0]
    assert "marked off-target by rep@acme.test" in standing
    assert "&lt;b&gt;Competitor&lt;/b&gt;" in standing and "<b>Competitor" not in standing
    lift_url = reverse("insights:contact_block_lift", args=[lead.contact.pk, block.pk])
    assert lift_url not in rep_page
    assert "A manager can lift it." in rep_page
    manager_page = _page(personas.client_for(personas.manager), lead.contact).text
    assert f'action="{lift_url}"' in manager_page and "csrfmiddlewaretoken" in manager_page
    # The ended sequence says why.
    assert "Blocked: marked off-target" in manager_page.split('id="enrolments"')[1]


def test_a_rep_cannot_lift_a_block(personas):
    lead, _ = _rejected(personas, "do_not_contact")
    block = ContactBlock.objects.get(contact=lead.contact)
    assert _lift(personas.client_for(personas.rep), lead.contact, block).status_code == 403
    block.refresh_from_db()
    assert block.lifted_at is None
    assert not AuditEvent.objects.filter(verb="contact.block_lifted").exists()


def test_another_workspace_cannot_lift_or_see_the_block(personas):
    lead, _ = _rejected(personas, "off_target")
    block = ContactBlock.objects.get(contact=lead.contact)
    assert _lift(personas.client_for(personas.outsider), lead.contact, block).status_code == 404
    other_contact = make_contact(workspace=personas.workspace)
    # The block's id under another contact's address is not found either.
    assert _lift(personas.client_for(personas.manager), other_contact, block).status_code == 404
    block.refresh_from_db()
    assert block.lifted_at is None


def test_lifting_is_a_post(personas):
    lead, _ = _rejected(personas, "off_target")
    block = ContactBlock.objects.get(contact=lead.contact)
    url = reverse("insights:contact_block_lift", args=[lead.contact.pk, block.pk])
    assert personas.client_for(personas.manager).get(url).status_code == 405


def test_a_manager_lifts_a_do_not_contact_block_and_a_never_emailed_contact_is_new_again(personas):
    lead, _ = _rejected(personas, "do_not_contact")
    assert Contact.objects.get(pk=lead.contact.pk).status == "do_not_contact"
    block = ContactBlock.objects.get(contact=lead.contact)
    client = personas.client_for(personas.manager)
    response = _lift(client, lead.contact, block)
    assert response.status_code == 302
    block.refresh_from_db()
    assert (block.lifted_by, block.lifted_at is not None) == (personas.manager.user, True)
    assert Contact.objects.get(pk=lead.contact.pk).status == "new"
    event = AuditEvent.objects.get(verb="contact.block_lifted")
    assert (event.actor_user_id, event.target_id) == (personas.manager.user.pk, str(lead.contact.pk))
    assert (event.before["status"], event.after["status"]) == ("do_not_contact", "new")
    page = client.get(response.url).text
    assert "Block lifted" in page
    assert 'Yes: no "do not contact" or "off-target" decision stands.' in page
    lifted = page.split('id="lifted-blocks"')[1].split("</ul>")[0]
    assert "Marked do not contact by rep@acme.test" in lifted and "lifted by manager@acme.test" in lifted
    # Lifting twice says so.
    again = client.post(reverse("insights:contact_block_lift", args=[lead.contact.pk, block.pk]), follow=True)
    assert "This block was already lifted." in again.text
    assert AuditEvent.objects.filter(verb="contact.block_lifted").count() == 1


def test_lifting_do_not_contact_for_someone_emailed_before_puts_them_back_in_sequence(personas):
    lead = make_lead(workspace=personas.workspace)
    OutboundMessage.objects.create(
        workspace=personas.workspace, campaign=lead.campaign, contact=lead.contact, step_position=1,
        subject="Hi", body_text="Hello", idempotency_key="sent-before", status="sent",
    )  # fmt: skip
    Contact.objects.filter(pk=lead.contact.pk).update(status="do_not_contact")
    block = contact_block(contact=lead.contact, reason="do_not_contact", actor_user=personas.rep.user)
    _lift(personas.client_for(personas.admin), lead.contact, block)
    assert Contact.objects.get(pk=lead.contact.pk).status == "in_sequence"


def test_lifting_off_target_leaves_the_status_alone(personas):
    lead, _ = _rejected(personas, "off_target")
    status = Contact.objects.get(pk=lead.contact.pk).status
    _lift(personas.client_for(personas.manager), lead.contact, ContactBlock.objects.get(contact=lead.contact))
    assert Contact.objects.get(pk=lead.contact.pk).status == status
    assert not ContactBlock.objects.filter(contact=lead.contact, lifted_at__isnull=True).exists()
