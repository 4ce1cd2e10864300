"""The inbox list: queues, filters, urgency order, keyset pages, counts, polling."""

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from agents.models import Handoff
from campaigns.tests.factories import make_campaign
from review import selectors
from review.tests.factories import make_handoff, make_review_handoff
from salesops.tests.factories import make_membership

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


def _row_ids(response) -> list[int]:
    return [int(pk) for pk in re.findall(r'<li id="row-(\d+)"', response.content.decode())]


def _list(client, **params) -> list[int]:
    response = client.get(reverse("review:inbox"), params)
    assert response.status_code == 200
    return _row_ids(response)


def test_items_come_by_urgency_then_oldest_first_with_an_age_badge(personas):
    workspace = personas.workspace
    draft_old = make_handoff(workspace=workspace, kind="draft_review", age=timedelta(days=5))
    exception_new = make_handoff(workspace=workspace, kind="exception", age=timedelta(hours=1))
    negotiation = make_handoff(workspace=workspace, kind="negotiation", age=timedelta(minutes=10))
    escalation_old = make_handoff(workspace=workspace, kind="escalation", age=timedelta(days=3, hours=1))
    reply_new = make_handoff(workspace=workspace, kind="reply_review", age=timedelta(minutes=20))

    response = personas.client_for(personas.rep).get(reverse("review:inbox"))

    assert _row_ids(response) == [negotiation.pk, escalation_old.pk, exception_new.pk, draft_old.pk, reply_new.pk]
    html = response.content.decode()
    assert re.search(rf'id="row-{draft_old.pk}".*?age-badge age-old[^>]*>5d<', html, re.S)
    assert re.search(rf'id="row-{negotiation.pk}".*?age-badge age-fresh[^>]*>10m<', html, re.S)
    # The most urgent item is open beside the list.
    assert f'data-item-id="{negotiation.pk}"' in html


def test_keyset_pages_walk_every_open_item_once_in_order(personas):
    workspace, now = personas.workspace, timezone.now()
    kinds = ["draft_review", "exception", "negotiation", "escalation", "reply_review"]
    same_moment = now - timedelta(hours=2)
    expected = []
    for number in range(2 * selectors.PAGE_SIZE + 7):
        # Every fourth item shares its creation time with others: the id breaks the tie.
        created = same_moment if number % 4 == 0 else now - timedelta(minutes=number * 13)
        item = make_handoff(workspace=workspace, kind=kinds[number % 5], created_at=created)
        expected.append(item)
    make_handoff(workspace=workspace, status="resolved", decision="approved")
    make_handoff(workspace=workspace, status="snoozed", snoozed_until=now + timedelta(hours=3))
    expected.append(make_handoff(workspace=workspace, status="snoozed", snoozed_until=now - timedelta(minutes=1)))
    expected.sort(key=lambda item: (selectors.URGENCY_TIER[item.kind], item.created_at, item.pk))

    client, seen, url = personas.client_for(personas.manager), [], reverse("review:inbox")
    while url:
        response = client.get(url, **HTMX)
        seen += _row_ids(response)
        found = re.search(r'<a href="([^"]+)"[^>]*>Next page</a>', response.content.decode())
        url = found.group(1).replace("&amp;", "&") if found else None

    assert seen == [item.pk for item in expected]


def test_a_snooze_that_has_passed_puts_the_item_back(personas):
    item = make_handoff(
        workspace=personas.workspace, status="snoozed", snoozed_until=timezone.now() + timedelta(hours=1)
    )
    client = personas.client_for(personas.rep)
    assert item.pk not in _list(client)
    assert item.pk in _list(client, state="snoozed")

    Handoff.objects.filter(pk=item.pk).update(snoozed_until=timezone.now() - timedelta(seconds=1))

    assert item.pk in _list(client)
    assert item.pk not in _list(client, state="snoozed")


def test_reps_see_their_items_and_unassigned_ones_and_managers_see_everything(personas):
    workspace = personas.workspace
    for_rep = make_handoff(workspace=workspace, assignee=personas.rep.user)
    for_manager = make_handoff(workspace=workspace, assignee=personas.manager.user)
    nobodys = make_handoff(workspace=workspace)
    make_handoff(workspace=personas.outsider.workspace)
    rep, manager = personas.client_for(personas.rep), personas.client_for(personas.manager)

    assert set(_list(rep)) == {for_rep.pk, nobodys.pk}
    assert _list(rep, queue="mine") == [for_rep.pk]
    assert _list(rep, queue="unassigned") == [nobodys.pk]
    assert set(_list(manager)) == {for_rep.pk, for_manager.pk, nobodys.pk}
    assert _list(manager, queue="mine") == [for_manager.pk]
    assert "rep@acme.test" in manager.get(reverse("review:inbox")).content.decode()  # who works on what


def test_filters_narrow_by_kind_campaign_confidence_and_age(personas):
    workspace = personas.workspace
    campaign, other_campaign = make_campaign(workspace=workspace), make_campaign(workspace=workspace)
    sure = make_handoff(workspace=workspace, campaign=campaign, confidence=Decimal("0.91"), age=timedelta(hours=2))
    unsure = make_handoff(
        workspace=workspace, campaign=other_campaign, confidence=Decimal("0.42"), age=timedelta(days=2)
    )
    middling = make_handoff(workspace=workspace, kind="exception", confidence=Decimal("0.6"), age=timedelta(days=9))
    unscored = make_handoff(workspace=workspace, kind="negotiation", age=timedelta(minutes=5))
    client = personas.client_for(personas.rep)

    assert _list(client, kind="exception") == [middling.pk]
    assert _list(client, campaign=campaign.pk) == [sure.pk]
    assert _list(client, band="high") == [sure.pk]
    assert _list(client, band="medium") == [middling.pk]
    assert _list(client, band="low") == [unsure.pk]
    assert _list(client, band="none") == [unscored.pk]
    assert set(_list(client, age="new")) == {sure.pk, unscored.pk}
    assert _list(client, age="aged") == [unsure.pk]
    assert _list(client, age="old") == [middling.pk]
    assert _list(client, kind="not-a-kind", band="???") == [unscored.pk, middling.pk, unsure.pk, sure.pk]


def test_an_htmx_filter_change_pushes_the_canonical_url_of_the_filters_it_applied(personas):
    campaign = make_campaign(workspace=personas.workspace, name="Autumn")
    client = personas.client_for(personas.rep)
    form = {"queue": "all", "kind": "exception", "campaign": str(campaign.pk), "band": "", "age": "", "state": "open"}

    response = client.get(reverse("review:inbox"), form, **HTMX)

    assert response["HX-Push-Url"] == f"/inbox/?kind=exception&campaign={campaign.pk}"
    defaults = client.get(reverse("review:inbox"), {**form, "kind": "", "campaign": "", "queue": "all"}, **HTMX)
    assert defaults["HX-Push-Url"] == "/inbox/"
    unknown = client.get(reverse("review:inbox"), {"kind": "no-such-kind", "queue": "mine"}, **HTMX)
    assert unknown["HX-Push-Url"] == "/inbox/?queue=mine"


def test_done_items_list_the_newest_decision_first_with_who_decided(personas):
    earlier = make_handoff(
        workspace=personas.workspace, status="resolved", decision="approved", decided_by=personas.manager.user,
        decided_at=timezone.now() - timedelta(hours=3),
    )  # fmt: skip
    later = make_handoff(
        workspace=personas.workspace, status="resolved", decision="rejected", decided_by=personas.rep.user,
        decided_at=timezone.now() - timedelta(hours=1), reject_reason="tone",
    )  # fmt: skip
    response = personas.client_for(personas.rep).get(reverse("review:inbox"), {"state": "done"})
    assert _row_ids(response) == [later.pk, earlier.pk]
    assert "Rejected by rep@acme.test" in response.content.decode()


def test_counts_per_queue_and_kind(personas):
    workspace, rep = personas.workspace, personas.rep.user
    make_handoff(workspace=workspace, assignee=rep)
    make_handoff(workspace=workspace, kind="negotiation", assignee=rep, age=timedelta(days=2))
    make_handoff(workspace=workspace, kind="exception")
    make_handoff(workspace=workspace, assignee=personas.manager.user)
    make_handoff(workspace=workspace, status="snoozed", snoozed_until=timezone.now() + timedelta(hours=1))
    make_handoff(workspace=workspace, status="resolved", decision="approved")

    counts = selectors.inbox_counts(membership=personas.rep, filters=selectors.InboxFilters(), now=timezone.now())
    assert (counts.mine, counts.unassigned, counts.all, counts.snoozed, counts.aged) == (2, 1, 3, 1, 1)
    assert {kind: count for kind, _, count in counts.by_kind} == {
        "negotiation": 1, "escalation": 0, "exception": 1, "draft_review": 1, "reply_review": 0,
    }  # fmt: skip
    manager_counts = selectors.inbox_counts(
        membership=personas.manager, filters=selectors.InboxFilters(queue="mine"), now=timezone.now()
    )
    assert (manager_counts.mine, manager_counts.all) == (1, 4)

    html = personas.client_for(personas.rep).get(reverse("review:inbox")).content.decode()
    assert re.search(r'id="count-mine" class="count">2<', html)
    assert re.search(r'id="count-all" class="count">3<', html)


def _fill(workspace, count: int, assignee=None) -> Handoff:
    """`count` items; the oldest (so the one that opens) is a real draft with claims, steps and a contact."""
    first = make_review_handoff(workspace=workspace)
    Handoff.objects.filter(pk=first.pk).update(created_at=timezone.now() - timedelta(days=1))
    for number in range(count - 1):
        make_handoff(workspace=workspace, campaign=first.campaign, assignee=assignee if number % 2 else None)
    return first


@pytest.mark.parametrize("items", [3, 30])
def test_the_list_page_costs_the_same_queries_whatever_its_size(personas, django_assert_num_queries, items):
    first = _fill(personas.workspace, items, assignee=personas.rep.user)
    client = personas.client_for(personas.rep)
    client.get(reverse("review:inbox"))  # the session's first request
    # session, user, membership; the page's keys (one UNION ALL), its rows, the counts; the open item,
    # its signals, its proof points, its agent steps, its thread; the campaigns of the filter.
    with django_assert_num_queries(12):
        response = client.get(reverse("review:inbox"))
    assert len(_row_ids(response)) == min(items, selectors.PAGE_SIZE)
    assert f'data-item-id="{first.pk}"' in response.content.decode()


@pytest.mark.parametrize("items", [3, 30])
def test_the_htmx_list_swap_costs_the_same_queries_whatever_its_size(personas, django_assert_num_queries, items):
    _fill(personas.workspace, items)
    client = personas.client_for(personas.manager)
    client.get(reverse("review:inbox"))
    # session, user, membership; keys, rows, counts; the open item, its signals, proof points, steps,
    # thread; the members a manager may assign it to.
    with django_assert_num_queries(12):
        response = client.get(reverse("review:inbox"), {"kind": "draft_review"}, **HTMX)
    assert 'id="inbox-main"' in response.content.decode() and "<html" not in response.content.decode()
    assert len(_row_ids(response)) == min(items, selectors.PAGE_SIZE)


def test_new_items_arrive_by_polling_without_reloading_the_list(personas):
    make_handoff(workspace=personas.workspace)
    client = personas.client_for(personas.rep)
    page = client.get(reverse("review:inbox")).content.decode()
    poll_url = re.search(r'id="inbox-poll" hx-get="([^"]+)"', page).group(1).replace("&amp;", "&")

    quiet = client.get(poll_url, **HTMX).content.decode()
    assert "afterbegin:#inbox-rows" not in quiet

    arrived = make_handoff(workspace=personas.workspace, kind="negotiation", created_at=timezone.now())
    make_handoff(workspace=personas.workspace, assignee=personas.manager.user, created_at=timezone.now())
    response = client.get(poll_url, **HTMX).content.decode()
    assert '<ol hx-swap-oob="afterbegin:#inbox-rows">' in response
    assert re.findall(r'<li id="row-(\d+)"', response) == [str(arrived.pk)]
    assert "badge-new" in response
    assert re.search(r'id="count-all" class="count" hx-swap-oob="true">2<', response)
    next_poll = re.search(r'id="inbox-poll" hx-get="([^"]+)"', response).group(1).replace("&amp;", "&")
    assert str(arrived.pk) not in re.findall(r'<li id="row-(\d+)"', client.get(next_poll, **HTMX).content.decode())


def test_a_rep_of_another_workspace_sees_none_of_these_items(personas):
    make_handoff(workspace=personas.workspace)
    stranger = make_membership(workspace=personas.outsider.workspace)
    assert _list(personas.client_for(stranger)) == []


@pytest.mark.parametrize("items", [30, 80])
def test_turning_a_page_with_htmx_leaves_the_counts_alone(personas, django_assert_num_queries, items):
    _fill(personas.workspace, items)
    client = personas.client_for(personas.rep)
    first = client.get(reverse("review:inbox")).content.decode()
    next_url = re.search(r'<a href="([^"]+)"[^>]*>Next page</a>', first).group(1).replace("&amp;", "&")
    # session, user, membership; the page's keys, its rows; the item that opens (a bare row: nothing behind it).
    with django_assert_num_queries(6):
        response = client.get(next_url, **HTMX)
    html = response.content.decode()
    assert len(_row_ids(response)) == min(items - selectors.PAGE_SIZE, selectors.PAGE_SIZE)
    assert 'id="count-all"' not in html and 'id="inbox-summary"' not in html
