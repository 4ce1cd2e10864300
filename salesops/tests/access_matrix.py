"""The access specification every app's URLs are tested against.

An app's `tests/test_access.py` declares `URL_RULES` (url name -> `Rule`) and a fixture
`access_rows(personas)` creating the rows its URLs need, then adds the tests to its module with
`globals().update(access_tests(URL_RULES))`.
`tests/test_every_url_has_a_rule.py` fails when a URL of the product is missing from every table.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.urls import reverse

from salesops.models import AuditEvent


@dataclass(frozen=True)
class Rule:
    role: str  # the lowest role allowed
    method: str = "get"
    kwargs: Callable[[Any], dict] | None = None  # rows -> URL kwargs; None for URLs without ids
    data: Callable[[Any], dict] | None = None  # rows -> POST data


def _request(rule: Rule, name: str, rows, client):
    url = reverse(name, kwargs=rule.kwargs(rows) if rule.kwargs else None)
    data = rule.data(rows) if rule.data else {}
    return getattr(client, rule.method)(url, data)


def access_tests(url_rules: dict[str, Rule]):
    names = sorted(url_rules)
    with_ids = sorted(name for name, rule in url_rules.items() if rule.kwargs is not None)

    @pytest.mark.django_db
    @pytest.mark.parametrize("name", names)
    def test_anonymous_visitors_are_sent_to_sign_in(name, access_rows, client):
        response = _request(url_rules[name], name, access_rows, client)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("account_login"))

    @pytest.mark.django_db
    @pytest.mark.parametrize("name", names)
    @pytest.mark.parametrize("persona", ["rep", "manager", "admin"])
    def test_each_role_gets_exactly_the_pages_its_rank_allows(name, persona, access_rows, personas):
        rule = url_rules[name]
        membership = getattr(personas, persona)
        response = _request(rule, name, access_rows, personas.client_for(membership))
        if membership.has_role(rule.role):
            # 400: allowed in, but the request's (empty) form was refused.
            assert response.status_code in (200, 302, 400), response.status_code
        else:
            assert response.status_code == 403
            assert AuditEvent.objects.filter(
                workspace=personas.workspace, verb="security.permission_denied", actor=membership.user.email
            ).exists()

    @pytest.mark.django_db
    @pytest.mark.parametrize("name", with_ids)
    def test_an_outsider_guessing_ids_gets_404(name, access_rows, personas):
        response = _request(url_rules[name], name, access_rows, personas.client_for(personas.outsider))
        assert response.status_code == 404

    tests = {
        "test_anonymous_visitors_are_sent_to_sign_in": test_anonymous_visitors_are_sent_to_sign_in,
        "test_each_role_gets_exactly_the_pages_its_rank_allows": test_each_role_gets_exactly_the_pages_its_rank_allows,
    }
    if with_ids:
        tests["test_an_outsider_guessing_ids_gets_404"] = test_an_outsider_guessing_ids_gets_404
    return tests
