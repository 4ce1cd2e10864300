"""The inbox's URLs check sign-in, workspace and role (see salesops.tests.access_matrix)."""

import pytest

from review.tests.factories import make_handoff
from salesops.models import Role
from salesops.tests.access_matrix import Rule, access_tests


def _handoff(rows):
    return {"handoff_id": rows.handoff.pk}


URL_RULES = {
    "review:inbox": Rule(Role.REP),
    "review:poll": Rule(Role.REP),
    "review:bulk": Rule(Role.REP, method="post"),
    "review:item": Rule(Role.REP, kwargs=_handoff),
    "review:approve": Rule(Role.REP, method="post", kwargs=_handoff),
    "review:edit": Rule(Role.REP, kwargs=_handoff),
    "review:reject": Rule(Role.REP, method="post", kwargs=_handoff, data=lambda rows: {"reason": "tone"}),
    "review:regenerate": Rule(Role.REP, method="post", kwargs=_handoff),
    "review:take_over": Rule(Role.REP, method="post", kwargs=_handoff),
    "review:hand_back": Rule(Role.REP, method="post", kwargs=_handoff),
    "review:compose": Rule(Role.REP, method="post", kwargs=_handoff),
    "review:snooze": Rule(Role.REP, method="post", kwargs=_handoff, data=lambda rows: {"until": "1h"}),
    "review:assign": Rule(Role.REP, method="post", kwargs=_handoff),
    "review:dismiss": Rule(Role.REP, method="post", kwargs=_handoff),
    "review:thread": Rule(Role.REP, kwargs=lambda rows: {"contact_id": rows.contact.pk}),
}
PUBLIC_URLS: dict[str, str] = {}


@pytest.fixture
def access_rows(personas):
    from campaigns.tests.factories import make_contact

    personas.handoff = make_handoff(workspace=personas.workspace)
    personas.contact = make_contact(workspace=personas.workspace)
    return personas


globals().update(access_tests(URL_RULES))
