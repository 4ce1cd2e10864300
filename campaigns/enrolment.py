"""Enrolling contacts in a campaign's sequence under the enrolment rules, ending enrolments, and the
standing blocks a person's "do not contact" or "off-target" decision leaves.

The rules, checked in this order for each candidate (the first that applies skips it, nothing fails):

1. the contact is a contact of the campaign's workspace, listed once;
2. no standing `ContactBlock`;
3. not already enrolled in this campaign (whether that enrolment is active or ended: a campaign works a
   contact once);
4. the contact's status: "new" for a campaign without overlap; "new" or "in sequence" for a campaign that
   allows overlap (it may join a sequence that is running elsewhere);
5. one sequence at a time: a campaign without overlap refuses a contact with ANY active enrolment, exclusive
   or not, and enrols exclusively; a campaign that allows overlap accepts contacts with active
   enrolments and always enrols non-exclusively. So an overlap campaign never holds a contact back from
   nothing and never lets a second exclusive sequence in beside the first;
6. the account limit: at most `max_contacts_per_account` active enrolments at the contact's account in the
   whole workspace (the limit is about not flooding one company, whichever campaign writes). Each
   enrolment holds a numbered slot 1..N of its account. Enrolments without a slot (backfilled, or moved
   from another account mid-sequence) count against the limit and take the top slots, so the free slots
   are 1..N minus those. A contact in two overlapping sequences holds two slots: two sequences to one
   person is as much flooding as one each to two colleagues;
7. spacing: no colleague (another contact at the same account) was enrolled by any campaign less than
   `colleague_spacing_days` ago, counting enrolments that ended since.

Concurrency. The checks above read committed rows once per window of candidates; the database then has the
final word on what two callers (two ticks, two campaigns) might both have seen as free: each insert runs in
its own savepoint, and the constraints refuse a second enrolment of the same contact in the campaign, a
second active exclusive enrolment of the contact, and a slot held twice. A refused insert retries once with
the account's next free slot (the slot may be what was taken) and otherwise skips the candidate. What the
constraints do not hold is best effort between callers running at the same instant: the spacing between
colleagues, and a non-exclusive enrolment starting beside a new exclusive one. On PostgreSQL an insert that
conflicts with another transaction's uncommitted row waits for it; two callers waiting on each other are
told so by a deadlock error, and the one told skips that candidate.
"""

import itertools
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import IntegrityError, OperationalError, transaction
from django.db.models import Q
from django.utils import timezone

from campaigns.models import Campaign, Contact, ContactBlock, Enrolment
from salesops.audit import member_audit

# Candidates are read this many times the remaining count at a time: enough that the usual skips
# (already enrolled, account full) still leave a full day's picks after one window.
CANDIDATE_WINDOW_FACTOR = 4
# PostgreSQL's SQLSTATE for "deadlock detected".
DEADLOCK_DETECTED = "40P01"


@dataclass(frozen=True)
class EnrolmentCandidate:
    """A lead the planner proposes, best first: who, why (one line) and how it scored."""

    contact_id: int
    account_id: int | None = None  # informative: the contact's current account is read afresh
    reason: str = ""
    score: float | None = None
    segment: str = ""


@dataclass
class _AccountUse:
    """What the account's enrolments hold in the workspace, as seen by this call."""

    slots: set[int]
    without_slot: int
    latest_start_by_contact: dict[int, datetime]

    def active(self) -> int:
        return len(self.slots) + self.without_slot

    def free_slots(self, limit: int) -> list[int]:
        if self.active() >= limit:
            return []
        return [slot for slot in range(1, limit - self.without_slot + 1) if slot not in self.slots]

    def colleague_started_since(self, contact_id: int, since: datetime) -> bool:
        return any(started > since for other, started in self.latest_start_by_contact.items() if other != contact_id)


@dataclass
class _Window:
    """The facts about one window of candidates, read in four queries."""

    contacts: dict[int, tuple[int, str]]  # contact id -> (account id, status)
    blocked: set[int]
    in_this_campaign: set[int]
    actively_enrolled: set[int]
    accounts: dict[int, _AccountUse]


def _read_window(*, campaign: Campaign, contact_ids: list[int], now: datetime) -> _Window:
    workspace_id = campaign.workspace_id
    # 1. The contacts as they are now (their account may have changed since the ranking).
    contacts = {
        pk: (account_id, status)
        for pk, account_id, status in Contact.objects.filter(workspace_id=workspace_id, pk__in=contact_ids).values_list(
            "pk", "account_id", "status"
        )
    }
    # 2. Standing blocks.
    blocked = set(
        ContactBlock.objects.filter(
            workspace_id=workspace_id, contact_id__in=contacts, lifted_at__isnull=True
        ).values_list("contact_id", flat=True)
    )
    # 3. The contacts' enrolments that matter: any in this campaign, active ones anywhere.
    in_this_campaign, actively_enrolled = set(), set()
    for contact_id, campaign_id, status in Enrolment.objects.filter(
        Q(campaign_id=campaign.pk) | Q(status=Enrolment.Status.ACTIVE),
        workspace_id=workspace_id,
        contact_id__in=contacts,
    ).values_list("contact_id", "campaign_id", "status"):
        if campaign_id == campaign.pk:
            in_this_campaign.add(contact_id)
        if status == Enrolment.Status.ACTIVE:
            actively_enrolled.add(contact_id)
    # 4. What the accounts' enrolments hold: active slots, and who started within the spacing.
    account_ids = {account_id for account_id, _ in contacts.values()}
    accounts = {
        account_id: _AccountUse(slots=set(), without_slot=0, latest_start_by_contact={}) for account_id in account_ids
    }
    spacing_since = now - timedelta(days=campaign.colleague_spacing_days)
    for account_id, contact_id, slot, status, started_at in Enrolment.objects.filter(
        Q(status=Enrolment.Status.ACTIVE) | Q(started_at__gt=spacing_since),
        workspace_id=workspace_id,
        account_id__in=account_ids,
    ).values_list("account_id", "contact_id", "account_slot", "status", "started_at"):
        use = accounts[account_id]
        if status == Enrolment.Status.ACTIVE:
            if slot is None:
                use.without_slot += 1
            else:
                use.slots.add(slot)
        if started_at > spacing_since:
            latest = use.latest_start_by_contact.get(contact_id)
            use.latest_start_by_contact[contact_id] = max(started_at, latest) if latest else started_at
    return _Window(
        contacts=contacts,
        blocked=blocked,
        in_this_campaign=in_this_campaign,
        actively_enrolled=actively_enrolled,
        accounts=accounts,
    )


def _skip_reason(*, campaign: Campaign, contact_id: int, window: _Window, now: datetime) -> str:
    """Why the contact may not be enrolled now, or "" when it may (see the module's rules)."""
    if contact_id not in window.contacts:
        return "not a contact of this workspace"
    if contact_id in window.blocked:
        return "blocked"
    if contact_id in window.in_this_campaign:
        return "already in this campaign"
    account_id, status = window.contacts[contact_id]
    allowed_statuses = (
        (Contact.Status.NEW, Contact.Status.IN_SEQUENCE) if campaign.allow_sequence_overlap else (Contact.Status.NEW,)
    )
    if status not in allowed_statuses:
        return f"status {status}"
    if contact_id in window.actively_enrolled and not campaign.allow_sequence_overlap:
        return "in another sequence"
    use = window.accounts[account_id]
    if not use.free_slots(campaign.max_contacts_per_account):
        return "account at its limit"
    if campaign.colleague_spacing_days and use.colleague_started_since(
        contact_id, now - timedelta(days=campaign.colleague_spacing_days)
    ):
        return "a colleague was enrolled recently"
    return ""


def enrolment_waits(*, campaign: Campaign, contact_ids: list[int], now: datetime | None = None) -> dict[int, str]:
    """Why each of these contacts would be skipped if the campaign enrolled now ("" when it would not be):
    what the planner's picks page says of a lead it lists but cannot take yet (a colleague started two days
    ago, the account is at its limit). Four queries, whatever the number of contacts."""
    now = now or timezone.now()
    window = _read_window(campaign=campaign, contact_ids=contact_ids, now=now)
    return {
        contact_id: _skip_reason(campaign=campaign, contact_id=contact_id, window=window, now=now)
        for contact_id in contact_ids
    }


def _is_deadlock(error: OperationalError) -> bool:
    return getattr(error.__cause__, "sqlstate", None) == DEADLOCK_DETECTED


def _insert(
    *, campaign: Campaign, candidate: EnrolmentCandidate, account_id: int, slot: int, now: datetime
) -> tuple[Enrolment | None, bool]:
    """Insert one enrolment in its own savepoint. Returns it, or None and whether the refusal was for the
    slot (someone took it first) rather than for the contact (enrolled meanwhile, or a deadlock)."""
    try:
        with transaction.atomic():
            enrolment = Enrolment.objects.create(
                workspace_id=campaign.workspace_id,
                campaign=campaign,
                contact_id=candidate.contact_id,
                account_id=account_id,
                account_slot=slot,
                exclusive=not campaign.allow_sequence_overlap,
                reason=candidate.reason[:500],
                score=candidate.score,
                segment=candidate.segment[:200],
                started_at=now,
            )
    except IntegrityError as error:
        # Both backends name the slot's column in the message only when the slot constraint refused:
        # PostgreSQL names the constraint (enrolment_account_slot_held_once), SQLite the columns.
        return None, "account_slot" in str(error)
    except OperationalError as error:
        if _is_deadlock(error):
            return None, False
        raise
    return enrolment, False


def enrolment_start(
    *, campaign: Campaign, candidates: Iterable[EnrolmentCandidate], count: int, now: datetime | None = None
) -> list[Enrolment]:
    """Enrol up to `count` of the candidates, in their order, skipping those the rules refuse (see the
    module). Returns the new enrolments in order. Reads four queries per window of candidates, plus one
    insert per enrolment (two when its slot was taken meanwhile)."""
    now = now or timezone.now()
    enrolled: list[Enrolment] = []
    seen: set[int] = set()
    remaining = iter(candidates)
    while len(enrolled) < count:
        batch = list(itertools.islice(remaining, CANDIDATE_WINDOW_FACTOR * (count - len(enrolled))))
        if not batch:
            break
        window_candidates = []
        for candidate in batch:
            if candidate.contact_id not in seen:
                seen.add(candidate.contact_id)
                window_candidates.append(candidate)
        if not window_candidates:
            continue
        window = _read_window(
            campaign=campaign, contact_ids=[candidate.contact_id for candidate in window_candidates], now=now
        )
        for candidate in window_candidates:
            if len(enrolled) >= count:
                break
            if _skip_reason(campaign=campaign, contact_id=candidate.contact_id, window=window, now=now):
                continue
            account_id = window.contacts[candidate.contact_id][0]
            use = window.accounts[account_id]
            enrolment = None
            for slot in use.free_slots(campaign.max_contacts_per_account)[:2]:
                enrolment, slot_taken = _insert(
                    campaign=campaign, candidate=candidate, account_id=account_id, slot=slot, now=now
                )
                if enrolment is not None or not slot_taken:
                    break
                use.slots.add(slot)  # taken by another caller meanwhile: try the next free one once
            if enrolment is None:
                continue
            use.slots.add(enrolment.account_slot)
            use.latest_start_by_contact[candidate.contact_id] = now
            window.actively_enrolled.add(candidate.contact_id)
            enrolled.append(enrolment)
    return enrolled


def enrolment_end(
    *,
    workspace_id: int,
    reason: str,
    contact_ids: Iterable[int] | None = None,
    enrolment_ids: Iterable[int] | None = None,
    campaign_id: int | None = None,
    now: datetime | None = None,
) -> int:
    """End the active enrolments of the workspace that match every filter given (at least one is
    required: ending a whole workspace's enrolments is never meant). Returns how many ended."""
    if contact_ids is None and enrolment_ids is None and campaign_id is None:
        raise ValueError("Say which enrolments to end: contacts, enrolments or a campaign.")
    active = Enrolment.objects.filter(workspace_id=workspace_id, status=Enrolment.Status.ACTIVE)
    if contact_ids is not None:
        active = active.filter(contact_id__in=list(contact_ids))
    if enrolment_ids is not None:
        active = active.filter(pk__in=list(enrolment_ids))
    if campaign_id is not None:
        active = active.filter(campaign_id=campaign_id)
    return active.update(status=Enrolment.Status.ENDED, ended_at=now or timezone.now(), end_reason=reason[:200])


# Blocks --------------------------------------------------------------------------------------------------

BLOCK_END_REASONS = {
    ContactBlock.Reason.DO_NOT_CONTACT: "Blocked: marked do not contact",
    ContactBlock.Reason.OFF_TARGET: "Blocked: marked off-target",
}


@transaction.atomic
def contact_block(*, contact: Contact, reason: str, actor_user, note: str = "", source: str = "") -> ContactBlock:
    """Keep every campaign from picking the contact again, and end the sequences it is in. Idempotent
    while a block stands: the standing one is returned unchanged (a second decision adds nothing)."""
    if reason not in ContactBlock.Reason.values:
        raise ValueError(f"Not a reason to block a contact: {reason!r}")
    standing = ContactBlock.objects.filter(contact=contact, lifted_at__isnull=True).first()
    if standing is not None:
        return standing
    try:
        with transaction.atomic():
            block = ContactBlock.objects.create(
                workspace_id=contact.workspace_id,
                contact=contact,
                reason=reason,
                note=note,
                source=source[:200],
                created_by=actor_user,
            )
    except IntegrityError:  # a block was written meanwhile by another decision
        return ContactBlock.objects.get(contact=contact, lifted_at__isnull=True)
    ended = enrolment_end(workspace_id=contact.workspace_id, contact_ids=[contact.pk], reason=BLOCK_END_REASONS[reason])
    member_audit(
        workspace=contact.workspace,
        user=actor_user,
        verb="contact.blocked",
        target=contact,
        after={"reason": reason, "note": note, "source": source, "enrolments_ended": ended},
    )
    return block
