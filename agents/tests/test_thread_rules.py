"""Who writes by hand in a contact's conversation (and hands it back): the person who took it over, a
manager or an admin; nobody while the agents own it. `TakeOver.writable_by` is the one rule: the
services refuse by it, the inbox and thread pages show their composer by it, and delivery lets only
those people's emails leave a taken-over conversation (agents/delivery/tests/test_sending.py)."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from agents import decisions
from agents.delivery.models import OutboundMessage
from agents.models import Handoff, TakeOver
from agents.outreach.pipeline import lead_pipeline_run
from agents.tests.factories import make_lead
from campaigns.tests.factories import make_contact
from salesops.models import Role
from salesops.tests.factories import make_membership

pytestmark = pytest.mark.django_db


def _taken_over_by_rep(personas) -> TakeOver:
    contact = make_contact(workspace=personas.workspace)
    return TakeOver.objects.create(workspace=personas.workspace, contact=contact, user=personas.rep.user)


def test_the_person_who_took_it_over_writes(personas):
    assert _taken_over_by_rep(personas).writable_by(personas.rep)


def test_another_rep_does_not_write(personas):
    other_rep = make_membership(workspace=personas.workspace, role=Role.REP)
    assert not _taken_over_by_rep(personas).writable_by(other_rep)


@pytest.mark.parametrize("persona", ["manager", "admin"])
def test_a_manager_or_an_admin_writes_in_anyones_conversation(personas, persona):
    assert _taken_over_by_rep(personas).writable_by(getattr(personas, persona))


def test_an_admin_of_another_workspace_does_not_write(personas):
    assert not _taken_over_by_rep(personas).writable_by(personas.outsider)


def test_someone_no_longer_a_member_does_not_write(personas):
    assert not _taken_over_by_rep(personas).writable_by(None)


def test_the_rule_needs_no_query(personas, django_assert_num_queries):
    take_over = _taken_over_by_rep(personas)
    with django_assert_num_queries(0):
        take_over.writable_by(personas.manager)


# The services refuse by the same rule ------------------------------------------------------------


def _taken_over_item(personas) -> Handoff:
    lead = make_lead(workspace=personas.workspace, autonomy="review_all")
    handoff = Handoff.objects.get(run=lead_pipeline_run(run_id=lead.run.pk))
    decisions.handoff_take_over(handoff=handoff, actor=personas.rep)
    return handoff


def _write(handoff: Handoff, actor, token: str) -> OutboundMessage:
    return decisions.person_message_queue(handoff=handoff, actor=actor, subject="Hi", body="Hello", token=token)


def test_writing_is_refused_to_another_rep_and_allowed_to_a_manager_and_an_admin(personas):
    handoff = _taken_over_item(personas)
    with pytest.raises(PermissionDenied, match="Only the person who took this conversation over"):
        _write(handoff, make_membership(workspace=personas.workspace, role=Role.REP), "t0")
    assert not OutboundMessage.objects.exists()
    assert _write(handoff, personas.rep, "t1").approved_by == personas.rep.user
    assert _write(handoff, personas.manager, "t2").approved_by == personas.manager.user
    assert _write(handoff, personas.admin, "t3").approved_by == personas.admin.user


@pytest.mark.parametrize("persona", ["rep", "manager", "admin"])
def test_nobody_writes_while_the_agents_own_the_conversation(personas, persona):
    lead = make_lead(workspace=personas.workspace, autonomy="review_all")
    handoff = Handoff.objects.get(run=lead_pipeline_run(run_id=lead.run.pk))
    with pytest.raises(ValidationError, match="Take the conversation over"):
        _write(handoff, getattr(personas, persona), "t1")


def test_a_manager_hands_back_a_reps_conversation_and_another_rep_cannot(personas):
    handoff = _taken_over_item(personas)
    with pytest.raises(PermissionDenied, match="can hand it back"):
        decisions.contact_hand_back(
            contact=handoff.contact, actor=make_membership(workspace=personas.workspace, role=Role.REP)
        )
    decisions.contact_hand_back(contact=handoff.contact, actor=personas.manager)
    assert not TakeOver.objects.exists()
