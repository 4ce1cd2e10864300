"""A run's lead, step and verification input are built in one place, for the pipeline and for a
person's edit alike."""

from datetime import timedelta

import pytest
from django.utils import timezone

from agents.outreach.lead_facts import ANSWER_STEP, lead_of_run, step_of, strategy_for, verify_input_for
from agents.team.writer import WriteOutput
from agents.tests.factories import make_answer_run, make_lead
from campaigns.tests.factories import make_signal

pytestmark = pytest.mark.django_db

DRAFT = WriteOutput(subject="Hello", body="Hi Mia", claims=[])


def test_a_sequence_run_writes_its_campaigns_step(personas):
    lead = make_lead(workspace=personas.workspace)
    lead.run.step_position = 2
    assert step_of(lead.run) == lead.campaign.steps.get(position=2)


def test_an_answer_run_writes_the_answer_which_is_no_step_of_the_sequence(personas):
    run = make_answer_run(workspace=personas.workspace).run
    assert step_of(run) is ANSWER_STEP
    assert lead_of_run(run, timezone.now()).step.intent == "answer"


def test_a_runs_lead_sees_the_accounts_signals_newest_first(personas):
    lead = make_lead(workspace=personas.workspace)
    older = make_signal(
        workspace=personas.workspace, account=lead.contact.account, occurred_at=timezone.now() - timedelta(days=9)
    )
    facts = lead_of_run(lead.run, timezone.now())
    assert [signal.id for signal in facts.signals] == [lead.signal.pk, older.pk]
    assert (facts.contact.email, facts.step.position) == (lead.contact.email, 1)


def test_a_draft_is_verified_against_the_signals_research_found_stale(personas):
    lead = make_lead(workspace=personas.workspace)
    lead.run.brief = {"stale_signal_ids": [lead.signal.pk]}
    check = verify_input_for(
        lead.run, strategy=strategy_for(lead.campaign), lead=lead_of_run(lead.run, timezone.now()), draft=DRAFT
    )
    assert (check.stale_signal_ids, check.trusted_text, check.draft) == ([lead.signal.pk], "", DRAFT)


def test_an_answers_meeting_times_are_trusted_text_not_claims(personas):
    run = make_answer_run(
        workspace=personas.workspace, category="interested", meeting_offer="Or pick any time: https://book.example/x"
    ).run
    check = verify_input_for(
        run, strategy=strategy_for(run.campaign), lead=lead_of_run(run, timezone.now()), draft=DRAFT
    )
    assert (check.trusted_text, check.stale_signal_ids) == ("Or pick any time: https://book.example/x", [])
