"""Contact lists: static lists that hold their members (from a CSV import, or picked on the accounts page)
and dynamic lists, a saved filter evaluated in SQL whenever it is read. Writes check the manager's role,
run in a transaction and are audited; every add checks that each contact is the list's workspace's.
"""

from collections.abc import Iterable
from datetime import timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Exists, OuterRef, QuerySet
from django.utils import timezone

from campaigns.choices import SignalKind
from campaigns.models import (
    Account,
    Campaign,
    CampaignAudienceList,
    Contact,
    ContactList,
    ContactListMember,
    ImportJob,
    Signal,
)
from salesops.audit import audit_record, member_audit
from salesops.models import Membership, Role, Workspace

MAX_SIGNAL_DAYS = 730

# A dynamic list's filter, as stored in ContactList.filter: key -> the empty value (no condition).
FILTER_KEYS = {
    "industry_contains": "",
    "countries": [],
    "tiers": [],
    "employees_min": None,
    "employees_max": None,
    "title_contains": "",
    "signal_kind": "",
    "signal_days": None,
}


def _require_manager(actor: Membership) -> None:
    if not actor.has_role(Role.MANAGER):
        raise PermissionDenied("Lists are changed by managers and admins.")


# Dynamic lists: the filter ------------------------------------------------------------------


def _whole_number(value, what: str) -> int | None:
    if value in (None, ""):
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValidationError(f"{what} must be a whole number.")
    if value < 0:
        raise ValidationError(f"{what} must be 0 or more.")
    return value


def clean_filter(data: dict) -> dict:
    """The filter with every key present and checked, or ValidationError naming what is wrong."""
    unknown = sorted(set(data) - set(FILTER_KEYS))
    if unknown:
        raise ValidationError(f"Unknown filter fields: {', '.join(unknown)}.")
    cleaned = {**FILTER_KEYS, **data}
    for key in ("industry_contains", "title_contains", "signal_kind"):
        if not isinstance(cleaned[key], str):
            raise ValidationError(f"{key} must be text.")
        cleaned[key] = cleaned[key].strip()
    for key in ("countries", "tiers"):
        if not isinstance(cleaned[key], list) or not all(isinstance(item, str) for item in cleaned[key]):
            raise ValidationError(f"{key} must be a list of texts.")
        cleaned[key] = [item.strip() for item in cleaned[key] if item.strip()]
    cleaned["countries"] = [code.upper() for code in cleaned["countries"]]
    bad = [code for code in cleaned["countries"] if len(code) != 2 or not code.isalpha()]
    if bad:
        raise ValidationError(f"Use two-letter country codes: {', '.join(bad)}.")
    low = _whole_number(cleaned["employees_min"], "The lowest number of employees")
    high = _whole_number(cleaned["employees_max"], "The highest number of employees")
    if low is not None and high is not None and low > high:
        raise ValidationError("The highest number of employees must be at least the lowest.")
    cleaned["employees_min"], cleaned["employees_max"] = low, high
    kind, days = cleaned["signal_kind"], _whole_number(cleaned["signal_days"], "The number of days")
    if kind and kind not in SignalKind.values:
        raise ValidationError(f"Unknown signal kind {kind!r}.")
    if kind and not days:
        raise ValidationError("Say within how many days the signal happened.")
    if days and not kind:
        raise ValidationError("Choose the kind of signal the days refer to.")
    if days and days > MAX_SIGNAL_DAYS:
        raise ValidationError(f"Signals are looked for within at most {MAX_SIGNAL_DAYS} days.")
    cleaned["signal_days"] = days
    return cleaned


def filter_contacts(*, workspace_id: int, filter: dict) -> QuerySet[Contact]:
    """The workspace's contacts a saved filter selects, as one SQL query."""
    spec = {**FILTER_KEYS, **(filter or {})}
    contacts = Contact.objects.filter(workspace_id=workspace_id)
    if spec["industry_contains"]:
        contacts = contacts.filter(account__industry__icontains=spec["industry_contains"])
    if spec["countries"]:
        contacts = contacts.filter(account__country__in=spec["countries"])
    if spec["tiers"]:
        contacts = contacts.filter(account__tier__in=spec["tiers"])
    if spec["employees_min"] is not None:
        contacts = contacts.filter(account__employee_count__gte=spec["employees_min"])
    if spec["employees_max"] is not None:
        contacts = contacts.filter(account__employee_count__lte=spec["employees_max"])
    if spec["title_contains"]:
        contacts = contacts.filter(title__icontains=spec["title_contains"])
    if spec["signal_kind"] and spec["signal_days"]:
        since = timezone.now() - timedelta(days=spec["signal_days"])
        recent = Signal.objects.filter(
            workspace_id=workspace_id, account=OuterRef("account"), kind=spec["signal_kind"], occurred_at__gte=since
        )
        contacts = contacts.filter(Exists(recent))
    return contacts


def describe_filter(filter: dict) -> list[str]:
    """The filter's conditions as a person reads them."""
    spec = {**FILTER_KEYS, **(filter or {})}
    labels = dict(SignalKind.choices)
    parts = []
    if spec["industry_contains"]:
        parts.append(f"industry contains “{spec['industry_contains']}”")
    if spec["countries"]:
        parts.append("country " + ", ".join(spec["countries"]))
    if spec["tiers"]:
        parts.append("tier " + ", ".join(spec["tiers"]))
    if spec["employees_min"] is not None:
        parts.append(f"at least {spec['employees_min']:,} employees")
    if spec["employees_max"] is not None:
        parts.append(f"at most {spec['employees_max']:,} employees")
    if spec["title_contains"]:
        parts.append(f"title contains “{spec['title_contains']}”")
    if spec["signal_kind"] and spec["signal_days"]:
        label = labels.get(spec["signal_kind"], spec["signal_kind"]).lower()
        parts.append(f"a {label} signal in the last {spec['signal_days']} days")
    return parts or ["every contact"]


# Reads ----------------------------------------------------------------------------------------


def contact_lists(*, workspace: Workspace) -> QuerySet[ContactList]:
    return (
        ContactList.objects.filter(workspace=workspace)
        .annotate(member_count=Count("members", distinct=True), campaign_count=Count("campaign_uses", distinct=True))
        .order_by("name")
    )


def contact_list_get(*, workspace: Workspace, list_id: int) -> ContactList:
    return ContactList.objects.get(workspace=workspace, pk=list_id)


def static_lists(*, workspace: Workspace) -> QuerySet[ContactList]:
    return ContactList.objects.filter(workspace=workspace, kind=ContactList.Kind.STATIC).order_by("name")


def contact_list_members(*, contact_list: ContactList) -> QuerySet[Contact]:
    """The list's contacts with their accounts, by name (a dynamic list's filter evaluated now)."""
    if contact_list.kind == ContactList.Kind.DYNAMIC:
        contacts = filter_contacts(workspace_id=contact_list.workspace_id, filter=contact_list.filter)
    else:
        contacts = Contact.objects.filter(
            workspace_id=contact_list.workspace_id, list_memberships__contact_list=contact_list
        )
    return contacts.select_related("account").order_by("last_name", "first_name", "id")


def member_ids_by_list(*, workspace_id: int, contact_lists: Iterable[ContactList]) -> dict[int, set[int]]:
    """Each list's contact ids: one query for all the static lists, one per dynamic list."""
    contact_lists = list(contact_lists)
    members: dict[int, set[int]] = {contact_list.pk: set() for contact_list in contact_lists}
    static = [contact_list.pk for contact_list in contact_lists if contact_list.kind == ContactList.Kind.STATIC]
    if static:
        for list_id, contact_id in ContactListMember.objects.filter(
            workspace_id=workspace_id, contact_list_id__in=static
        ).values_list("contact_list_id", "contact_id"):
            members[list_id].add(contact_id)
    for contact_list in contact_lists:
        if contact_list.kind == ContactList.Kind.DYNAMIC:
            members[contact_list.pk] = set(
                filter_contacts(workspace_id=workspace_id, filter=contact_list.filter).values_list("id", flat=True)
            )
    return members


# Writes -----------------------------------------------------------------------------------------


def _check_name(workspace: Workspace, name: str, *, exclude_id: int | None = None) -> str:
    name = name.strip()
    if not name:
        raise ValidationError({"name": "Give the list a name."})
    clashes = ContactList.objects.filter(workspace=workspace, name__iexact=name)
    if exclude_id is not None:
        clashes = clashes.exclude(pk=exclude_id)
    if clashes.exists():
        raise ValidationError({"name": f"A list named {name!r} already exists."})
    return name


@transaction.atomic
def contact_list_create(
    *, actor: Membership, name: str, kind: str, description: str = "", filter: dict | None = None
) -> ContactList:
    _require_manager(actor)
    if kind not in ContactList.Kind.values:
        raise ValidationError("A list is static or dynamic.")
    name = _check_name(actor.workspace, name)
    spec = clean_filter(filter or {}) if kind == ContactList.Kind.DYNAMIC else {}
    contact_list = ContactList.objects.create(
        workspace=actor.workspace, name=name, kind=kind, description=description, filter=spec, created_by=actor.user
    )
    member_audit(
        workspace=actor.workspace,
        user=actor.user,
        verb="contact_list.created",
        target=contact_list,
        after={"name": name, "kind": kind, "filter": spec},
    )
    return contact_list


@transaction.atomic
def contact_list_update_filter(*, actor: Membership, contact_list: ContactList, filter: dict) -> ContactList:
    _require_manager(actor)
    contact_list = ContactList.objects.select_for_update().get(pk=contact_list.pk, workspace=actor.workspace)
    if contact_list.kind != ContactList.Kind.DYNAMIC:
        raise ValidationError("Only a dynamic list has a filter.")
    before, contact_list.filter = contact_list.filter, clean_filter(filter)
    contact_list.save(update_fields=["filter", "updated_at"])
    member_audit(
        workspace=actor.workspace,
        user=actor.user,
        verb="contact_list.filter_saved",
        target=contact_list,
        before={"filter": before},
        after={"filter": contact_list.filter},
    )
    return contact_list


def _static_list_for_update(contact_list_id: int, workspace_id: int) -> ContactList:
    try:
        locked = ContactList.objects.select_for_update().get(pk=contact_list_id, workspace_id=workspace_id)
    except ContactList.DoesNotExist:
        raise ValidationError("This list belongs to another workspace.") from None
    if locked.kind != ContactList.Kind.STATIC:
        raise ValidationError("Contacts are added to static lists only; a dynamic list selects them by its filter.")
    return locked


def _ids(values: Iterable) -> list[int]:
    ids = []
    for value in values:
        try:
            ids.append(int(value))
        except (TypeError, ValueError):
            raise ValidationError(f"{value!r} is not a contact or account id.") from None
    return sorted(set(ids))


def _add_members(contact_list: ContactList, contact_ids: Iterable) -> int:
    """Add contacts of the list's own workspace; an id that is not one of them refuses the whole add."""
    wanted = _ids(contact_ids)
    known = set(
        Contact.objects.filter(workspace_id=contact_list.workspace_id, pk__in=wanted).values_list("pk", flat=True)
    )
    unknown = [contact_id for contact_id in wanted if contact_id not in known]
    if unknown:
        shown = ", ".join(str(contact_id) for contact_id in unknown[:10])
        raise ValidationError(f"No contact of this workspace has the id {shown}; nothing was added.")
    already = set(
        ContactListMember.objects.filter(contact_list=contact_list, contact_id__in=wanted).values_list(
            "contact_id", flat=True
        )
    )
    new = [contact_id for contact_id in wanted if contact_id not in already]
    ContactListMember.objects.bulk_create(
        [
            ContactListMember(workspace_id=contact_list.workspace_id, contact_list=contact_list, contact_id=contact_id)
            for contact_id in new
        ],
        ignore_conflicts=True,
    )
    return len(new)


@transaction.atomic
def contact_list_add_contacts(*, actor: Membership, contact_list: ContactList, contact_ids: Iterable) -> int:
    """Add contacts to a static list; how many were not in it yet."""
    _require_manager(actor)
    contact_list = _static_list_for_update(contact_list.pk, actor.workspace_id)
    added = _add_members(contact_list, contact_ids)
    member_audit(
        workspace=actor.workspace,
        user=actor.user,
        verb="contact_list.contacts_added",
        target=contact_list,
        after={"added": added},
    )
    return added


@transaction.atomic
def contact_list_add_account_contacts(*, actor: Membership, contact_list: ContactList, account_ids: Iterable) -> int:
    """Add every contact of the chosen accounts to a static list; how many were not in it yet."""
    _require_manager(actor)
    contact_list = _static_list_for_update(contact_list.pk, actor.workspace_id)
    wanted = _ids(account_ids)
    if not wanted:
        raise ValidationError("Choose at least one account.")
    known = set(Account.objects.filter(workspace_id=actor.workspace_id, pk__in=wanted).values_list("pk", flat=True))
    unknown = [account_id for account_id in wanted if account_id not in known]
    if unknown:
        shown = ", ".join(str(account_id) for account_id in unknown[:10])
        raise ValidationError(f"No account of this workspace has the id {shown}; nothing was added.")
    contact_ids = Contact.objects.filter(workspace_id=actor.workspace_id, account_id__in=wanted).values_list(
        "pk", flat=True
    )
    added = _add_members(contact_list, list(contact_ids))
    member_audit(
        workspace=actor.workspace,
        user=actor.user,
        verb="contact_list.contacts_added",
        target=contact_list,
        after={"added": added, "accounts": wanted},
    )
    return added


@transaction.atomic
def contact_list_remove_member(*, actor: Membership, contact_list: ContactList, contact_id: int) -> None:
    _require_manager(actor)
    contact_list = _static_list_for_update(contact_list.pk, actor.workspace_id)
    deleted, _ = ContactListMember.objects.filter(contact_list=contact_list, contact_id=contact_id).delete()
    if not deleted:
        raise ValidationError("That contact is not in this list.")
    member_audit(
        workspace=actor.workspace,
        user=actor.user,
        verb="contact_list.contact_removed",
        target=contact_list,
        after={"contact": contact_id},
    )


def import_contacts_add(*, job: ImportJob, contact_ids: Iterable[int]) -> int:
    """An import adds the contacts it wrote to its list (the caller's transaction holds the batch)."""
    if job.contact_list_id is None or not ContactList.objects.filter(pk=job.contact_list_id).exists():
        return 0  # no list, or it was deleted while the file was importing
    contact_list = _static_list_for_update(job.contact_list_id, job.workspace_id)
    added = _add_members(contact_list, contact_ids)
    if added:
        audit_record(
            workspace=job.workspace,
            verb="contact_list.contacts_added",
            actor=f"system:import #{job.pk}",
            target=contact_list,
            after={"added": added, "import": job.pk},
        )
    return added


@transaction.atomic
def campaign_set_audience_lists(
    *, actor: Membership, campaign: Campaign, narrow: Iterable[ContactList], extend: Iterable[ContactList]
) -> list[CampaignAudienceList]:
    """Replace the lists that narrow and extend a campaign's audience."""
    _require_manager(actor)
    campaign = Campaign.objects.select_for_update().get(pk=campaign.pk, workspace=actor.workspace)
    narrow, extend = list(narrow), list(extend)
    for contact_list in narrow + extend:
        if contact_list.workspace_id != actor.workspace_id:
            raise ValidationError("A campaign uses lists of its own workspace only.")
    both = {contact_list.pk for contact_list in narrow} & {contact_list.pk for contact_list in extend}
    if both:
        raise ValidationError("A list either narrows or extends the audience, not both.")
    before = {
        row.contact_list_id: row.mode for row in CampaignAudienceList.objects.filter(campaign=campaign).order_by("pk")
    }
    after = {contact_list.pk: CampaignAudienceList.Mode.NARROW for contact_list in narrow}
    after |= {contact_list.pk: CampaignAudienceList.Mode.EXTEND for contact_list in extend}
    if before == after:
        return list(CampaignAudienceList.objects.filter(campaign=campaign))
    CampaignAudienceList.objects.filter(campaign=campaign).delete()
    rows = CampaignAudienceList.objects.bulk_create(
        CampaignAudienceList(workspace_id=actor.workspace_id, campaign=campaign, contact_list_id=list_id, mode=mode)
        for list_id, mode in after.items()
    )
    member_audit(
        workspace=actor.workspace,
        user=actor.user,
        verb="campaign.audience_lists_saved",
        target=campaign,
        before={"lists": {str(key): value for key, value in before.items()}},
        after={"lists": {str(key): value for key, value in after.items()}},
    )
    return rows


def list_for_import(*, actor: Membership, existing_id: str = "", new_name: str = "") -> ContactList | None:
    """The static list a contacts import adds to: an existing one, a new one by name, or none."""
    if new_name.strip():
        return contact_list_create(actor=actor, name=new_name, kind=ContactList.Kind.STATIC)
    if not existing_id:
        return None
    try:
        return ContactList.objects.get(workspace=actor.workspace, pk=int(existing_id), kind=ContactList.Kind.STATIC)
    except (ValueError, ContactList.DoesNotExist):
        raise ValidationError("Choose one of this workspace's static lists.") from None
