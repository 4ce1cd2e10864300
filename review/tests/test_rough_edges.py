"""What reps ran into: a taken-over thread lost from their queue, a diff hard to read, a reply whose
words came after the answer, items only a manager can answer, and codes instead of words."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from agents import decisions
from agents.conversations.models import InboundMessage
from agents.models import AgentRun, AgentStep, Handoff
from review import selectors
from review.tests.factories import make_handoff, make_review_handoff

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


def _row_ids(html: str) -> list[int]:
    return [int(pk) for pk in re.findall(r'<li id="row-(\d+)"', html)]


def _item(client, handoff, **params) -> str:
    response = client.get(reverse("review:item", args=[handoff.pk]), params, **HTMX)
    assert response.status_code == 200
    return response.content.decode()


# A taken-over thread -----------------------------------------------------------------------------


def test_a_taken_over_thread_stays_in_the_mine_queue_of_whoever_took_it_over(personas):
    taken = make_review_handoff(workspace=personas.workspace)
    waiting = make_handoff(workspace=personas.workspace, assignee=personas.rep.user)
    decisions.handoff_take_over(handoff=taken, actor=personas.rep)
    rep, manager = personas.client_for(personas.rep), personas.client_for(personas.manager)

    mine = rep.get(reverse("review:inbox"), {"queue": "mine"}).content.decode()
    assert _row_ids(mine) == [waiting.pk, taken.pk]  # after the items that wait for a decision
    row = re.search(rf'<li id="row-{taken.pk}".*?</li>', mine, re.S).group(0)
    assert "is-owned" in row and "is-done" not in row
    assert "Taken over · owner rep@acme.test" in row
    assert re.search(r'id="count-mine" class="count">2<', mine)
    # Not in the queues of people who did not take it over, nor among the items to decide.
    assert taken.pk not in _row_ids(rep.get(reverse("review:inbox")).content.decode())
    assert taken.pk not in _row_ids(manager.get(reverse("review:inbox"), {"queue": "mine"}).content.decode())

    decisions.contact_hand_back(contact=taken.contact, actor=personas.rep)
    assert _row_ids(rep.get(reverse("review:inbox"), {"queue": "mine"}).content.decode()) == [waiting.pk]


def test_the_mine_queue_pages_through_taken_over_threads_too(personas):
    for _ in range(3):
        decisions.handoff_take_over(handoff=make_review_handoff(workspace=personas.workspace), actor=personas.rep)
    for _ in range(2):
        make_handoff(workspace=personas.workspace, assignee=personas.rep.user)
    filters = selectors.InboxFilters(queue="mine")
    seen, after = [], None
    while True:
        page = selectors.inbox_page(membership=personas.rep, filters=filters, now=timezone.now(), after=after, limit=2)
        seen += [item.pk for item in page.items]
        if page.next_cursor is None:
            break
        after = page.next_cursor
    assert len(seen) == len(set(seen)) == 5
    assert [Handoff.objects.get(pk=pk).decision for pk in seen] == ["", "", "taken_over", "taken_over", "taken_over"]


def test_the_owners_composer_is_at_the_top_of_a_taken_over_item(personas):
    taken = make_review_handoff(workspace=personas.workspace)
    decisions.handoff_take_over(handoff=taken, actor=personas.rep)

    html = _item(personas.client_for(personas.rep), taken, queue="mine")

    assert "rep@acme.test owns this conversation" in html
    composer = html.index('class="compose"')
    assert composer < html.index('class="panel decision"')
    assert composer < html.index('id="claims-title"') < html.index('id="thread-title"')
    assert html.index("</header>") < composer


# A reply item ------------------------------------------------------------------------------------


def _answer_to_a_reply(personas, text: str) -> Handoff:
    """A proposed answer to a prospect's reply that waits for approval (an answer run, step 0)."""
    handoff = make_review_handoff(workspace=personas.workspace)
    inbound = InboundMessage.objects.create(
        workspace=personas.workspace, channel="mime", raw=b"", size_bytes=0, dedupe_key="<r1@x>",
        contact=handoff.contact, text=text, category="question", subject="Re: After the funding news",
    )  # fmt: skip
    AgentRun.objects.filter(pk=handoff.run_id).update(
        inbound_message=inbound, step_position=0, reply_context={"text": text, "category": "question"}
    )
    Handoff.objects.filter(pk=handoff.pk).update(kind="reply_review")
    return handoff


def test_a_proposed_answer_shows_the_prospects_words_first_with_the_quoted_history_folded(personas):
    text = "How does it work with Salesforce?\n\nOn Tue, 1 Dec 2026 at 10:02, Sam <sam@acme.test> wrote:\n> Hi Mia"
    handoff = _answer_to_a_reply(personas, text)

    html = _item(personas.client_for(personas.rep), handoff)

    words = html.index("How does it work with Salesforce?")
    folded = re.search(r'<details class="quoted">.*?</details>', html, re.S).group(0)
    assert "&gt; Hi Mia" in folded and "wrote:" in folded
    assert "Hi Mia" not in html[words : html.index('<details class="quoted">')]
    assert words < html.index(folded) < html.index("The proposed answer")
    assert html.index("The proposed answer") < html.index(handoff.proposal["draft"]["body"].splitlines()[0])


def test_a_reply_that_needs_a_person_folds_what_it_quotes(personas):
    handoff = make_handoff(
        workspace=personas.workspace,
        kind="reply_review",
        proposal={
            "inbound": 3,
            "subject": "Re: hello",
            "text": "Please call me instead.\n-----Original Message-----\nFrom: Sam\nHello Mia",
            "classification": {"category": "other", "confidence": 0.5},
        },
    )
    html = _item(personas.client_for(personas.rep), handoff)
    own = re.search(r'<div class="draft-body reply-text">(.*?)</div>', html, re.S).group(1)
    assert own.strip() == "Please call me instead."
    assert "Hello Mia" in re.search(r'<details class="quoted">.*?</details>', html, re.S).group(0)


# Items only a manager can answer -----------------------------------------------------------------


def test_items_only_a_manager_can_answer_stay_out_of_a_reps_queue_and_counts(personas):
    today = timezone.localdate().isoformat()
    goal = make_handoff(workspace=personas.workspace, kind="escalation", dedupe_key=f"goal-at-risk:1:{today}")
    budget = make_handoff(workspace=personas.workspace, kind="exception", dedupe_key="budget:2026-12")
    draft = make_handoff(workspace=personas.workspace)
    rep, manager = personas.client_for(personas.rep), personas.client_for(personas.manager)

    for queue in ("all", "unassigned"):
        assert _row_ids(rep.get(reverse("review:inbox"), {"queue": queue}).content.decode()) == [draft.pk]
    counts = selectors.inbox_counts(membership=personas.rep, filters=selectors.InboxFilters(), now=timezone.now())
    assert (counts.all, counts.unassigned, {k: n for k, _, n in counts.by_kind}["escalation"]) == (1, 1, 0)
    assert selectors.inbox_ids_in_filter(
        membership=personas.rep, filters=selectors.InboxFilters(), now=timezone.now()
    ) == [draft.pk]

    assert set(_row_ids(manager.get(reverse("review:inbox")).content.decode())) == {goal.pk, budget.pk, draft.pk}
    admin_counts = selectors.inbox_counts(
        membership=personas.admin, filters=selectors.InboxFilters(), now=timezone.now()
    )
    assert admin_counts.all == 3


def test_a_rep_cannot_act_on_an_item_only_a_manager_can_answer(personas):
    goal = make_handoff(workspace=personas.workspace, kind="escalation", dedupe_key="goal-at-risk:1:2026-12-01")
    rep = personas.client_for(personas.rep)
    html = _item(rep, goal)
    assert "/reject/" not in html and "/snooze/" not in html
    response = rep.post(reverse("review:reject", args=[goal.pk]), {"reason": "tone"})
    assert response.status_code == 403
    bulk = rep.post(
        reverse("review:bulk"), {"action": "reject", "reason": "tone", "scope": "selected", "ids": [goal.pk]}
    )
    assert bulk.status_code == 302
    assert Handoff.objects.get(pk=goal.pk).status == "open"
    personas.client_for(personas.manager).post(reverse("review:reject", args=[goal.pk]), {"reason": "timing"})
    assert Handoff.objects.get(pk=goal.pk).decision == "rejected"


# No internal identifier on a page ----------------------------------------------------------------

IDENTIFIER = re.compile(r"\b\w+_\w+\b|\bstep 0\b", re.IGNORECASE)
# Codes with no underscore: a prompt version ("research-1"), a provider or model code ("offline",
# "offline / offline", "rules / rules").
RAW_CODE = re.compile(r"\b([a-z]+) / \1\b|(?<![\w-])[a-z]+-\d+(?![\w.-])|\b(?:offline|anthropic)\b")


def _visible_text(html: str) -> str:
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S | re.I)
    return re.sub(r"<[^>]+>", " ", html)


def _identifiers(html: str) -> set[str]:
    text = _visible_text(html)
    return set(IDENTIFIER.findall(text)) | {match.group(0) for match in RAW_CODE.finditer(text)}


@pytest.fixture
def items_of_every_kind(personas):
    workspace = personas.workspace
    draft = make_review_handoff(workspace=workspace)
    for agent, decision, provider, model, prompt in (
        ("research", "", "offline", "offline", "research-1"),
        ("qualify", "needs_person", "offline", "offline", "qualify-1"),
        ("route", "person_owns", "rules", "rules", "route-1"),
        ("write", "", "anthropic", "claude-sonnet-4-5", "write-2"),
    ):
        AgentStep.objects.create(
            workspace=workspace, run=draft.run, agent=agent, decision=decision, provider=provider, model=model,
            prompt_version=prompt,
        )  # fmt: skip
    brief = "Acme (acme.test): software.\n- product_usage: Uses the API daily\n- job_change: A new head of sales"
    Handoff.objects.filter(pk=draft.pk).update(proposal={**draft.proposal, "brief": {"brief": brief}})
    blocked = make_handoff(
        workspace=workspace,
        kind="escalation",
        reason="The verifier blocked the draft: forbidden_phrase, uncited_claim.",
        proposal={
            "draft": {"subject": "Hi", "body": "We guarantee it.", "claims": [{"text": "We guarantee it."}]},
            "verification": {
                "passed": False,
                "findings": [
                    {"kind": "forbidden_phrase", "message": "Says guarantee.", "span": "guarantee"},
                    {"kind": "prompt_injection", "message": "Instruction-like.", "span": "it", "severity": "warn"},
                ],
            },
            "qualification": {"verdict": "needs_person", "fit_score": 50, "reasons": ["Unclear fit."]},
        },
    )
    negotiation = make_handoff(
        workspace=workspace,
        kind="negotiation",
        proposal={"inbound": 1, "subject": "Re: x", "text": "30% off?",
                  "classification": {"category": "negotiation", "confidence": 0.9, "span": "30% off"}},
    )  # fmt: skip
    reply = make_handoff(
        workspace=workspace,
        kind="reply_review",
        proposal={"inbound": 2, "subject": "Re: x", "text": "Back on Monday.",
                  "classification": {"category": "out_of_office", "confidence": 0.8}},
    )  # fmt: skip
    exception = make_handoff(
        workspace=workspace, kind="exception", proposal={"error": "TimeoutError: no answer", "message": 3,
                                                          "subject": "Hello", "body": "Hi"},
    )  # fmt: skip
    answer = _answer_to_a_reply(personas, "What does it cost?")
    done = []
    for decision in Handoff.Decision.values:
        done.append(
            make_handoff(
                workspace=workspace, status="resolved", decision=decision, decided_by=personas.rep.user,
                decided_at=timezone.now() - timedelta(minutes=1),
                reject_reason="do_not_contact" if decision == "rejected" else "",
            )
        )  # fmt: skip
    return [draft, blocked, negotiation, reply, exception, answer, *done]


def test_no_internal_identifier_reaches_the_inbox_or_thread_pages(personas, items_of_every_kind):
    draft = items_of_every_kind[0]
    decisions.handoff_take_over(handoff=draft, actor=personas.rep)
    InboundMessage.objects.create(
        workspace=personas.workspace, channel="mime", raw=b"", size_bytes=0, dedupe_key="<ooo@x>",
        contact=draft.contact, text="Away until Monday.", category="out_of_office",
        action="Out of office: the next step waits until 2026-12-08.",
    )  # fmt: skip
    found = {}
    for member in (personas.rep, personas.manager):
        client = personas.client_for(member)
        pages = {
            f"inbox {params}": client.get(reverse("review:inbox"), params).content.decode()
            for params in ({}, {"queue": "mine"}, {"state": "done"}, {"state": "snoozed"}, {"kind": "negotiation"})
        }
        for handoff in items_of_every_kind:
            pages[f"item {handoff.kind} {handoff.decision}"] = client.get(
                reverse("review:item", args=[handoff.pk])
            ).content.decode()
        pages["editor"] = client.get(reverse("review:edit", args=[items_of_every_kind[1].pk])).content.decode()
        pages["thread"] = client.get(reverse("review:thread", args=[draft.contact_id])).content.decode()
        for name, html in pages.items():
            if _identifiers(html):
                found[f"{member.role} {name}"] = _identifiers(html)
    assert not found, found


def test_the_identifier_check_catches_a_code_on_the_page():
    assert _identifiers("<p>Verdict: Needs_person</p><p title='a_b'>ok</p>") == {"Needs_person"}
    assert _identifiers("<td>step 0</td>") == {"step 0"}
    assert _identifiers("<td>offline / offline</td><td>research-1</td>") == {"offline / offline", "research-1"}
    assert _identifiers("<td>rules / rules</td>") == {"rules / rules"}
    assert not _identifiers("<td>Offline rules</td><td>prompt v1</td><td>2026-12-01</td><kbd>j</kbd> / <kbd>k</kbd>")


def test_agent_steps_and_the_brief_read_as_words(personas, items_of_every_kind):
    draft = items_of_every_kind[0]

    html = _item(personas.client_for(personas.rep), draft)

    brief = re.search(r'id="brief-title".*?</blockquote>', html, re.S).group(0)
    assert "- Product usage: Uses the API daily" in brief and "- Job change: A new head of sales" in brief
    steps = re.search(r'id="steps-title".*?</table>', html, re.S).group(0)
    assert "A person owns this lead" in steps and "Needs a person" in steps
    assert "Offline rules" in steps and "claude-sonnet-4-5 (Anthropic)" in steps
    assert "prompt v1" in steps and "prompt v2" in steps
