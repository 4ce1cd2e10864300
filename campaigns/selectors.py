"""Reads of strategy and data, always within one workspace."""

from dataclasses import dataclass

from django.db.models import Count, F, Max, Prefetch, Q, QuerySet

from campaigns.models import ICP, Account, Campaign, Contact, ICPVersion, Offer, Policy, ProofPoint, Signal
from salesops.models import Workspace


def mailbox_model():
    """The delivery step's Mailbox, reached through the campaign's `mailboxes` relation: this app may not
    import agents (the packages depend one way), yet a campaign picks which mailboxes send for it and may
    not start without one."""
    return Campaign._meta.get_field("mailboxes").related_model


def active_mailboxes(*, workspace: Workspace) -> QuerySet:
    mailbox = mailbox_model()
    return mailbox.objects.filter(workspace=workspace, status=mailbox.Status.ACTIVE).order_by("from_address")


def icps_with_latest(*, workspace: Workspace) -> QuerySet[ICP]:
    return ICP.objects.filter(workspace=workspace).annotate(latest_number=Max("versions__number")).order_by("name")


def icp_get(*, workspace: Workspace, icp_id: int) -> ICP:
    return ICP.objects.get(workspace=workspace, pk=icp_id)


def icp_versions(*, icp: ICP) -> list[ICPVersion]:
    return list(icp.versions.select_related("created_by").order_by("-number"))


@dataclass(frozen=True)
class FieldChange:
    field: str
    label: str
    before: object
    after: object
    added: list
    removed: list


def icp_version_diff(older: ICPVersion | None, newer: ICPVersion) -> list[FieldChange]:
    """What changed between two versions, field by field (lists show what was added and removed)."""
    changes = []
    old_content = older.content() if older else {}
    for field in ICPVersion.CONTENT_FIELDS:
        before, after = old_content.get(field), getattr(newer, field)
        if before == after or (older is None and after in ("", [], {}, None)):
            continue
        added, removed = [], []
        if isinstance(after, list) or isinstance(before, list):
            added = [item for item in (after or []) if item not in (before or [])]
            removed = [item for item in (before or []) if item not in (after or [])]
        elif isinstance(after, dict) or isinstance(before, dict):
            before_items, after_items = before or {}, after or {}
            added = [f"{k}: {v}" for k, v in after_items.items() if before_items.get(k) != v]
            removed = [f"{k}: {v}" for k, v in before_items.items() if k not in after_items]
        label = ICPVersion._meta.get_field(field).verbose_name.capitalize()
        changes.append(FieldChange(field, label, before, after, added, removed))
    return changes


def offers(*, workspace: Workspace) -> QuerySet[Offer]:
    return Offer.objects.filter(workspace=workspace).order_by("name")


def policies(*, workspace: Workspace) -> QuerySet[Policy]:
    return Policy.objects.filter(workspace=workspace).order_by("name")


def proof_points(*, workspace: Workspace) -> QuerySet[ProofPoint]:
    return ProofPoint.objects.filter(workspace=workspace).order_by("-is_active", "kind", "title")


def campaigns_list(*, workspace: Workspace) -> QuerySet[Campaign]:
    return (
        Campaign.objects.filter(workspace=workspace)
        .select_related("icp_version__icp", "offer", "policy")
        .annotate(step_count=Count("steps"))
        .order_by("status", "name")
    )


def campaign_get(*, workspace: Workspace, campaign_id: int) -> Campaign:
    return (
        Campaign.objects.select_related("icp_version__icp", "offer", "policy")
        .prefetch_related("steps")
        .get(workspace=workspace, pk=campaign_id)
    )


# The account list's sortable columns: the key in the query string and what it orders by. Only these
# keys reach order_by, so a crafted ?sort= can neither fail nor inject anything.
ACCOUNT_SORTS = {
    "name": F("name"),
    "domain": F("domain"),
    "industry": F("industry"),
    "employees": F("employee_count"),
    "country": F("country"),
    "tier": F("tier"),
    "contacts": F("contact_count"),
    "signals": F("signal_count"),
    "latest_signal": F("latest_signal_at"),
}
ACCOUNT_DEFAULT_SORT = "name"


def account_sort_parse(value: str) -> tuple[str, bool]:
    """(column key, descending) of a ?sort= value such as "tier" or "-contacts"; the default for any other."""
    descending = value.startswith("-")
    key = value[1:] if descending else value
    if key not in ACCOUNT_SORTS:
        return ACCOUNT_DEFAULT_SORT, False
    return key, descending


def account_tiers(*, workspace: Workspace) -> list[str]:
    """The tiers that exist in the workspace, for the filter's choices."""
    return list(
        Account.objects.filter(workspace=workspace)
        .exclude(tier="")
        .values_list("tier", flat=True)
        .distinct()
        .order_by("tier")
    )


def accounts_list(*, workspace: Workspace, q: str = "", tier: str = "", sort: str = "") -> QuerySet[Account]:
    accounts = Account.objects.filter(workspace=workspace)
    if q:
        accounts = accounts.filter(Q(name__icontains=q) | Q(domain__icontains=q))
    if tier:
        accounts = accounts.filter(tier=tier)
    key, descending = account_sort_parse(sort)
    column = ACCOUNT_SORTS[key]
    # Empty values (no employee count, no signal yet) sort last either way; name and id break ties so
    # paging never repeats or skips a row.
    order = column.desc(nulls_last=True) if descending else column.asc(nulls_last=True)
    return accounts.annotate(
        contact_count=Count("contacts", distinct=True),
        signal_count=Count("signals", distinct=True),
        latest_signal_at=Max("signals__occurred_at"),
    ).order_by(order, "name", "id")


def account_get(*, workspace: Workspace, account_id: int) -> Account:
    return (
        Account.objects.select_related("owner")
        .prefetch_related(
            Prefetch("contacts", queryset=Contact.objects.order_by("last_name", "first_name")),
            Prefetch("signals", queryset=Signal.objects.select_related("contact").order_by("-occurred_at")),
        )
        .get(workspace=workspace, pk=account_id)
    )
