"""The address bar of the inbox always says which filters the list shows, so a reload or a shared link
opens the same list."""

import re

import pytest
from playwright.sync_api import expect

from campaigns.tests.factories import make_campaign
from review.tests.factories import make_handoff
from salesops.tests.browser import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _row_ids(page) -> list[str]:
    return page.locator("#inbox-rows > li.inbox-row").evaluate_all("rows => rows.map(row => row.dataset.itemId)")


def test_the_url_follows_each_filter_change_and_a_reload_shows_the_same_list(personas, live_server, page):
    workspace = personas.workspace
    spring = make_campaign(workspace=workspace, name="Spring")
    autumn = make_campaign(workspace=workspace, name="Autumn")
    spring_exception = make_handoff(workspace=workspace, kind="exception", campaign=spring)
    autumn_exception = make_handoff(workspace=workspace, kind="exception", campaign=autumn)
    make_handoff(workspace=workspace, kind="draft_review", campaign=autumn)
    sign_in(page, live_server.url, personas.rep.user.email)
    page.goto(live_server.url + "/inbox/")
    expect(page.locator("#inbox-rows > li.inbox-row")).to_have_count(3)

    page.get_by_label("Kind").select_option(label="Exception")
    expect(page.locator("#inbox-rows > li.inbox-row")).to_have_count(2)
    expect(page).to_have_url(live_server.url + "/inbox/?kind=exception")

    page.get_by_label("Campaign").select_option(label="Autumn")
    expect(page.locator("#inbox-rows > li.inbox-row")).to_have_count(1)
    expect(page).to_have_url(f"{live_server.url}/inbox/?kind=exception&campaign={autumn.pk}")
    shown = _row_ids(page)
    assert shown == [str(autumn_exception.pk)]

    page.reload()
    expect(page.locator("#inbox-rows > li.inbox-row")).to_have_count(1)
    assert _row_ids(page) == shown
    expect(page.get_by_label("Kind")).to_have_value("exception")
    expect(page.get_by_label("Campaign")).to_have_value(str(autumn.pk))

    # Back to every kind: the default leaves the URL, the campaign stays.
    page.get_by_label("Kind").select_option(label="Every kind")
    expect(page.locator("#inbox-rows > li.inbox-row")).to_have_count(2)
    expect(page).to_have_url(re.compile(rf"/inbox/\?campaign={autumn.pk}$"))
    assert str(spring_exception.pk) not in _row_ids(page)
