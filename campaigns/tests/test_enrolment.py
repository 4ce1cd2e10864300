"""Enrolment rules: one sequence at a time per contact (unless a campaign opts into overlap), at most N
contacts of one account in sequence with spacing between colleagues, never a blocked or worked contact;
and the database holds the rules when two callers enrol at the same moment."""

import threading
from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from campaigns import enrolment as enrolment_module
from campaigns.enrolment import EnrolmentCandidate, contact_block, enrolment_end, enrolment_start
from campaigns.models import Contact, ContactBlock, Enrolment
from campaigns.tests.factories import make_account, make_campaign, make_contact
from salesops.models import AuditEvent

pytestmark = pytest.mark.django_db


def _candidates(*contacts, reason="fits: software", score=0.5, segment="software|mid|sales|funding"):
    return [
        EnrolmentCandidate(
            contact_id=contact.pk, account_id=contact.account_id, reason=reason, score=score, segment=segment
        )
        for contact in contacts
    ]


def _enrol(campaign, *contacts, count=None, now=None):
    return enrolment_start(
        campaign=campaign, candidates=_candidates(*contacts), count=len(contacts) if count is None else count, now=now
    )


def _campaign(workspace, **fields):
    # Spacing off unless a test is about it, so colleagues can be enrolled in one call.
    return make_campaign(workspace=workspace, complete=False, **{"colleague_spacing_days": 0, **fields})


def _contacts_at_separate_accounts(workspace, n):
    return [make_contact(workspace=workspace) for _ in range(n)]


def test_it_enrols_candidates_in_their_order_up_to_the_count_keeping_why_they_were_picked(personas):
    campaign = _campaign(personas.workspace)
    contacts = _contacts_at_separate_accounts(personas.workspace, 4)
    now = timezone.now()
    started = enrolment_start(
        campaign=campaign,
        candidates=[
            EnrolmentCandidate(contact_id=c.pk, account_id=c.account_id, reason=f"fits {i}", score=i, segment="s")
            for i, c in enumerate(contacts)
        ],
        count=3,
        now=now,
    )
    assert [e.contact_id for e in started] == [c.pk for c in contacts[:3]]
    first = Enrolment.objects.get(pk=started[0].pk)
    assert (first.reason, first.score, first.segment, first.started_at) == ("fits 0", 0, "s", now)
    assert (first.status, first.exclusive, first.account_slot, first.account_id) == (
        "active",
        True,
        1,
        contacts[0].account_id,
    )
    assert not Enrolment.objects.filter(contact=contacts[3]).exists()


def test_nothing_is_asked_for_nothing(personas):
    campaign = _campaign(personas.workspace)
    assert _enrol(campaign, make_contact(workspace=personas.workspace), count=0) == []
    assert enrolment_start(campaign=campaign, candidates=[], count=5) == []


def test_a_contact_in_another_campaigns_sequence_is_skipped_for_the_next_candidate(personas):
    first, second = _campaign(personas.workspace), _campaign(personas.workspace)
    busy, free = _contacts_at_separate_accounts(personas.workspace, 2)
    _enrol(first, busy)
    started = _enrol(second, busy, free, count=2)
    assert [e.contact_id for e in started] == [free.pk]


def test_a_campaign_that_allows_overlap_joins_a_running_sequence_without_exclusivity(personas):
    first = _campaign(personas.workspace)
    overlapping = _campaign(personas.workspace, allow_sequence_overlap=True)
    contact = make_contact(workspace=personas.workspace)
    _enrol(first, contact)
    Contact.objects.filter(pk=contact.pk).update(status=Contact.Status.IN_SEQUENCE)
    [joined] = _enrol(overlapping, contact)
    assert joined.exclusive is False
    assert Enrolment.objects.filter(contact=contact, status="active").count() == 2


def test_a_campaign_without_overlap_refuses_a_contact_in_an_overlapping_sequence(personas):
    overlapping = _campaign(personas.workspace, allow_sequence_overlap=True)
    strict = _campaign(personas.workspace)
    contact = make_contact(workspace=personas.workspace)
    [first] = _enrol(overlapping, contact)
    assert first.exclusive is False
    assert _enrol(strict, contact) == []


@pytest.mark.parametrize(
    "status", ["in_sequence", "replied", "meeting_booked", "unsubscribed", "bounced", "do_not_contact"]
)
def test_a_campaign_without_overlap_enrols_only_new_contacts(personas, status):
    campaign = _campaign(personas.workspace)
    contact = make_contact(workspace=personas.workspace, status=status)
    assert _enrol(campaign, contact) == []


@pytest.mark.parametrize(
    ("status", "enrolled"), [("new", True), ("in_sequence", True), ("replied", False), ("bounced", False)]
)
def test_a_campaign_with_overlap_also_enrols_contacts_in_sequence_but_no_one_who_stopped(personas, status, enrolled):
    campaign = _campaign(personas.workspace, allow_sequence_overlap=True)
    contact = make_contact(workspace=personas.workspace, status=status)
    assert bool(_enrol(campaign, contact)) is enrolled


def test_a_campaign_works_a_contact_once_even_after_the_enrolment_ended(personas):
    campaign = _campaign(personas.workspace)
    contact = make_contact(workspace=personas.workspace)
    _enrol(campaign, contact)
    enrolment_end(workspace_id=personas.workspace.pk, contact_ids=[contact.pk], reason="test")
    assert _enrol(campaign, contact) == []


def test_a_blocked_contact_is_skipped_until_the_block_is_lifted(personas):
    campaign = _campaign(personas.workspace)
    contact = make_contact(workspace=personas.workspace)
    block = contact_block(contact=contact, reason="off_target", actor_user=personas.rep.user)
    assert _enrol(campaign, contact) == []
    ContactBlock.objects.filter(pk=block.pk).update(lifted_at=timezone.now(), lifted_by=personas.manager.user)
    assert len(_enrol(campaign, contact)) == 1


def test_another_workspaces_contact_and_repeats_are_skipped(personas):
    campaign = _campaign(personas.workspace)
    foreign = make_contact(workspace=personas.outsider.workspace)
    ours = make_contact(workspace=personas.workspace)
    started = _enrol(campaign, foreign, ours, ours, count=3)
    assert [e.contact_id for e in started] == [ours.pk]
    assert not Enrolment.objects.filter(contact=foreign).exists()


def test_an_account_at_its_limit_across_the_workspace_takes_no_one_more(personas):
    account = make_account(workspace=personas.workspace)
    first = _campaign(personas.workspace, max_contacts_per_account=2)
    second = _campaign(personas.workspace, max_contacts_per_account=2)
    a, b, c = (make_contact(workspace=personas.workspace, account=account) for _ in range(3))
    elsewhere = make_contact(workspace=personas.workspace)
    assert [e.account_slot for e in _enrol(first, a)] == [1]
    started = _enrol(second, b, c, elsewhere, count=3)
    assert [(e.contact_id, e.account_slot) for e in started] == [(b.pk, 2), (elsewhere.pk, 1)]


def test_a_slot_freed_by_an_ended_enrolment_is_the_one_taken_next(personas):
    account = make_account(workspace=personas.workspace)
    campaign = _campaign(personas.workspace, max_contacts_per_account=3)
    a, b, c, d = (make_contact(workspace=personas.workspace, account=account) for _ in range(4))
    first, second, third = _enrol(campaign, a, b, c)
    assert [first.account_slot, second.account_slot, third.account_slot] == [1, 2, 3]
    enrolment_end(workspace_id=personas.workspace.pk, enrolment_ids=[second.pk], reason="test")
    [fourth] = _enrol(campaign, d)
    assert fourth.account_slot == 2


def test_enrolments_without_a_slot_count_against_the_limit(personas):
    account = make_account(workspace=personas.workspace)
    other_campaign = _campaign(personas.workspace)
    backfilled = make_contact(workspace=personas.workspace, account=account)
    Enrolment.objects.create(
        workspace=personas.workspace, campaign=other_campaign, contact=backfilled, account=account, account_slot=None
    )
    campaign = _campaign(personas.workspace, max_contacts_per_account=2)
    a, b = (make_contact(workspace=personas.workspace, account=account) for _ in range(2))
    started = _enrol(campaign, a, b)
    assert [(e.contact_id, e.account_slot) for e in started] == [(a.pk, 1)]


def test_a_colleague_enrolled_less_than_the_spacing_ago_holds_the_account_back(personas):
    account = make_account(workspace=personas.workspace)
    first = _campaign(personas.workspace)
    campaign = _campaign(personas.workspace, colleague_spacing_days=3, max_contacts_per_account=5)
    a, b, c = (make_contact(workspace=personas.workspace, account=account) for _ in range(3))
    now = timezone.now()
    _enrol(first, a, now=now - timedelta(days=2))
    # Ended since, the colleague's start still counts: the company heard from us two days ago.
    enrolment_end(workspace_id=personas.workspace.pk, contact_ids=[a.pk], reason="test")
    assert _enrol(campaign, b, now=now) == []
    # Three days on, one colleague may start, and not a second one beside it in the same call.
    later = now + timedelta(days=1)
    started = _enrol(campaign, b, c, count=2, now=later)
    assert [e.contact_id for e in started] == [b.pk]


def test_no_spacing_lets_colleagues_start_together(personas):
    account = make_account(workspace=personas.workspace)
    campaign = _campaign(personas.workspace, colleague_spacing_days=0)
    a, b = (make_contact(workspace=personas.workspace, account=account) for _ in range(2))
    assert len(_enrol(campaign, a, b)) == 2


def test_it_reads_four_queries_per_window_of_candidates_whatever_their_number(personas):
    campaign = _campaign(personas.workspace, max_contacts_per_account=1)

    def selects(contacts, count):
        with CaptureQueriesContext(connection) as queries:
            started = _enrol(campaign, *contacts, count=count)
        reads = [q["sql"] for q in queries if q["sql"].lstrip().upper().startswith("SELECT")]
        inserts = [q["sql"] for q in queries if q["sql"].lstrip().upper().startswith("INSERT")]
        return started, reads, inserts

    few = _contacts_at_separate_accounts(personas.workspace, 2)
    started, reads, inserts = selects(few, 2)
    # The contacts, their blocks, their enrolments, their accounts' enrolments; an insert per enrolment.
    assert (len(started), len(reads), len(inserts)) == (2, 4, 2)
    # 40 candidates, 10 wanted: one window of 40, the same four reads.
    account = make_account(workspace=personas.workspace)
    crowded = [make_contact(workspace=personas.workspace, account=account) for _ in range(30)]
    many = crowded + _contacts_at_separate_accounts(personas.workspace, 10)
    started, reads, inserts = selects(many, 10)
    assert len(started) == 10
    assert (len(reads), len(inserts)) == (4, 10), reads


def test_a_second_window_is_read_when_the_first_did_not_fill_the_count(personas):
    campaign = _campaign(personas.workspace)
    taken = _contacts_at_separate_accounts(personas.workspace, 8)
    Contact.objects.filter(pk__in=[c.pk for c in taken]).update(status=Contact.Status.REPLIED)
    fresh = _contacts_at_separate_accounts(personas.workspace, 2)
    started = _enrol(campaign, *taken, *fresh, count=2)
    assert [e.contact_id for e in started] == [c.pk for c in fresh]


def _after_the_read(monkeypatch, write):
    """Run `write` once right after the first window is read: what a concurrent caller would do then."""
    original = enrolment_module._read_window
    done = []

    def read_then_write(**kwargs):
        window = original(**kwargs)
        if not done:
            done.append(True)
            write()
        return window

    monkeypatch.setattr(enrolment_module, "_read_window", read_then_write)


def test_a_slot_taken_meanwhile_is_retried_once_with_the_next_free_slot(personas, monkeypatch):
    account = make_account(workspace=personas.workspace)
    rival = _campaign(personas.workspace, max_contacts_per_account=3)
    campaign = _campaign(personas.workspace, max_contacts_per_account=3)
    colleague, contact = (make_contact(workspace=personas.workspace, account=account) for _ in range(2))
    _after_the_read(
        monkeypatch,
        lambda: Enrolment.objects.create(
            workspace=personas.workspace, campaign=rival, contact=colleague, account=account, account_slot=1
        ),
    )
    [enrolment] = _enrol(campaign, contact)
    assert enrolment.account_slot == 2


def test_when_the_retry_slot_is_taken_too_the_candidate_is_skipped(personas, monkeypatch):
    account = make_account(workspace=personas.workspace)
    rival = _campaign(personas.workspace, max_contacts_per_account=3)
    campaign = _campaign(personas.workspace, max_contacts_per_account=3)
    first, second, contact = (make_contact(workspace=personas.workspace, account=account) for _ in range(3))
    elsewhere = make_contact(workspace=personas.workspace)

    def rival_takes_two_slots():
        for slot, colleague in [(1, first), (2, second)]:
            Enrolment.objects.create(
                workspace=personas.workspace, campaign=rival, contact=colleague, account=account, account_slot=slot
            )

    _after_the_read(monkeypatch, rival_takes_two_slots)
    started = _enrol(campaign, contact, elsewhere, count=2)
    assert [e.contact_id for e in started] == [elsewhere.pk]


def test_a_contact_enrolled_elsewhere_meanwhile_is_skipped_without_losing_the_slot(personas, monkeypatch):
    account = make_account(workspace=personas.workspace)
    rival = _campaign(personas.workspace)
    campaign = _campaign(personas.workspace, max_contacts_per_account=1)
    contact, colleague = (make_contact(workspace=personas.workspace, account=account) for _ in range(2))
    other_account = make_account(workspace=personas.workspace)
    # The rival enrols the contact under another account's slot: only the contact is taken.
    _after_the_read(
        monkeypatch,
        lambda: Enrolment.objects.create(
            workspace=personas.workspace, campaign=rival, contact=contact, account=other_account, account_slot=1
        ),
    )
    started = _enrol(campaign, contact, colleague, count=2)
    assert [(e.contact_id, e.account_slot) for e in started] == [(colleague.pk, 1)]


# Ending enrolments -------------------------------------------------------------------------------------


def test_ending_enrolments_ends_only_the_active_ones_matching_every_filter(personas):
    first, second = _campaign(personas.workspace), _campaign(personas.workspace, allow_sequence_overlap=True)
    a, b = _contacts_at_separate_accounts(personas.workspace, 2)
    _enrol(first, a, b)
    Contact.objects.filter(pk=a.pk).update(status=Contact.Status.IN_SEQUENCE)
    _enrol(second, a)
    foreign_campaign = _campaign(personas.outsider.workspace)
    foreign = make_contact(workspace=personas.outsider.workspace)
    _enrol(foreign_campaign, foreign)
    now = timezone.now()
    ended = enrolment_end(
        workspace_id=personas.workspace.pk, contact_ids=[a.pk, foreign.pk], campaign_id=first.pk, reason="why", now=now
    )
    assert ended == 1
    assert list(Enrolment.objects.filter(status="ended").values_list("contact_id", "campaign_id", "ended_at")) == [
        (a.pk, first.pk, now)
    ]
    assert Enrolment.objects.get(contact=a, campaign=second).status == "active"
    assert enrolment_end(workspace_id=personas.workspace.pk, contact_ids=[a.pk], campaign_id=first.pk, reason="x") == 0


def test_ending_needs_a_filter(personas):
    with pytest.raises(ValueError, match="Say which enrolments to end"):
        enrolment_end(workspace_id=personas.workspace.pk, reason="all of them?")


# Blocks --------------------------------------------------------------------------------------------------


def test_a_block_ends_the_contacts_sequences_and_is_audited_once(personas):
    campaign = _campaign(personas.workspace)
    contact = make_contact(workspace=personas.workspace)
    _enrol(campaign, contact)
    block = contact_block(
        contact=contact, reason="do_not_contact", actor_user=personas.rep.user, note="Asked us", source="inbox item 7"
    )
    assert (block.reason, block.created_by, block.note, block.source) == (
        "do_not_contact",
        personas.rep.user,
        "Asked us",
        "inbox item 7",
    )
    enrolment = Enrolment.objects.get(contact=contact)
    assert (enrolment.status, enrolment.end_reason) == ("ended", "Blocked: marked do not contact")
    again = contact_block(contact=contact, reason="off_target", actor_user=personas.manager.user)
    assert again.pk == block.pk and again.reason == "do_not_contact"
    assert ContactBlock.objects.filter(contact=contact).count() == 1
    event = AuditEvent.objects.get(verb="contact.blocked")
    assert (event.actor_user_id, event.target_id, event.after["enrolments_ended"]) == (
        personas.rep.user.pk,
        str(contact.pk),
        1,
    )


def test_a_block_needs_one_of_the_reasons(personas):
    with pytest.raises(ValueError):
        contact_block(contact=make_contact(workspace=personas.workspace), reason="tone", actor_user=None)


# Concurrency (PostgreSQL: SQLite lets one writer in at a time, so it cannot race) --------------------------


def _audience(workspace, *, accounts: int, per_account: int) -> list[Contact]:
    contacts = []
    for _ in range(accounts):
        account = make_account(workspace=workspace)
        contacts += [make_contact(workspace=workspace, account=account) for _ in range(per_account)]
    return contacts


def _enrol_at_once(callers, monkeypatch) -> list[list[int]]:
    """Run each caller's enrolment in its own thread and transaction, the way ticks run: every caller
    reads its first window before any of them writes, so only the database stands between them."""
    read_barrier = threading.Barrier(len(callers))
    original = enrolment_module._read_window
    local = threading.local()

    def read_together(**kwargs):
        window = original(**kwargs)
        if not getattr(local, "waited", False):
            local.waited = True
            read_barrier.wait(timeout=20)
        return window

    monkeypatch.setattr(enrolment_module, "_read_window", read_together)
    start_barrier = threading.Barrier(len(callers))
    results: list[list[int]] = [[] for _ in callers]
    errors: list[BaseException] = []

    def run(index, campaign, contacts, count):
        try:
            start_barrier.wait(timeout=20)
            with transaction.atomic():
                started = enrolment_start(campaign=campaign, candidates=_candidates(*contacts), count=count)
            results[index] = [enrolment.contact_id for enrolment in started]
        except BaseException as error:  # reported by the assertion below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(index, *caller)) for index, caller in enumerate(callers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors
    return results


def _assert_rules_held(workspace, *, limit: int):
    active = Enrolment.objects.filter(workspace=workspace, status="active")
    contacts = list(active.values_list("contact_id", flat=True))
    assert len(contacts) == len(set(contacts)), "a contact was enrolled twice"
    per_account: dict[int, int] = {}
    for account_id in active.values_list("account_id", flat=True):
        per_account[account_id] = per_account.get(account_id, 0) + 1
    assert max(per_account.values()) <= limit, per_account


@pytest.mark.django_db(transaction=True)
@pytest.mark.postgresql(reason="two transactions racing for the same rows")
def test_two_campaigns_on_the_same_audience_started_at_once_never_enrol_a_contact_twice(personas, monkeypatch):
    audience = _audience(personas.workspace, accounts=8, per_account=4)
    first = _campaign(personas.workspace, max_contacts_per_account=2)
    second = _campaign(personas.workspace, max_contacts_per_account=2)
    first_ids, second_ids = _enrol_at_once(
        [(first, audience, len(audience)), (second, audience, len(audience))], monkeypatch
    )
    assert not set(first_ids) & set(second_ids)
    # Every account filled to its limit and no further: the caller that wrote first never waited.
    assert len(first_ids + second_ids) == 16
    _assert_rules_held(personas.workspace, limit=2)
    # What the calls returned is what the database holds.
    assert sorted(first_ids + second_ids) == sorted(
        Enrolment.objects.filter(workspace=personas.workspace).values_list("contact_id", flat=True)
    )


@pytest.mark.django_db(transaction=True)
@pytest.mark.postgresql(reason="two transactions racing for the same rows")
def test_two_ticks_of_one_campaign_at_once_never_enrol_a_contact_twice(personas, monkeypatch):
    audience = _audience(personas.workspace, accounts=6, per_account=3)
    campaign = _campaign(personas.workspace, max_contacts_per_account=2)
    first_ids, second_ids = _enrol_at_once(
        [(campaign, audience, len(audience)), (campaign, audience, len(audience))], monkeypatch
    )
    assert not set(first_ids) & set(second_ids)
    _assert_rules_held(personas.workspace, limit=2)
    assert Enrolment.objects.filter(campaign=campaign).count() == len(first_ids + second_ids) <= 12
