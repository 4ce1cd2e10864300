"""The campaigns app's URLs check sign-in, workspace and role (see salesops.tests.access_matrix)."""

import pytest

from salesops.models import Role
from salesops.tests.access_matrix import Rule, access_tests

URL_RULES = {
    "campaigns:campaign_list": Rule(Role.MANAGER),
    "campaigns:icp_list": Rule(Role.MANAGER),
    "campaigns:account_list": Rule(Role.REP),
}
PUBLIC_URLS: dict[str, str] = {}


@pytest.fixture
def access_rows(personas):
    return personas


globals().update(access_tests(URL_RULES))
