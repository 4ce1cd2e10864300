"""An enrolment ends when its sequence is over (the contact stopped, was blocked, the campaign completed,
the first email was dropped or failed for good, the last step went out or the sequence stopped), saying
why; a contact who moves to another account keeps it. Follow-ups never start for an ended enrolment."""

from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from agents.delivery.models import OutboundMessage
from agents.handoffs import handoff_open
from agents.models import AgentRun, Handoff
from agents.outreach import enrolments as sweep
from agents.outreach.enrolments import enrolments_release_finished
from agents.outreach.planning import campaign_tick
from agents.outreach.sequences import sequence_next_runs
from campaigns.enrolment import EnrolmentCandidate, contact_block, enrolment_end, enrolment_start
from campaigns.models import Campaign, Contact, Enrolment
from campaigns.tests.factories import make_account, make_campaign, make_contact

pytestmark = pytest.mark.django_db


def _enrolled(workspace, campaign=None, status="new", **contact_fields):
    """A new contact enrolled in the campaign, then given `status` (as the sequence would)."""
    campaign = campaign or make_campaign(workspace=workspace, colleague_spacing_days=0)
    contact = make_contact(workspace=workspace, **contact_fields)
    [enrolment] = enrolment_start(
        campaign=campaign, candidates=[EnrolmentCandidate(contact_id=contact.pk, reason="fits")], count=1
    )
    Contact.objects.filter(pk=contact.pk).update(status=status)
    return enrolment


def _run(enrolment, step=1, **fields):
    return AgentRun.objects.create(
        workspace_id=enrolment.workspace_id,
        campaign_id=enrolment.campaign_id,
        contact_id=enrolment.contact_id,
        step_position=step,
        **fields,
    )


def _message(enrolment, step=1, status="sent", **fields):
    return OutboundMessage.objects.create(
        workspace_id=enrolment.workspace_id,
        campaign_id=enrolment.campaign_id,
        contact_id=enrolment.contact_id,
        step_position=step,
        subject=f"Step {step}",
        body_text="Hello",
        idempotency_key=f"test:{enrolment.pk}:{step}",
        status=status,
        sent_at=timezone.now() - timedelta(days=10) if status == "sent" else None,
        **fields,
    )


def _state(enrolment):
    enrolment.refresh_from_db()
    return enrolment.status, enrolment.end_reason


def _release(workspace):
    return enrolments_release_finished(workspace_id=workspace.pk)


@pytest.mark.parametrize(
    ("status", "reason"),
    [
        ("replied", "The contact replied"),
        ("meeting_booked", "A meeting was booked"),
        ("unsubscribed", "The contact unsubscribed"),
        ("bounced", "The address bounced"),
        ("do_not_contact", "Marked do not contact"),
    ],
)
def test_an_enrolment_ends_when_the_contact_stops_saying_why(personas, status, reason):
    enrolment = _enrolled(personas.workspace)
    Contact.objects.filter(pk=enrolment.contact_id).update(status=status)
    assert _release(personas.workspace) == {reason: 1}
    assert _state(enrolment) == ("ended", reason)
    enrolment.refresh_from_db()
    assert enrolment.ended_at is not None


def test_a_contact_who_said_not_now_stays_enrolled_until_the_sequence_resumes(personas):
    enrolment = _enrolled(personas.workspace)
    Contact.objects.filter(pk=enrolment.contact_id).update(
        status="replied", sequence_resume_on=date.today() + timedelta(days=60)
    )
    _release(personas.workspace)
    assert _state(enrolment) == ("active", "")


def test_new_and_in_sequence_contacts_with_work_ahead_stay_enrolled(personas):
    waiting = _enrolled(personas.workspace)
    _run(waiting)  # pending
    midway = _enrolled(personas.workspace)
    Contact.objects.filter(pk=midway.contact_id).update(status="in_sequence")
    _run(midway, status="done", outcome="queued")
    _message(midway, step=1, status="sent")  # step 2 of 3 is still to come
    assert _release(personas.workspace) == {}
    assert _state(waiting) == _state(midway) == ("active", "")


def test_a_standing_block_ends_the_enrolment(personas):
    enrolment = _enrolled(personas.workspace)
    contact = Contact.objects.get(pk=enrolment.contact_id)
    contact_block(contact=contact, reason="off_target", actor_user=personas.rep.user)
    # Written beside the block (as a migration or an old decision might): the sweep ends it too.
    other = _enrolled(
        personas.workspace, campaign=make_campaign(workspace=personas.workspace, allow_sequence_overlap=True)
    )
    Enrolment.objects.filter(pk=other.pk).update(contact_id=contact.pk, account_id=contact.account_id)
    assert _release(personas.workspace) == {"Blocked: marked off-target": 1}
    assert _state(other) == ("ended", "Blocked: marked off-target")


def test_a_completed_campaigns_enrolments_end(personas):
    enrolment = _enrolled(personas.workspace)
    Campaign.objects.filter(pk=enrolment.campaign_id).update(status="completed")
    _release(personas.workspace)
    assert _state(enrolment) == ("ended", "The campaign is completed")


def test_a_first_email_rejected_in_review_or_dropped_by_the_agents_ends_the_enrolment(personas):
    rejected, dropped = _enrolled(personas.workspace), _enrolled(personas.workspace)
    run = _run(rejected, status="done", outcome="dropped")
    handoff = handoff_open(run=run, workspace_id=run.workspace_id, kind="draft_review", reason="Check it")
    Handoff.objects.filter(pk=handoff.pk).update(
        status="resolved", decision="rejected", reject_reason="tone", decided_at=timezone.now()
    )
    _run(dropped, status="done", outcome="dropped")
    _release(personas.workspace)
    assert _state(rejected) == ("ended", sweep.FIRST_EMAIL_REJECTED)
    assert _state(dropped) == ("ended", sweep.FIRST_EMAIL_DROPPED)


def test_a_failed_first_run_ends_the_enrolment_once_nobody_is_asked_to_retry_it(personas):
    enrolment = _enrolled(personas.workspace)
    run = _run(enrolment, status="failed", error="boom")
    handoff = handoff_open(run=run, workspace_id=run.workspace_id, kind="exception", reason="It failed")
    _release(personas.workspace)
    assert _state(enrolment) == ("active", "")
    Handoff.objects.filter(pk=handoff.pk).update(status="snoozed", snoozed_until=timezone.now() + timedelta(days=1))
    _release(personas.workspace)
    assert _state(enrolment) == ("active", "")
    Handoff.objects.filter(pk=handoff.pk).update(status="resolved", decision="taken_over")
    _release(personas.workspace)
    assert _state(enrolment) == ("ended", sweep.FIRST_RUN_FAILED)


def test_the_enrolment_ends_when_the_last_step_was_sent_and_nothing_is_pending(personas):
    enrolment = _enrolled(personas.workspace, status="in_sequence")
    for step in (1, 2):
        _run(enrolment, step=step, status="done", outcome="queued")
        _message(enrolment, step=step, status="sent")
    last_run = _run(enrolment, step=3, status="running")  # the run has not finished yet
    _message(enrolment, step=3, status="sent")
    _release(personas.workspace)
    assert _state(enrolment) == ("active", "")
    AgentRun.objects.filter(pk=last_run.pk).update(status="done", outcome="queued")
    _release(personas.workspace)
    assert _state(enrolment) == ("ended", sweep.SEQUENCE_SENT)


def test_a_last_email_still_waiting_to_leave_keeps_the_enrolment(personas):
    enrolment = _enrolled(personas.workspace, status="in_sequence")
    for step, status in [(1, "sent"), (2, "sent"), (3, "queued")]:
        _run(enrolment, step=step, status="done", outcome="queued")
        _message(enrolment, step=step, status=status)
    _release(personas.workspace)
    assert _state(enrolment) == ("active", "")


@pytest.mark.parametrize("stopped", ["cancelled", "failed", "dropped run"])
def test_a_sequence_that_cannot_go_on_ends_the_enrolment(personas, stopped):
    enrolment = _enrolled(personas.workspace, status="in_sequence")
    _run(enrolment, step=1, status="done", outcome="queued")
    _message(enrolment, step=1, status="sent")
    if stopped == "dropped run":
        _run(enrolment, step=2, status="done", outcome="dropped")
    else:
        _run(enrolment, step=2, status="done", outcome="queued")
        _message(enrolment, step=2, status=stopped)
    _release(personas.workspace)
    assert _state(enrolment) == ("ended", sweep.SEQUENCE_STOPPED)


def test_a_contact_moved_to_another_account_keeps_the_enrolment_without_its_old_slot(personas):
    old = make_account(workspace=personas.workspace, name="Old Freight")
    new = make_account(workspace=personas.workspace, name="New Logistics")
    enrolment = _enrolled(personas.workspace, account=old)
    assert enrolment.account_slot == 1
    Contact.objects.filter(pk=enrolment.contact_id).update(account=new)
    assert _release(personas.workspace) == {"moved": 1}
    enrolment.refresh_from_db()
    assert (enrolment.status, enrolment.account_id, enrolment.account_slot) == ("active", new.pk, None)
    assert enrolment.note == "Moved from Old Freight to New Logistics mid-sequence"
    # The old account's place is free for a colleague; the move counts against the new account.
    campaign = make_campaign(workspace=personas.workspace, max_contacts_per_account=1, colleague_spacing_days=0)
    colleague_old = make_contact(workspace=personas.workspace, account=old)
    colleague_new = make_contact(workspace=personas.workspace, account=new)
    started = enrolment_start(
        campaign=campaign,
        candidates=[EnrolmentCandidate(contact_id=c.pk) for c in (colleague_new, colleague_old)],
        count=2,
    )
    assert [(e.contact_id, e.account_slot) for e in started] == [(colleague_old.pk, 1)]


def test_the_sweep_is_scoped_to_its_workspace_and_runs_a_fixed_number_of_queries(personas):
    ours = [_enrolled(personas.workspace) for _ in range(2)]
    theirs = _enrolled(personas.outsider.workspace)
    Contact.objects.filter(pk__in=[ours[0].contact_id, theirs.contact_id]).update(status="bounced")
    with CaptureQueriesContext(connection) as few:
        _release(personas.workspace)
    assert _state(ours[0])[0] == "ended" and _state(theirs)[0] == "active"
    more = [_enrolled(personas.workspace) for _ in range(5)]
    Contact.objects.filter(pk__in=[e.contact_id for e in more]).update(status="replied")
    with CaptureQueriesContext(connection) as many:
        _release(personas.workspace)
    assert all(_state(e)[0] == "ended" for e in more)
    # One update per rule (5 statuses, 2 blocks, campaign, rejected, dropped, failed, sent, stopped) and
    # one read for moves; a bulk update only when someone moved.
    assert len(few) == len(many) == 14, [q["sql"] for q in many]


def test_the_campaign_tick_releases_finished_enrolments_first(personas):
    enrolment = _enrolled(personas.workspace)
    Campaign.objects.filter(pk=enrolment.campaign_id).update(status="active")
    Contact.objects.filter(pk=enrolment.contact_id).update(status="unsubscribed")
    campaign_tick(campaign=Campaign.objects.get(pk=enrolment.campaign_id))
    assert _state(enrolment) == ("ended", "The contact unsubscribed")


def test_follow_ups_do_not_start_for_an_ended_enrolment(personas):
    campaign = make_campaign(workspace=personas.workspace, status="active")
    going, ended = (_enrolled(personas.workspace, campaign=campaign, status="in_sequence") for _ in range(2))
    legacy = make_contact(workspace=personas.workspace, status="in_sequence")  # started before enrolments
    for enrolment in (going, ended):
        _run(enrolment, status="done", outcome="queued")
        _message(enrolment, step=1, status="sent")
    legacy_run = AgentRun.objects.create(
        workspace=personas.workspace, campaign=campaign, contact=legacy, step_position=1, status="done"
    )
    OutboundMessage.objects.create(
        workspace=personas.workspace, campaign=campaign, contact=legacy, run=legacy_run, step_position=1,
        subject="Hi", body_text="Hello", idempotency_key="legacy", status="sent",
        sent_at=timezone.now() - timedelta(days=10),
    )  # fmt: skip
    enrolment_end(workspace_id=personas.workspace.pk, enrolment_ids=[ended.pk], reason="Stopped by a person")
    run_ids = sequence_next_runs(campaign=campaign)
    started = set(AgentRun.objects.filter(pk__in=run_ids).values_list("contact_id", "step_position"))
    assert started == {(going.contact_id, 2), (legacy.pk, 2)}
