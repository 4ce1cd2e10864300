"""A rejection names one of Handoff.RejectReason and says why in a note when the reason is "other".
`decisions.validate_reject_reason` is the one rule: handoff_reject refuses by it, and so do the
inbox's reject form and its bulk decision (review/tests/test_actions.py)."""

import pytest
from django.core.exceptions import ValidationError

from agents import decisions
from agents.models import Handoff
from agents.outreach.pipeline import lead_pipeline_run
from agents.tests.factories import make_lead

NEED_NO_NOTE = [reason for reason in Handoff.RejectReason.values if reason != Handoff.RejectReason.OTHER]


@pytest.mark.parametrize("reason", NEED_NO_NOTE)
def test_every_reason_but_other_stands_without_a_note(reason):
    decisions.validate_reject_reason(reason=reason, note="")


@pytest.mark.parametrize("note", ["", "   \n"])
def test_other_needs_a_note(note):
    with pytest.raises(ValidationError, match="Say why in a note when the reason is 'other'."):
        decisions.validate_reject_reason(reason=Handoff.RejectReason.OTHER, note=note)
    decisions.validate_reject_reason(reason=Handoff.RejectReason.OTHER, note="Wrong person entirely.")


@pytest.mark.parametrize("reason", ["", "spam", "Tone", "other "])
def test_a_reason_that_is_not_one_of_the_choices_is_refused(reason):
    with pytest.raises(ValidationError, match="Choose a reason for the rejection."):
        decisions.validate_reject_reason(reason=reason, note="A note does not make up for it.")


def test_the_reasons_are_the_models_choices_with_their_labels():
    assert Handoff.RejectReason.choices == [
        ("off_target", "Off-target"),
        ("wrong_facts", "Wrong facts"),
        ("tone", "Tone"),
        ("timing", "Timing"),
        ("do_not_contact", "Do not contact"),
        ("other", "Other"),
    ]


@pytest.mark.django_db
def test_rejecting_refuses_by_the_rule_and_leaves_the_item_open(personas):
    lead = make_lead(workspace=personas.workspace, autonomy="review_all")
    handoff = Handoff.objects.get(run=lead_pipeline_run(run_id=lead.run.pk))
    with pytest.raises(ValidationError, match="Choose a reason"):
        decisions.handoff_reject(handoff=handoff, actor=personas.rep, reason="spam")
    with pytest.raises(ValidationError, match="Say why in a note"):
        decisions.handoff_reject(handoff=handoff, actor=personas.rep, reason="other", note=" ")
    handoff.refresh_from_db()
    assert handoff.status == Handoff.Status.OPEN
    decisions.handoff_reject(handoff=handoff, actor=personas.rep, reason="other", note="Wrong person entirely.")
    handoff.refresh_from_db()
    assert (handoff.decision, handoff.reject_reason) == ("rejected", "other")
