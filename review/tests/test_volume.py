"""The inbox at volume: 26, 250 and 10,000 open items (loaded with bulk_create), on either database.
Every page is walked once in order, every action opens the right next item, filters and bulk work,
and each request costs the same number of queries at every size."""

import re
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from agents.delivery.models import OutboundMessage
from agents.handoffs import DRAFT_ACTIONS, EXCEPTION_ACTIONS
from agents.models import Handoff, TakeOver
from campaigns.tests.factories import make_campaign
from review import selectors
from review.tests.factories import make_review_handoff

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}
SIZES = [26, 250, 10_000]
KINDS = ["draft_review", "exception", "negotiation", "escalation", "reply_review"]
ACTED = ["approve", "edit", "reject", "regenerate", "take_over", "snooze", "assign", "bulk"]


@dataclass
class Volume:
    size: int
    campaign_ids: list[int]
    drafts: dict[str, Handoff]  # real drafts (with a run) to act on, the oldest of their tier
    exception: Handoff  # the oldest exception, to dismiss
    small_campaign_ids: list[int]  # the items of the small campaign


def _load(personas, size: int) -> Volume:
    """`size` open items: bare rows in bulk, plus real drafts to approve, edit, reject…; some snoozed and
    resolved items around them that the open queue must leave out."""
    workspace, now = personas.workspace, timezone.now()
    campaigns = [make_campaign(workspace=workspace, steps=1) for _ in range(2)]
    drafts = {}
    for number, action in enumerate(ACTED):
        handoff = make_review_handoff(workspace=workspace)
        Handoff.objects.filter(pk=handoff.pk).update(created_at=now - timedelta(days=30, minutes=-number))
        drafts[action] = handoff
    assignees = [None, personas.rep.user_id, None, personas.manager.user_id]
    bare = size - len(ACTED)
    rows = []
    for number in range(bare):
        kind = KINDS[number % len(KINDS)]
        rows.append(
            Handoff(
                workspace=workspace,
                campaign_id=campaigns[1].pk if number % 97 == 0 else campaigns[0].pk,
                kind=kind,
                reason=f"Item {number} needs a look.",
                confidence=None if number % 11 == 0 else Decimal(f"0.{30 + number % 69:02d}"),
                allowed_actions=DRAFT_ACTIONS if kind in ("draft_review", "escalation") else EXCEPTION_ACTIONS,
                assignee_id=assignees[number % len(assignees)],
                # Every seventh item shares its moment with others: the id breaks the tie.
                created_at=now - timedelta(hours=2) if number % 7 == 0 else now - timedelta(minutes=3 * number + 1),
            )
        )
    passed_snooze = rows[-1]
    passed_snooze.status, passed_snooze.snoozed_until = "snoozed", now - timedelta(minutes=5)
    extras = [
        Handoff(workspace=workspace, kind="draft_review", reason="Snoozed.", status="snoozed",
                snoozed_until=now + timedelta(hours=n + 1), created_at=now - timedelta(days=2))
        for n in range(3)
    ] + [
        Handoff(workspace=workspace, kind="draft_review", reason="Done.", status="resolved", decision="approved",
                decided_at=now - timedelta(hours=n), created_at=now - timedelta(days=3))
        for n in range(3)
    ]  # fmt: skip
    Handoff.objects.bulk_create(rows + extras, batch_size=2000)
    with connection.cursor() as cursor:  # what autovacuum would have done: the planner knows the table
        cursor.execute(f"ANALYZE {connection.ops.quote_name(Handoff._meta.db_table)}")
    exception = (
        Handoff.objects.filter(workspace=workspace, kind="exception", status="open", assignee__isnull=True)
        .order_by("created_at", "pk")
        .first()
    )
    small = list(
        Handoff.objects.filter(campaign=campaigns[1], status="open").order_by("pk").values_list("pk", flat=True)
    )
    return Volume(
        size=size,
        campaign_ids=[c.pk for c in campaigns],
        drafts=drafts,
        exception=exception,
        small_campaign_ids=small,
    )


def _expected_order(membership, *, kind: str = "") -> list[int]:
    """Every open item the member sees, in the inbox's order, computed here from the rows themselves."""
    now = timezone.now()
    handoffs = Handoff.objects.filter(workspace_id=membership.workspace_id).filter(selectors.open_q(now))
    if not selectors.is_manager(membership):
        handoffs = handoffs.filter(assignee_id__in=[membership.user_id, None]) | handoffs.filter(assignee__isnull=True)
    if kind:
        handoffs = handoffs.filter(kind=kind)
    rows = handoffs.values_list("kind", "created_at", "pk")
    return [pk for kind, at, pk in sorted(rows, key=lambda row: (selectors.URGENCY_TIER[row[0]], row[1], row[2]))]


def _row_ids(html: str) -> list[int]:
    return [int(pk) for pk in re.findall(r'<li id="row-(\d+)"', html)]


def _open_item(html: str) -> int | None:
    section = re.search(r'<section id="item-detail"[^>]*>', html).group(0)
    found = re.search(r'data-item-id="(\d+)"', section)
    return int(found.group(1)) if found else None


def _counted(call):
    with CaptureQueriesContext(connection) as captured:
        response = call()
    assert response.status_code in (200, 302), response.status_code
    return response, len(captured.captured_queries)


@pytest.fixture(params=SIZES, ids=[f"{size}-items" for size in SIZES])
def volume(request, personas):
    return _load(personas, request.param)


# Pages the test client fetches at 10,000 items (every page through the selector, every 40th through HTTP
# too): all 400 over HTTP would take the test from seconds to most of a minute.
HTTP_EVERY_NTH_PAGE = {26: 1, 250: 1, 10_000: 40}


def test_every_page_of_the_inbox_shows_each_open_item_once_in_order(personas, volume):
    client = personas.client_for(personas.manager)
    expected = _expected_order(personas.manager)
    assert len(expected) == volume.size
    now, every_nth = timezone.now(), HTTP_EVERY_NTH_PAGE[volume.size]
    seen, costs, after, number = [], set(), None, 0
    client.get(reverse("review:inbox"))
    while True:
        page = selectors.inbox_page(membership=personas.manager, filters=selectors.InboxFilters(), now=now, after=after)
        rows = [item.pk for item in page.items]
        assert len(rows) == min(selectors.PAGE_SIZE, volume.size - len(seen))
        if number % every_nth == 0:
            url = reverse("review:inbox") + (f"?after={after.encode()}" if after else "")
            response, cost = _counted(lambda url=url: client.get(url, **HTMX))
            costs.add(cost)
            html = response.content.decode()
            assert _row_ids(html) == rows
            found = re.search(r'<a href="[^"]*after=([0-9.]+)"[^>]*>Next page</a>', html)
            assert (found.group(1) if found else None) == (page.next_cursor.encode() if page.next_cursor else None)
        seen += rows
        number += 1
        if page.next_cursor is None:
            break
        after = page.next_cursor
    assert seen == expected
    # session, user, membership; keys, rows, counts; the open item and as many of its signals, proof
    # points, steps and thread as it has; the members to assign to: never more for a later page.
    assert max(costs) <= 12, costs


def test_the_list_and_an_item_cost_the_same_queries_at_every_size(personas, volume, django_assert_num_queries):
    client = personas.client_for(personas.rep)
    client.get(reverse("review:inbox"))
    draft = volume.drafts["approve"]
    # session, user, membership; keys, rows, counts; the open item (the oldest negotiation: no run, no
    # contact, so none of its sources), the campaigns of the filter.
    with django_assert_num_queries(8):
        response = client.get(reverse("review:inbox"))
    assert _row_ids(response.content.decode()) == _expected_order(personas.rep)[: selectors.PAGE_SIZE]
    # session, user, membership; the handoff; its signals, proof points, steps, thread.
    with django_assert_num_queries(8):
        html = client.get(reverse("review:item", args=[draft.pk]), **HTMX).content.decode()
    assert draft.proposal["draft"]["subject"] in html


# Each action, with htmx: the next item in order opens, at a fixed cost -----------------------------

# Queries of each htmx action, the same at every size: session, user, membership, the item; the
# service's (the locked row, its writes and their audit events, savepoints included); the next item's
# key, the acted-on and the next item in one query, the counts; the next item's sources, steps, thread.
ACTION_QUERIES = {
    "approve": 31,
    "edit": 41,  # the verifier runs again on the edited email, before the item is read again locked
    "reject": 21,
    "regenerate": 21,
    "take_over": 33,
    "hand_back": 19,
    "snooze": 20,
    "assign": 20,
    "dismiss": 16,
}


def _act(client, name: str, handoff: Handoff, data=None):
    return _counted(lambda: client.post(reverse(f"review:{name}", args=[handoff.pk]), data or {}, **HTMX))


def test_every_action_opens_the_next_item_at_a_fixed_cost(personas, volume):
    client = personas.client_for(personas.rep)
    client.get(reverse("review:inbox"))
    drafts = volume.drafts
    order = _expected_order(personas.rep)
    costs = {}

    def next_after(handoff: Handoff) -> int:
        remaining = _expected_order(personas.rep)
        position = order.index(handoff.pk)
        return next(pk for pk in order[position + 1 :] if pk in remaining)

    for name, data in [
        ("approve", {}),
        ("reject", {"reason": "tone"}),
        ("regenerate", {"instruction": "Shorter."}),
        ("snooze", {"until": "4h"}),
    ]:
        handoff = drafts[name]
        expected = next_after(handoff)
        response, costs[name] = _act(client, name, handoff, data)
        assert _open_item(response.content.decode()) == expected, name
    assert Handoff.objects.get(pk=drafts["approve"].pk).decision == "approved"
    assert OutboundMessage.objects.filter(contact=drafts["approve"].contact).count() == 1
    assert Handoff.objects.get(pk=drafts["snooze"].pk).status == "snoozed"

    edit = drafts["edit"]
    body = edit.proposal["draft"]["body"].replace("\n\n", "\n\nHope your week is going well.\n\n", 1)
    expected = next_after(edit)
    response, costs["edit"] = _act(client, "edit", edit, {"subject": "Quick idea", "body": body})
    assert _open_item(response.content.decode()) == expected
    assert Handoff.objects.get(pk=edit.pk).decision == "edited"

    taken = drafts["take_over"]
    expected = next_after(taken)
    response, costs["take_over"] = _act(client, "take_over", taken)
    assert _open_item(response.content.decode()) == expected
    assert TakeOver.objects.filter(contact=taken.contact, user=personas.rep.user).exists()
    response, costs["hand_back"] = _act(client, "hand_back", taken)
    assert _open_item(response.content.decode()) == taken.pk  # handing back keeps the item open
    assert not TakeOver.objects.exists()

    assigned = drafts["assign"]
    response, costs["assign"] = _act(client, "assign", assigned, {"assignee": str(personas.rep.user_id)})
    assert _open_item(response.content.decode()) == assigned.pk
    assert Handoff.objects.get(pk=assigned.pk).assignee_id == personas.rep.user_id

    exception = volume.exception
    expected = next_after(exception)
    response, costs["dismiss"] = _act(client, "dismiss", exception, {"note": "Fixed it in the CRM."})
    assert _open_item(response.content.decode()) == expected
    assert Handoff.objects.get(pk=exception.pk).decision == "dismissed"

    assert costs == ACTION_QUERIES


def test_filters_narrow_the_list_at_every_size(personas, volume):
    client = personas.client_for(personas.manager)
    now, costs = timezone.now(), set()
    checks = {
        "kind": ({"kind": "exception"}, lambda h: h.kind == "exception"),
        "campaign": ({"campaign": volume.campaign_ids[1]}, lambda h: h.campaign_id == volume.campaign_ids[1]),
        "band": ({"band": "high"}, lambda h: h.confidence is not None and h.confidence >= Decimal("0.8")),
        "no band": ({"band": "none"}, lambda h: h.confidence is None),
        "age": ({"age": "new"}, lambda h: now - h.created_at < selectors.AGED_AFTER),
        "mine": ({"queue": "mine"}, lambda h: h.assignee_id == personas.manager.user_id),
        "unassigned": ({"queue": "unassigned"}, lambda h: h.assignee_id is None),
    }
    for name, (params, holds) in checks.items():
        response, cost = _counted(lambda params=params: client.get(reverse("review:inbox"), params, **HTMX))
        costs.add(cost)
        rows = Handoff.objects.in_bulk(_row_ids(response.content.decode()))
        assert rows, name
        assert all(holds(row) and row.status != "resolved" for row in rows.values()), name
    snoozed = client.get(reverse("review:inbox"), {"state": "snoozed"}, **HTMX).content.decode()
    assert len(_row_ids(snoozed)) == 3
    done = client.get(reverse("review:inbox"), {"state": "done"}, **HTMX).content.decode()
    assert len(_row_ids(done)) == 3
    assert len(costs) <= 2  # with or without an open item that has a run and a contact


def test_bulk_acts_on_the_ticked_items_and_on_every_item_of_a_filter(personas, volume):
    client = personas.client_for(personas.rep)
    ticked = [volume.drafts["bulk"].pk, volume.drafts["approve"].pk]
    response = client.post(reverse("review:bulk"), {"action": "approve", "scope": "selected", "ids": ticked})
    assert response.status_code == 302
    assert set(Handoff.objects.filter(decision="approved", pk__in=ticked).values_list("pk", flat=True)) == set(ticked)

    small_campaign = volume.campaign_ids[1]
    in_filter = selectors.inbox_ids_in_filter(
        membership=personas.rep, filters=selectors.InboxFilters(campaign_id=small_campaign), now=timezone.now()
    )
    expected = [pk for pk in _expected_order(personas.rep) if pk in set(volume.small_campaign_ids)][
        : selectors.BULK_LIMIT
    ]
    assert in_filter == expected
    client.post(
        reverse("review:bulk") + f"?campaign={small_campaign}",
        {"action": "reject", "reason": "timing", "scope": "filter"},
    )
    # Exceptions cannot be rejected (only dismissed with a note): they stay open, the rest is rejected.
    rejectable = set(
        Handoff.objects.filter(pk__in=expected, kind__in=["draft_review", "escalation"]).values_list("pk", flat=True)
    )
    assert set(Handoff.objects.filter(reject_reason="timing").values_list("pk", flat=True)) == rejectable
    assert Handoff.objects.filter(pk__in=set(expected) - rejectable, status="open").count() == len(expected) - len(
        rejectable
    )
    # Every item in a big filter: at most BULK_LIMIT of them, in the inbox's order.
    everything = selectors.inbox_ids_in_filter(
        membership=personas.manager, filters=selectors.InboxFilters(), now=timezone.now()
    )
    assert everything == _expected_order(personas.manager)[: selectors.BULK_LIMIT]
