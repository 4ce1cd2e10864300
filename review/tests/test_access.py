"""The inbox's URLs check sign-in, workspace and role (see salesops.tests.access_matrix)."""

import pytest

from salesops.models import Role
from salesops.tests.access_matrix import Rule, access_tests

URL_RULES = {
    "review:inbox": Rule(Role.REP),
}
PUBLIC_URLS: dict[str, str] = {}


@pytest.fixture
def access_rows(personas):
    return personas


globals().update(access_tests(URL_RULES))
