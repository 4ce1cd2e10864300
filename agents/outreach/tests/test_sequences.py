"""Follow-ups start through the pipeline when their delay in business days has passed and nobody replied;
they stop on reply, bounce, unsubscribe, meeting or take-over."""

from datetime import date, timedelta

import pytest

from agents.delivery.models import OutboundMessage, Suppression
from agents.delivery.tests.support import make_queued, next_monday
from agents.models import AgentRun, TakeOver
from agents.outreach.pipeline import lead_pipeline_run
from agents.outreach.sequences import business_days_after, sequence_next_runs
from agents.tests.factories import make_lead
from campaigns.models import Contact
from campaigns.tests.factories import make_campaign

pytestmark = pytest.mark.django_db

MONDAY = next_monday(hour=10)


def _sent_first_email(personas, **campaign_fields):
    campaign = make_campaign(workspace=personas.workspace, **{"status": "active", **campaign_fields})
    message = make_queued(workspace=personas.workspace, campaign=campaign)
    OutboundMessage.objects.filter(pk=message.pk).update(status="sent", sent_at=MONDAY)
    return campaign, message


def test_business_days_after_skip_the_weekend():
    friday = date(2026, 11, 27)
    assert business_days_after(friday, friday + timedelta(days=3)) == 1  # Monday
    assert business_days_after(friday, friday + timedelta(days=5)) == 3  # Wednesday


def test_the_follow_up_starts_once_its_delay_in_business_days_has_passed(personas):
    campaign, message = _sent_first_email(personas)  # step 2 waits 3 business days
    assert sequence_next_runs(campaign=campaign, today=MONDAY.date() + timedelta(days=2)) == []  # Wednesday
    [run_id] = sequence_next_runs(campaign=campaign, today=MONDAY.date() + timedelta(days=3))  # Thursday
    run = AgentRun.objects.get(pk=run_id)
    assert (run.contact_id, run.step_position) == (message.contact_id, 2)
    assert sequence_next_runs(campaign=campaign, today=MONDAY.date() + timedelta(days=4)) == []  # once


@pytest.mark.parametrize("what", ["replied", "unsubscribed", "bounced", "meeting_booked", "taken_over"])
def test_the_sequence_stops_when_the_contact_answered_left_or_a_person_took_over(personas, what):
    campaign, message = _sent_first_email(personas)
    if what == "taken_over":
        TakeOver.objects.create(workspace=personas.workspace, contact=message.contact, user=personas.rep.user)
    else:
        Contact.objects.filter(pk=message.contact_id).update(status=what)
    assert sequence_next_runs(campaign=campaign, today=MONDAY.date() + timedelta(days=10)) == []


@pytest.mark.parametrize("kind", ["email", "domain"])
def test_no_follow_up_is_drafted_to_a_suppressed_address_or_domain(personas, kind):
    campaign, message = _sent_first_email(personas)
    address = message.contact.email
    domain = address.rpartition("@")[2]
    OutboundMessage.objects.filter(pk=message.pk).update(recipient_domain=domain)  # as the scheduler records it
    Suppression.objects.create(
        workspace=personas.workspace, kind=kind, value=address if kind == "email" else domain, reason="manual"
    )
    assert sequence_next_runs(campaign=campaign, today=MONDAY.date() + timedelta(days=10)) == []


def test_a_suppression_in_another_workspace_does_not_stop_the_follow_up(personas):
    campaign, message = _sent_first_email(personas)
    Suppression.objects.create(
        workspace=personas.outsider.workspace, kind="email", value=message.contact.email, reason="manual"
    )
    assert len(sequence_next_runs(campaign=campaign, today=MONDAY.date() + timedelta(days=10))) == 1


def test_the_last_step_has_no_follow_up(personas):
    campaign, message = _sent_first_email(personas, steps=1)
    assert sequence_next_runs(campaign=campaign, today=MONDAY.date() + timedelta(days=10)) == []


def test_the_follow_up_is_drafted_verified_and_routed_like_the_first_email(personas):
    lead = make_lead(workspace=personas.workspace, autonomy="autonomous", confidence_threshold=0.5, status="active")
    lead_pipeline_run(run_id=lead.run.pk)
    first = OutboundMessage.objects.get(contact=lead.contact, step_position=1)
    OutboundMessage.objects.filter(pk=first.pk).update(status="sent", sent_at=MONDAY)
    [run_id] = sequence_next_runs(campaign=lead.campaign, today=MONDAY.date() + timedelta(days=3))
    run = lead_pipeline_run(run_id=run_id)
    assert run.outcome == AgentRun.Outcome.QUEUED, (run.decision, run.error)
    assert [step.agent for step in run.steps.order_by("pk")][-2:] == ["verify", "route"]
    follow_up = OutboundMessage.objects.get(contact=lead.contact, step_position=2)
    assert follow_up.status == "queued" and follow_up.subject.startswith("Re: ")
    assert follow_up.message_id != first.message_id
