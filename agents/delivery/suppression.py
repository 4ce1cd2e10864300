"""The suppression list: addresses and domains the workspace never emails (admins manage and import it),
and the one rule for whether an address is suppressed: an entry for the address itself or for its domain.
Entries are stored lower-case (a database constraint), so addresses are compared lower-cased."""

import csv
import io
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Q, QuerySet

from agents.delivery.models import Suppression
from agents.delivery.outbox import cancel_pending_messages
from campaigns.models import Contact
from salesops.audit import member_audit
from salesops.models import Membership, Role

_DOMAIN = re.compile(r"^(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")
IMPORT_MAX_LINES = 100_000


def suppressions_covering(*, workspace_id, email, domain) -> QuerySet[Suppression]:
    """The entries that stop email to one address: its own or its domain's. `email` and `domain` are
    lower-case values or expressions (an OuterRef, to test many rows in one query with Exists)."""
    return Suppression.objects.filter(workspace_id=workspace_id).filter(
        Q(kind=Suppression.Kind.EMAIL, value=email) | Q(kind=Suppression.Kind.DOMAIN, value=domain)
    )


@dataclass(frozen=True)
class SuppressedAddresses:
    """The entries naming any address or domain of a batch, read in one query; `covers` answers per address."""

    entries: frozenset[tuple[int, str, str]]

    def covers(self, *, workspace_id: int, email: str, domain: str) -> bool:
        return (workspace_id, Suppression.Kind.EMAIL, email.lower()) in self.entries or (
            workspace_id,
            Suppression.Kind.DOMAIN,
            domain.lower(),
        ) in self.entries


def suppressed_addresses(
    *, workspace_ids: Iterable[int], emails: Iterable[str], domains: Iterable[str]
) -> SuppressedAddresses:
    """`suppressions_covering` for a whole batch (the scheduler's chunk, the sender's claim) in one query."""
    rows = (
        Suppression.objects.filter(workspace_id__in=set(workspace_ids))
        .filter(
            Q(kind=Suppression.Kind.EMAIL, value__in={email.lower() for email in emails})
            | Q(kind=Suppression.Kind.DOMAIN, value__in={domain.lower() for domain in domains})
        )
        .values_list("workspace_id", "kind", "value")
    )
    return SuppressedAddresses(entries=frozenset(rows))


def workspace_suppressions(workspace_id: int) -> tuple[set[str], set[str]]:
    """The workspace's whole list as (addresses, domains), in one query: a campaign's audience reads it
    once for all its contacts (see campaigns.hooks)."""
    addresses: set[str] = set()
    domains: set[str] = set()
    for kind, value in Suppression.objects.filter(workspace_id=workspace_id).values_list("kind", "value"):
        (addresses if kind == Suppression.Kind.EMAIL else domains).add(value)
    return addresses, domains


def address_suppress(*, workspace_id: int, email: str, reason: str, note: str) -> bool:
    """Put one address on the workspace's list (unsubscribe, bounce, a reply asking to stop); True when it
    was not there yet. Addresses are kept lower-case, as the list's constraint expects."""
    _, created = Suppression.objects.get_or_create(
        workspace_id=workspace_id,
        kind=Suppression.Kind.EMAIL,
        value=email.lower(),
        defaults={"reason": reason, "note": note[:300]},
    )
    return created


def parse_entry(raw: str) -> tuple[str, str]:
    """(kind, value) for an address ("a@b.example") or a domain ("b.example" or "@b.example")."""
    value = raw.strip().strip("<>\"'").lower()
    if "@" in value and not value.startswith("@"):
        try:
            validate_email(value)
        except ValidationError:
            raise ValidationError(f"“{raw.strip()}” is not an email address.") from None
        return Suppression.Kind.EMAIL, value
    value = value.lstrip("@")
    if not _DOMAIN.match(value):
        raise ValidationError(f"“{raw.strip()}” is neither an email address nor a domain.")
    return Suppression.Kind.DOMAIN, value


def _matching_contacts(workspace_id: int, entries: list[tuple[str, str]]) -> list[int]:
    ids: set[int] = set()
    emails = [value for kind, value in entries if kind == Suppression.Kind.EMAIL]
    domains = [value for kind, value in entries if kind == Suppression.Kind.DOMAIN]
    if emails:
        ids |= set(Contact.objects.filter(workspace_id=workspace_id, email__in=emails).values_list("pk", flat=True))
    for domain in domains:
        ids |= set(
            Contact.objects.filter(workspace_id=workspace_id, email__endswith="@" + domain).values_list("pk", flat=True)
        )
    return sorted(ids)


def _require_admin(actor: Membership) -> None:
    if not actor.has_role(Role.ADMIN):
        raise PermissionDenied("Only admins manage the suppression list.")


@transaction.atomic
def suppression_add(*, actor: Membership, entry: str, note: str = "") -> Suppression:
    _require_admin(actor)
    kind, value = parse_entry(entry)
    suppression, created = Suppression.objects.get_or_create(
        workspace=actor.workspace,
        kind=kind,
        value=value,
        defaults={"reason": Suppression.Reason.MANUAL, "note": note[:300], "created_by": actor.user},
    )
    if not created:
        raise ValidationError(f"{value} is already suppressed ({suppression.get_reason_display().lower()}).")
    cancelled = cancel_pending_messages(
        workspace_id=actor.workspace_id,
        contact_ids=_matching_contacts(actor.workspace_id, [(kind, value)]),
        reason="suppressed",
        text="Cancelled: the address or its domain was added to the suppression list.",
    )
    member_audit(
        workspace=actor.workspace,
        user=actor.user,
        verb="suppression.added",
        target=suppression,
        after={"kind": kind, "value": value, "note": note, "cancelled_messages": cancelled},
    )
    return suppression


@dataclass
class ImportResult:
    added: int = 0
    already: int = 0
    invalid: list[str] = field(default_factory=list)
    cancelled_messages: int = 0


@transaction.atomic
def suppression_import(*, actor: Membership, content: str, note: str = "") -> ImportResult:
    """Import addresses and domains: one per line, or a CSV whose first column holds them (a header
    row such as "email" is skipped)."""
    _require_admin(actor)
    result = ImportResult()
    entries: dict[tuple[str, str], None] = {}
    for line_number, row in enumerate(csv.reader(io.StringIO(content)), start=1):
        if line_number > IMPORT_MAX_LINES:
            raise ValidationError(f"Import at most {IMPORT_MAX_LINES:,} lines at once.")
        if not row or not row[0].strip():
            continue
        cell = row[0]
        if line_number == 1 and cell.strip().lower() in {"email", "e-mail", "address", "domain", "value"}:
            continue
        try:
            entries[parse_entry(cell)] = None
        except ValidationError:
            result.invalid.append(f"line {line_number}: {cell.strip()[:80]}")
    existing = set(
        Suppression.objects.filter(workspace=actor.workspace, value__in=[value for _, value in entries]).values_list(
            "kind", "value"
        )
    )
    new = [entry for entry in entries if entry not in existing]
    Suppression.objects.bulk_create(
        [
            Suppression(
                workspace=actor.workspace,
                kind=kind,
                value=value,
                reason=Suppression.Reason.IMPORT,
                note=note[:300],
                created_by=actor.user,
            )
            for kind, value in new
        ],
        ignore_conflicts=True,
    )
    result.added, result.already = len(new), len(entries) - len(new)
    result.cancelled_messages = cancel_pending_messages(
        workspace_id=actor.workspace_id,
        contact_ids=_matching_contacts(actor.workspace_id, new),
        reason="suppressed",
        text="Cancelled: the address or its domain was imported into the suppression list.",
    )
    member_audit(
        workspace=actor.workspace,
        user=actor.user,
        verb="suppression.imported",
        after={
            "added": result.added,
            "already": result.already,
            "invalid": len(result.invalid),
            "cancelled_messages": result.cancelled_messages,
        },
    )
    return result


@transaction.atomic
def suppression_remove(*, actor: Membership, suppression: Suppression) -> None:
    _require_admin(actor)
    if suppression.workspace_id != actor.workspace_id:
        raise PermissionDenied("Not an entry of this workspace.")
    suppression_id = suppression.pk
    suppression.delete()
    member_audit(
        workspace=actor.workspace,
        user=actor.user,
        verb="suppression.removed",
        target_type="agents.suppression",
        target_id=suppression_id,
        before={"kind": suppression.kind, "value": suppression.value, "reason": suppression.reason},
    )
