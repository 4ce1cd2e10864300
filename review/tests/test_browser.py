"""The demo rep clears the inbox in a real browser, mostly from the keyboard."""

import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.core.management import call_command
from playwright.sync_api import expect

from agents.delivery.models import OutboundMessage
from agents.models import Handoff, TakeOver
from agents.outreach.pipeline import lead_pipeline_run
from agents.tests.factories import make_lead
from campaigns.tests.factories import make_campaign
from salesops.models import User, Workspace
from salesops.tests.browser import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

EXTRA_DRAFTS = 10


@pytest.fixture
def demo_inbox(live_server):
    """The demo workspace (its agents open escalations and an exception) plus drafts of a campaign
    whose every email a person reviews, made by the same offline pipeline."""
    call_command("demo", force=True)
    workspace = Workspace.objects.get(slug="demo")
    campaign = make_campaign(workspace=workspace, name="Review every email", autonomy="review_all")
    for _ in range(EXTRA_DRAFTS):
        lead = make_lead(workspace=workspace, campaign=campaign)
        lead_pipeline_run(run_id=lead.run.pk)
    return workspace


def _sign_in(page, live_server, email: str) -> None:
    sign_in(page, live_server.url, email, password="salesops-demo")


def _open_item_id(page) -> str:
    detail = page.locator("#item-detail")
    expect(detail).to_have_attribute("data-item-id", re.compile(r"\d+"))
    return detail.get_attribute("data-item-id")


def _press_and_wait_for_next(page, key: str) -> str:
    before = _open_item_id(page)
    page.keyboard.press(key)
    expect(page.locator("#item-detail")).not_to_have_attribute("data-item-id", before)
    return before


def test_the_rep_clears_the_inbox_from_the_keyboard(demo_inbox, live_server, page):
    rep = User.objects.get(email="rep@demo.test")
    _sign_in(page, live_server, "rep@demo.test")
    page.goto(live_server.url + "/inbox/?kind=draft_review")
    first = _open_item_id(page)
    page.evaluate("window.stillTheSamePage = true")  # gone if anything below loads a whole page
    assert page.locator("#count-all").inner_text().strip() == str(
        Handoff.objects.filter(workspace=demo_inbox, status="open").count()
    )

    # j and k move through the list without a page load.
    page.keyboard.press("j")
    expect(page.locator("#item-detail")).not_to_have_attribute("data-item-id", first)
    expect(page.locator(f"#row-{_open_item_id(page)}")).to_have_class(re.compile("is-current"))
    page.keyboard.press("k")
    expect(page.locator("#item-detail")).to_have_attribute("data-item-id", first)
    # x ticks the open item for a bulk action; ? shows the keys.
    page.keyboard.press("x")
    expect(page.locator(f"#select-{first}")).to_be_checked()
    page.keyboard.press("x")
    expect(page.locator(f"#select-{first}")).not_to_be_checked()
    page.keyboard.press("?")
    expect(page.locator("#keys-help")).to_have_attribute("open", "")
    page.keyboard.press("?")
    expect(page.locator("#keys-help")).not_to_have_attribute("open", "")

    # Five approvals, one keystroke each; the next item opens by itself.
    approved = [_press_and_wait_for_next(page, "a") for _ in range(5)]
    assert set(
        Handoff.objects.filter(pk__in=approved, decision="approved", decided_by=rep).values_list("pk", flat=True)
    ) == {int(pk) for pk in approved}
    assert OutboundMessage.objects.filter(approved_by=rep).count() == 5
    expect(page.locator(f"#row-{approved[0]}")).to_have_class(re.compile("is-done"))
    expect(page.locator("#messages")).to_contain_text("Approved")

    # e opens the editor with the email focused; the edited version is verified and approved.
    edited = _open_item_id(page)
    page.keyboard.press("e")
    body = page.get_by_label("Email", exact=True)
    expect(body).to_be_focused()
    body.fill(body.input_value().replace("\n\n", "\n\nHope your week is going well.\n\n", 1))
    page.get_by_role("button", name="Verify and approve").click()
    expect(page.locator("#item-detail")).not_to_have_attribute("data-item-id", edited)
    handoff = Handoff.objects.get(pk=edited)
    assert handoff.decision == "edited" and "Hope your week is going well." in handoff.final_body
    assert "Hope your week" in OutboundMessage.objects.get(contact=handoff.contact).body_text

    # r opens the reasons; the rejection keeps its reason.
    rejected = _open_item_id(page)
    page.keyboard.press("r")
    reason = page.get_by_label("Reason", exact=True)
    expect(reason).to_be_focused()
    reason.select_option("tone")
    page.locator("#item-detail").get_by_role("button", name="Reject").click()
    expect(page.locator("#item-detail")).not_to_have_attribute("data-item-id", rejected)
    assert Handoff.objects.filter(pk=rejected, decision="rejected", reject_reason="tone").exists()

    # t takes the conversation over: the agents stop on that contact.
    taken = _press_and_wait_for_next(page, "t")
    handoff = Handoff.objects.get(pk=taken)
    assert handoff.decision == "taken_over"
    assert TakeOver.objects.filter(contact=handoff.contact, user=rep).exists()

    assert page.evaluate("window.stillTheSamePage") is True
    # The counts followed every decision, out of band.
    expect(page.locator("#count-all")).to_have_text(
        str(Handoff.objects.filter(workspace=demo_inbox, status="open").count())
    )


def test_the_rep_bulk_approves_every_item_of_a_filter(demo_inbox, live_server, page):
    escalations = set(
        Handoff.objects.filter(workspace=demo_inbox, kind="escalation", status="open").values_list("pk", flat=True)
    )
    assert len(escalations) >= 2
    _sign_in(page, live_server, "rep@demo.test")
    page.goto(live_server.url + "/inbox/")
    page.get_by_label("Kind").select_option("escalation")
    expect(page.locator("#inbox-rows > li.inbox-row")).to_have_count(len(escalations))
    page.get_by_label("Apply to").select_option("filter")
    page.get_by_role("button", name="Apply").click()
    expect(page.locator("#messages")).to_contain_text(f"{len(escalations)} approved")
    assert (
        set(Handoff.objects.filter(pk__in=escalations, decision="approved").values_list("pk", flat=True)) == escalations
    )
    expect(page.locator("#inbox-rows > li.inbox-row")).to_have_count(0)
    assert "kind=escalation" in page.url


def test_the_second_person_sees_who_handled_the_item_first(demo_inbox, live_server, page, browser):
    item = Handoff.objects.filter(workspace=demo_inbox, kind="draft_review", status="open").order_by("pk").first()
    manager_context = browser.new_context()
    manager_page = manager_context.new_page()
    manager_page.set_default_timeout(10_000)
    try:
        _sign_in(manager_page, live_server, "manager@demo.test")
        manager_page.goto(f"{live_server.url}/inbox/{item.pk}/")
        expect(manager_page.locator("#item-detail")).to_have_attribute("data-item-id", str(item.pk))

        _sign_in(page, live_server, "rep@demo.test")
        page.goto(f"{live_server.url}/inbox/{item.pk}/")
        _press_and_wait_for_next(page, "a")

        manager_page.locator("#item-detail").get_by_role("button", name="Approve").click()
        alert = manager_page.locator("#item-detail [role=alert]")
        expect(alert).to_contain_text("Already handled by rep@demo.test (approved)")
        expect(manager_page.locator("#item-detail")).to_contain_text("Approved by rep@demo.test")
    finally:
        manager_context.close()
    assert OutboundMessage.objects.filter(contact=item.contact).count() == 1


def test_an_item_is_approved_without_javascript(demo_inbox, live_server, browser):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.set_default_timeout(10_000)
    try:
        _sign_in(page, live_server, "rep@demo.test")
        page.goto(live_server.url + "/inbox/?kind=draft_review")
        item_id = page.locator("#item-detail").get_attribute("data-item-id")
        page.locator("#item-detail").get_by_role("button", name="Approve").click()
        expect(page.locator("#messages")).to_contain_text("Approved: the email is queued for sending.")
        assert page.locator("#item-detail").get_attribute("data-item-id") != item_id
    finally:
        context.close()
    assert Handoff.objects.get(pk=item_id).decision == "approved"


@pytest.mark.parametrize("path", ["/inbox/", "/inbox/?kind=exception", "edit"])
def test_the_inbox_has_no_serious_accessibility_violation(demo_inbox, live_server, page, path):
    _sign_in(page, live_server, "rep@demo.test")
    if path == "edit":
        item = Handoff.objects.filter(workspace=demo_inbox, kind="draft_review").order_by("pk").first()
        path = f"/inbox/{item.pk}/edit/"
    page.goto(live_server.url + path)
    expect(page.locator("#item-detail")).to_be_visible()
    page.locator("#keys-help summary").click()  # the keys' help open too
    results = Axe().run(page)
    serious = [
        f"{violation['id']} ({violation['impact']}): {[node['target'] for node in violation['nodes']]}"
        for violation in results.response["violations"]
        if violation["impact"] in ("serious", "critical")
    ]
    assert not serious, serious
