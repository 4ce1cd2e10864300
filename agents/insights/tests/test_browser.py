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
    expect(rows.first.locator(".detail-body")).to_contain_text("Decision")
    expect(rows.first.locator(".detail-body [title^=verify]")).to_have_count(1)  # the verifier's prompt
    assert not _serious_violations(page)


def test_a_manager_sees_todays_plan_on_the_campaign_page_and_the_overview_charts(live_server, page):
    call_command("demo", force=True)
    campaign = Campaign.objects.get(name="Q4 mid-market demos")
    _sign_in(page, live_server, "manager@demo.test")
    expect(page.locator("#activity-heading")).to_be_visible()
    assert page.locator("svg.chart").count() == 3  # the goal's burn-up, emails and replies, inbox age
    assert not _serious_violations(page)
    page.goto(f"{live_server.url}/campaigns/{campaign.pk}/")
    # The plan comes from insights with htmx on load; the link it replaces is the fallback without JS.
    expect(page.locator("#plan-heading")).to_have_text("Today's plan")
    expect(page.locator("#plan-summary")).to_contain_text("new lead")
    expect(page.get_by_role("link", name="Today's plan: how many new leads")).to_have_count(0)
    assert not _serious_violations(page)


def test_a_rep_sorts_and_filters_the_accounts_in_place_and_opens_a_contact(live_server, page):
    call_command("demo", force=True)
    _sign_in(page, live_server, "rep@demo.test")
    page.goto(f"{live_server.url}/campaigns/accounts/")
    page.get_by_role("link", name="Employees").click()
    expect(page.locator('th[aria-sort="ascending"]')).to_contain_text("Employees")
    page.get_by_role("link", name="Employees").click()
    expect(page.locator('th[aria-sort="descending"]')).to_contain_text("Employees")
    page.wait_for_url("**sort=-employees**")
    # Filtering after a header click keeps the sort.
    page.get_by_label("Tier").select_option("A")
    page.wait_for_url("**tier=A**")
    assert "sort=-employees" in page.url
    expect(page.locator('th[aria-sort="descending"]')).to_contain_text("Employees")
    tiers = page.locator("#accounts tbody tr td:nth-child(6)").all_inner_texts()
    employees = [int(text) for text in page.locator("#accounts tbody tr td:nth-child(4)").all_inner_texts()]
    assert tiers and set(tiers) == {"A"} and employees == sorted(employees, reverse=True)
    assert not _serious_violations(page)
    page.locator("#accounts tbody tr td:first-child a").first.click()
    page.locator("#contacts-heading ~ table tbody a").first.click()
    expect(page.locator("#profile-heading")).to_be_visible()
    expect(page.locator("#profile")).to_contain_text("+1 555 01")
    assert not _serious_violations(page)
