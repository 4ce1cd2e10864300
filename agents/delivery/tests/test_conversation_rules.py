"""A reply stops the sequence, not the conversation: answers and a person's own emails still leave."""

import pytest

from agents.delivery.scheduling import conversation_stop_reason

REP, OTHER = 7, 8


@pytest.mark.parametrize(
    "case,expected",
    [
        ({"contact_status": "replied", "step_position": 2, "run_id": 1, "approved_by_id": None}, "replied"),
        ({"contact_status": "replied", "step_position": 0, "run_id": 1, "approved_by_id": None}, ""),
        ({"contact_status": "meeting_booked", "step_position": 0, "run_id": 1, "approved_by_id": REP}, ""),
        ({"contact_status": "unsubscribed", "step_position": 0, "run_id": 1, "approved_by_id": None}, "unsubscribed"),
        ({"contact_status": "replied", "step_position": 1, "run_id": None, "approved_by_id": REP}, ""),
        ({"contact_status": "in_sequence", "taken_over_by": REP, "step_position": 1, "run_id": None,
          "approved_by_id": REP}, ""),
        ({"contact_status": "in_sequence", "taken_over_by": REP, "step_position": 1, "run_id": None,
          "approved_by_id": OTHER}, "taken_over"),
        ({"contact_status": "in_sequence", "taken_over_by": REP, "step_position": 0, "run_id": 3,
          "approved_by_id": REP}, "taken_over"),
        ({"contact_status": "in_sequence", "thread_replied": True, "step_position": 2, "run_id": 3,
          "approved_by_id": None}, "thread_replied"),
        ({"contact_status": "in_sequence", "thread_replied": True, "step_position": 0, "run_id": 3,
          "approved_by_id": None}, ""),
    ],
)  # fmt: skip
def test_which_emails_a_reply_or_a_take_over_stops(case, expected):
    arguments = {"taken_over_by": None, "thread_replied": False, **case}
    assert conversation_stop_reason(**arguments) == expected
