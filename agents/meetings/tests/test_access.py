"""The meetings app's URLs check sign-in, workspace and role (see salesops.tests.access_matrix).

The booking pages are public: a prospect has no account, and the signed, expiring token in the URL
is the permission (see test_links.py for forged and expired tokens)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from agents.meetings.tests.factories import make_busy_block, make_meeting
from salesops.models import Role
from salesops.tests.access_matrix import Rule, access_tests

URL_RULES = {
    "meetings:meeting_list": Rule(Role.REP),
    "meetings:meeting_mark": Rule(
        Role.REP,
        method="post",
        kwargs=lambda rows: {"meeting_id": rows.past_meeting.pk},
        data=lambda rows: {"status": "held"},
    ),
    "meetings:meeting_cancel": Rule(Role.REP, method="post", kwargs=lambda rows: {"meeting_id": rows.next_meeting.pk}),
    "meetings:availability": Rule(Role.REP),
    "meetings:busy_block_add": Rule(Role.REP, method="post"),
    "meetings:busy_block_delete": Rule(Role.REP, method="post", kwargs=lambda rows: {"block_id": rows.busy_block.pk}),
    "meetings:ics_import": Rule(Role.REP, method="post"),
}
PUBLIC_URLS: dict[str, str] = {
    "booking:slots": "a prospect books without an account; the signed booking token (14 days) is the permission",
    "booking:meeting": "the prospect's confirmation page; the signed meeting token is the permission",
    "booking:reschedule": "the prospect moves their meeting; the signed meeting token is the permission",
    "booking:cancel": "the prospect cancels their meeting; the signed meeting token is the permission",
    "booking:ics": "the prospect's calendar file; the signed meeting token is the permission",
}


@pytest.fixture
def access_rows(personas):
    now = timezone.now()
    # The rep's own rows: reps reach them, managers and admins too; outsiders get 404.
    personas.past_meeting = make_meeting(membership=personas.rep, start=now - timedelta(days=1))
    personas.next_meeting = make_meeting(membership=personas.rep, start=now + timedelta(days=1))
    personas.busy_block = make_busy_block(
        membership=personas.rep, start=now + timedelta(days=2), end=now + timedelta(days=2, hours=1)
    )
    return personas


globals().update(access_tests(URL_RULES))
