"""A rep works a queue of 60 items to empty in a real browser, by keyboard alone."""

import re

import pytest
from playwright.sync_api import expect

from agents.delivery.models import OutboundMessage
from agents.models import AgentRun, Handoff, TakeOver
from campaigns.tests.factories import make_contact
from review.tests.factories import make_review_handoff
from salesops.tests.browser import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

QUEUE = 60


def _queue_of(workspace, count: int) -> list[Handoff]:
    """`count` draft reviews: one through the offline pipeline, the others copies of its run and draft
    for contacts of the same account (a pipeline run for each would take the test a minute)."""
    first = make_review_handoff(workspace=workspace)
    run = first.run
    handoffs = [first]
    for number in range(count - 1):
        # The copied draft greets the first contact by name: the copies share it (a draft greeting
        # someone else is a name no source supports, and the verifier blocks its approval).
        contact = make_contact(
            workspace=workspace, account=first.contact.account, first_name=first.contact.first_name,
            last_name=f"Lea{number}",
        )  # fmt: skip
        copy = AgentRun.objects.create(
            workspace=workspace, campaign=run.campaign, contact=contact, step_position=run.step_position,
            status=run.status, outcome=run.outcome, brief=run.brief, qualification=run.qualification,
            draft=run.draft, verification=run.verification, decision=run.decision,
        )  # fmt: skip
        handoffs.append(
            Handoff.objects.create(
                workspace=workspace,
                run=copy,
                campaign=run.campaign,
                contact=contact,
                kind=first.kind,
                reason=first.reason,
                confidence=first.confidence,
                proposal=first.proposal,
                allowed_actions=first.allowed_actions,
            )  # fmt: skip
        )
    return handoffs


def _open_item_id(page) -> str:
    detail = page.locator("#item-detail")
    expect(detail).to_have_attribute("data-item-id", re.compile(r"\d+"))
    return detail.get_attribute("data-item-id")


def _next_opens(page, before: str) -> None:
    detail = page.locator("#item-detail")
    expect(detail).not_to_have_attribute("data-item-id", before)


def test_a_rep_works_a_queue_of_sixty_to_empty_by_keyboard_alone(personas, live_server, page):
    handoffs = _queue_of(personas.workspace, QUEUE)
    sign_in(page, live_server.url, personas.rep.user.email)
    page.goto(live_server.url + "/inbox/")
    page.evaluate("window.stillTheSamePage = true")  # gone if anything below loads a whole page
    expect(page.locator("#count-all")).to_have_text(str(QUEUE))

    decided = {"approve": 0, "reject": 0, "snooze": 0, "take_over": 0, "edit": 0}
    for number in range(QUEUE):
        current = _open_item_id(page)
        if number == 1:
            # j and k move; the open item follows, and the keys keep working after each swap.
            page.keyboard.press("j")
            _next_opens(page, current)
            page.keyboard.press("k")
            expect(page.locator("#item-detail")).to_have_attribute("data-item-id", current)
        if number % 10 == 3:
            page.keyboard.press("r")  # the reasons open with the first one focused
            expect(page.locator("#reject-reason")).to_be_focused()
            page.keyboard.press("ArrowDown")  # "Off-target"
            page.keyboard.press("Tab")
            page.keyboard.press("Tab")
            expect(page.locator("#item-detail").get_by_role("button", name="Reject", exact=True)).to_be_focused()
            page.keyboard.press("Enter")
            decided["reject"] += 1
        elif number % 10 == 5:
            page.keyboard.press("s")
            expect(page.locator("#snooze-until")).to_be_focused()
            page.keyboard.press("Tab")  # the custom time, left empty: "until tomorrow" stands
            page.keyboard.press("Enter")
            decided["snooze"] += 1
        elif number % 10 == 7:
            page.keyboard.press("t")
            decided["take_over"] += 1
        elif number % 10 == 9:
            page.keyboard.press("e")
            body = page.locator("#edit-body")
            expect(body).to_be_focused()
            page.keyboard.press("Control+End")
            page.keyboard.type(" Kind regards.")
            page.keyboard.press("Tab")
            expect(page.get_by_role("button", name="Verify and approve")).to_be_focused()
            page.keyboard.press("Enter")
            decided["edit"] += 1
        else:
            page.keyboard.press("a")
            decided["approve"] += 1
        if number < QUEUE - 1:
            _next_opens(page, current)
            # The item that opened is the current row of the list, and the list always has it.
            expect(page.locator(f"#row-{_open_item_id(page)}")).to_have_class(re.compile("is-current"))

    expect(page.locator("#item-detail")).to_contain_text("Inbox zero")
    expect(page.locator("#count-all")).to_have_text("0")
    assert page.evaluate("window.stillTheSamePage") is True
    ids = [handoff.pk for handoff in handoffs]
    assert Handoff.objects.filter(pk__in=ids, status="open").count() == 0
    assert Handoff.objects.filter(pk__in=ids, decision="approved").count() == decided["approve"]
    assert (
        Handoff.objects.filter(pk__in=ids, decision="rejected", reject_reason="off_target").count()
        == (decided["reject"])
    )
    assert Handoff.objects.filter(pk__in=ids, status="snoozed").count() == decided["snooze"]
    assert TakeOver.objects.filter(user=personas.rep.user).count() == decided["take_over"]
    assert (
        Handoff.objects.filter(pk__in=ids, decision="edited", final_body__contains=" Kind regards.").count()
        == (decided["edit"])
    )
    assert OutboundMessage.objects.filter(approved_by=personas.rep.user).count() == decided["approve"] + decided["edit"]
