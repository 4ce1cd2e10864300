"""A reply stops the sequence, not the conversation: answers and a person's own emails still leave. In a
taken-over conversation only the emails of someone who may write there leave: the person who took it
over, a manager or an admin (`TakeOver.writable_by`, the rule the inbox's composer follows too)."""

import pytest

from agents.delivery.scheduling import conversation_stop_reason
from agents.models import TakeOver
from salesops.models import Membership, Role

WORKSPACE, REP, OTHER, MANAGER = 1, 7, 8, 9
TAKEN_BY_REP = TakeOver(workspace_id=WORKSPACE, user_id=REP)
MEMBERS = {
    user_id: Membership(workspace_id=WORKSPACE, user_id=user_id, role=role)
    for user_id, role in [(REP, Role.REP), (OTHER, Role.REP), (MANAGER, Role.MANAGER)]
}


@pytest.mark.parametrize(
    "case,expected",
    [
        ({"contact_status": "replied", "step_position": 2, "run_id": 1, "approved_by_id": None}, "replied"),
        ({"contact_status": "replied", "step_position": 0, "run_id": 1, "approved_by_id": None}, ""),
        ({"contact_status": "meeting_booked", "step_position": 0, "run_id": 1, "approved_by_id": REP}, ""),
        ({"contact_status": "unsubscribed", "step_position": 0, "run_id": 1, "approved_by_id": None}, "unsubscribed"),
        ({"contact_status": "replied", "step_position": 1, "run_id": None, "approved_by_id": REP}, ""),
        ({"contact_status": "in_sequence", "take_over": TAKEN_BY_REP, "step_position": 1, "run_id": None,
          "approved_by_id": REP}, ""),
        ({"contact_status": "in_sequence", "take_over": TAKEN_BY_REP, "step_position": 1, "run_id": None,
          "approved_by_id": OTHER}, "taken_over"),
        ({"contact_status": "in_sequence", "take_over": TAKEN_BY_REP, "step_position": 1, "run_id": None,
          "approved_by_id": MANAGER}, ""),
        ({"contact_status": "in_sequence", "take_over": TAKEN_BY_REP, "step_position": 0, "run_id": 3,
          "approved_by_id": REP}, "taken_over"),
        ({"contact_status": "in_sequence", "thread_replied": True, "step_position": 2, "run_id": 3,
          "approved_by_id": None}, "thread_replied"),
        ({"contact_status": "in_sequence", "thread_replied": True, "step_position": 0, "run_id": 3,
          "approved_by_id": None}, ""),
    ],
)  # fmt: skip
def test_which_emails_a_reply_or_a_take_over_stops(case, expected):
    arguments = {"take_over": None, "thread_replied": False, **case}
    writer = MEMBERS.get(arguments["approved_by_id"]) if arguments["run_id"] is None else None
    assert conversation_stop_reason(writer=writer, **arguments) == expected


def test_in_a_taken_over_conversation_the_email_of_someone_no_longer_a_member_does_not_leave():
    arguments = {"contact_status": "in_sequence", "thread_replied": False, "step_position": 1, "run_id": None}
    assert conversation_stop_reason(take_over=TAKEN_BY_REP, writer=None, approved_by_id=REP, **arguments) == (
        "taken_over"
    )
