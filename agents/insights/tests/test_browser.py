"""A manager reads the campaign dashboard and an admin filters the audit timeline in a real browser;
neither page has a serious or critical accessibility violation."""

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.core.management import call_command
from playwright.sync_api import expect

from campaigns.models import Campaign

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _sign_in(page, live_server, email: str) -> None:
    page.goto(live_server.url + "/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill("salesops-demo")
    page.get_by_role("button", name="Sign In").click()
    page.wait_for_url("**/dashboard/")


def _serious_violations(page) -> list[str]:
    results = Axe().run(page)
    return [
        f"{violation['id']} ({violation['impact']})"
        for violation in results.response["violations"]
        if violation["impact"] in ("serious", "critical")
    ]


def test_a_manager_reads_the_campaign_dashboard(live_server, page):
    call_command("demo", force=True)
    campaign = Campaign.objects.get(name="Q4 mid-market demos")
    _sign_in(page, live_server, "manager@demo.test")
    page.goto(f"{live_server.url}/insights/campaigns/{campaign.pk}/")
    expect(page.locator("svg").first).to_be_visible()
    expect(page.locator("#funnel")).to_contain_text("Leads worked")
    assert not _serious_violations(page)


def test_an_admin_filters_the_audit_timeline(live_server, page):
    call_command("demo", force=True)
    _sign_in(page, live_server, "admin@demo.test")
    page.goto(f"{live_server.url}/insights/audit/?agent=verify")
    rows = page.locator("tr.timeline-step")
    expect(rows.first).to_be_visible()
    assert rows.count() >= 1 and page.locator("tr.timeline-event").count() == 0
    rows.first.locator("summary").click()  # the step's details open in place (htmx)
    expect(rows.first.locator(".detail-body")).to_contain_text("verify")
    assert not _serious_violations(page)
