"""Inbound mail pages check sign-in, workspace and role (see salesops.tests.access_matrix)."""

import pytest

from salesops.models import Role
from salesops.tests.access_matrix import Rule, access_tests

URL_RULES = {
    "conversations:inbound_list": Rule(Role.ADMIN),
    "conversations:inbound_secret_rotate": Rule(Role.ADMIN, "post"),
}
PUBLIC_URLS = {
    "conversations:inbound_mime": "mail relays post with the workspace's bearer inbound secret (tested: 401 without)",
}


@pytest.fixture
def access_rows(personas):
    return personas


globals().update(access_tests(URL_RULES))
