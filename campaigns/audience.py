"""A campaign's audience: who its ICP version's criteria and its lists select, who of them may be enrolled
now, and counts of everyone else by why.

Read in a constant number of queries whatever the audience's size (accounts, contacts, blocks, enrolments,
the manager's exclusions, the lists, the suppression list, the examples' names), then decided in Python
with `campaigns.icp_match`, which memoises per distinct industry and per distinct title.

Who is in it:
- contacts the ICP's criteria match; narrowed to the members of the NARROW lists when any are attached;
- and the members of the EXTEND lists, even where the criteria do not match;
- but never a contact at an excluded domain or in an excluded industry, list member or not.
Who of them is eligible to enrol now: status "new" (or "in sequence" where the campaign allows overlap),
not suppressed (status or suppression list), no standing block, not already enrolled in this campaign,
not in another campaign's active exclusive sequence unless the campaign allows overlap, not excluded by
the manager. Each contact is counted once, under the first of these that applies.
"""

from dataclasses import dataclass, field

from django.db.models import Q

from campaigns import hooks, icp_match, lists
from campaigns.models import (
    Account,
    Campaign,
    CampaignAudienceList,
    CampaignLeadChoice,
    Contact,
    ContactBlock,
    Enrolment,
)

# Why a contact of the audience cannot be enrolled now, in the order checked.
IN_THIS_CAMPAIGN = "in_this_campaign"
SUPPRESSED = "suppressed"
BLOCKED = "blocked"
EXCLUDED_BY_MANAGER = "excluded_by_manager"
IN_OTHER_SEQUENCE = "in_other_sequence"
ALREADY_ENGAGED = "already_engaged"
# Matched the ICP but is in none of the lists the campaign is narrowed to.
OUTSIDE_LISTS = "outside_lists"

EXAMPLES_PER_REASON = 5
SUPPRESSED_STATUSES = frozenset({Contact.Status.UNSUBSCRIBED, Contact.Status.BOUNCED, Contact.Status.DO_NOT_CONTACT})
ENGAGED_STATUSES = frozenset({Contact.Status.REPLIED, Contact.Status.MEETING_BOOKED})


@dataclass(frozen=True)
class AudienceMember:
    contact_id: int
    account_id: int
    fit: int  # 0..100: how well account and person match the ICP
    fit_reasons: tuple[str, ...]  # short phrases: ("logistics", "300 staff", "VP Operations")
    industry: str  # segment key: the ICP industry entry matched, normalised; "other"
    size_band: str  # "1-49" | "50-199" | "200-999" | "1000+" | "unknown"
    persona: str  # segment key, e.g. "vp operations" / "head sales"; "other"
    via_list: bool  # a member of one of the lists attached to the campaign (narrowing or extending)


@dataclass(frozen=True)
class Example:
    contact_id: int
    name: str
    account_name: str
    detail: str  # what put the contact here, as a person reads it ("Software", "45 employees")


@dataclass
class AudienceCounts:
    accounts: int = 0  # accounts with a contact in the audience
    contacts: int = 0  # contacts in the audience (matching the ICP, or through a list)
    eligible: int = 0
    in_other_sequence: int = 0
    in_this_campaign: int = 0
    suppressed: int = 0  # unsubscribed, bounced, "do not contact", or on the suppression list
    blocked: int = 0  # a standing ContactBlock
    excluded_by_manager: int = 0  # CampaignLeadChoice exclude
    # Contacts outside the audience, by the first ICP criterion they miss (icp_match.REASONS).
    excluded_by_icp: dict[str, int] = field(default_factory=dict)
    workspace_contacts: int = 0  # every contact of the workspace: "0 of 1,240"
    outside_lists: int = 0  # matched the ICP, but in none of the narrowing lists
    already_engaged: int = 0  # replied or booked a meeting already
    # Up to five contacts named per reason (the keys of excluded_by_icp and the names of the counts above).
    examples: dict[str, list[Example]] = field(default_factory=dict)


@dataclass
class Audience:
    members: list[AudienceMember]  # eligible to enrol now, by contact id
    counts: AudienceCounts
    has_icp: bool = True  # False: the campaign has no ICP version, only lists can select anyone


def _list_members(campaign: Campaign) -> tuple[set[int], set[int], bool]:
    """(members of the narrowing lists, members of the extending lists, whether any list narrows)."""
    attached = list(
        CampaignAudienceList.objects.filter(campaign=campaign, workspace_id=campaign.workspace_id)
        .select_related("contact_list")
        .order_by("pk")
    )
    members = lists.member_ids_by_list(
        workspace_id=campaign.workspace_id, contact_lists=[row.contact_list for row in attached]
    )
    narrow: set[int] = set()
    extend: set[int] = set()
    for row in attached:
        (narrow if row.mode == CampaignAudienceList.Mode.NARROW else extend).update(members[row.contact_list_id])
    narrows = any(row.mode == CampaignAudienceList.Mode.NARROW for row in attached)
    return narrow, extend, narrows


def _suppression(workspace_id: int) -> tuple[set[str], set[str]]:
    addresses: set[str] = set()
    domains: set[str] = set()
    for reader in hooks.suppression_readers:
        more_addresses, more_domains = reader(workspace_id)
        addresses |= more_addresses
        domains |= more_domains
    return addresses, domains


def _is_suppressed(email: str, addresses: set[str], domains: set[str]) -> bool:
    email = email.lower()
    return email in addresses or email.rsplit("@", 1)[-1] in domains


def campaign_audience(campaign: Campaign) -> Audience:
    workspace_id = campaign.workspace_id
    icp_version = campaign.icp_version
    matcher = icp_match.Matcher(icp_match.Criteria.of(icp_version)) if icp_version is not None else None
    narrow, extend, narrows = _list_members(campaign)

    account_rows = list(
        Account.objects.filter(workspace_id=workspace_id).values_list(
            "id", "domain", "industry", "employee_count", "country"
        )
    )
    account_sizes = {row[0]: row[3] for row in account_rows}
    # Each account is decided once; its contacts then differ only by their persona.
    account_checks = {
        account_id: matcher.account(domain=domain, industry=industry, employees=employees, country=country)
        if matcher is not None
        else None
        for account_id, domain, industry, employees, country in account_rows
    }
    contacts = list(
        Contact.objects.filter(workspace_id=workspace_id)
        .order_by("id")
        .values_list("id", "account_id", "email", "title", "department", "seniority", "status")
    )
    blocked = set(
        ContactBlock.objects.filter(workspace_id=workspace_id, lifted_at__isnull=True).values_list(
            "contact_id", flat=True
        )
    )
    in_this_campaign: set[int] = set()
    in_other_sequence: set[int] = set()
    for contact_id, campaign_id in (
        Enrolment.objects.filter(workspace_id=workspace_id)
        .filter(Q(campaign=campaign) | Q(status=Enrolment.Status.ACTIVE, exclusive=True))
        .values_list("contact_id", "campaign_id")
    ):
        (in_this_campaign if campaign_id == campaign.pk else in_other_sequence).add(contact_id)
    excluded_by_manager = set(
        CampaignLeadChoice.objects.filter(
            campaign=campaign, workspace_id=workspace_id, choice=CampaignLeadChoice.Choice.EXCLUDE
        ).values_list("contact_id", flat=True)
    )
    suppressed_addresses, suppressed_domains = _suppression(workspace_id)

    counts = AudienceCounts(workspace_contacts=len(contacts))
    examples: dict[str, list[tuple[int, str]]] = {}
    members: list[AudienceMember] = []
    audience_accounts: set[int] = set()

    def count(reason: str, contact_id: int, detail: str) -> None:
        named = examples.setdefault(reason, [])
        if len(named) < EXAMPLES_PER_REASON:
            named.append((contact_id, detail))

    unmatched = icp_match.Matcher(icp_match.Criteria())
    for contact_id, account_id, email, title, department, seniority, status in contacts:
        listed_to_extend = contact_id in extend
        checks = account_checks[account_id]
        if checks is None:
            verdict = None
        else:
            verdict = matcher.verdict(checks, matcher.persona(title, department, seniority), email=email)
        if verdict is not None and verdict.excluded_by in (icp_match.EXCLUDED_DOMAIN, icp_match.EXCLUDED_INDUSTRY):
            counts.excluded_by_icp[verdict.excluded_by] = counts.excluded_by_icp.get(verdict.excluded_by, 0) + 1
            count(verdict.excluded_by, contact_id, verdict.detail)
            continue
        if not listed_to_extend:
            if verdict is None:
                continue  # no ICP: only an extending list selects anyone
            if verdict.excluded_by is not None:
                counts.excluded_by_icp[verdict.excluded_by] = counts.excluded_by_icp.get(verdict.excluded_by, 0) + 1
                count(verdict.excluded_by, contact_id, verdict.detail)
                continue
            if narrows and contact_id not in narrow:
                counts.outside_lists += 1
                count(OUTSIDE_LISTS, contact_id, "")
                continue
        counts.contacts += 1
        audience_accounts.add(account_id)

        reason = _ineligible_reason(
            campaign,
            contact_id=contact_id,
            email=email,
            status=status,
            in_this_campaign=in_this_campaign,
            in_other_sequence=in_other_sequence,
            blocked=blocked,
            excluded_by_manager=excluded_by_manager,
            suppressed_addresses=suppressed_addresses,
            suppressed_domains=suppressed_domains,
        )
        if reason is not None:
            setattr(counts, reason, getattr(counts, reason) + 1)
            count(reason, contact_id, Contact.Status(status).label if reason == ALREADY_ENGAGED else "")
            continue
        if verdict is None:  # no ICP: a list member fits nothing in particular
            verdict = unmatched.evaluate(employees=account_sizes[account_id])
        members.append(
            AudienceMember(
                contact_id=contact_id,
                account_id=account_id,
                fit=verdict.fit,
                fit_reasons=verdict.fit_reasons,
                industry=verdict.industry,
                size_band=verdict.size_band,
                persona=verdict.persona,
                via_list=listed_to_extend or contact_id in narrow,
            )
        )
    counts.eligible = len(members)
    counts.accounts = len(audience_accounts)
    counts.examples = _named_examples(workspace_id, examples)
    return Audience(members=members, counts=counts, has_icp=icp_version is not None)


def _ineligible_reason(
    campaign: Campaign,
    *,
    contact_id: int,
    email: str,
    status: str,
    in_this_campaign: set[int],
    in_other_sequence: set[int],
    blocked: set[int],
    excluded_by_manager: set[int],
    suppressed_addresses: set[str],
    suppressed_domains: set[str],
) -> str | None:
    """Why a contact of the audience cannot be enrolled now; None when it can."""
    if contact_id in in_this_campaign:
        return IN_THIS_CAMPAIGN
    if status in SUPPRESSED_STATUSES or _is_suppressed(email, suppressed_addresses, suppressed_domains):
        return SUPPRESSED
    if contact_id in blocked:
        return BLOCKED
    if contact_id in excluded_by_manager:
        return EXCLUDED_BY_MANAGER
    if not campaign.allow_sequence_overlap and (
        contact_id in in_other_sequence or status == Contact.Status.IN_SEQUENCE
    ):
        return IN_OTHER_SEQUENCE
    if status in ENGAGED_STATUSES:
        return ALREADY_ENGAGED
    return None


def _named_examples(workspace_id: int, examples: dict[str, list[tuple[int, str]]]) -> dict[str, list[Example]]:
    """The examples' names and accounts, in one query."""
    ids = {contact_id for named in examples.values() for contact_id, _ in named}
    if not ids:
        return {}
    rows = {
        row[0]: row[1:]
        for row in Contact.objects.filter(workspace_id=workspace_id, pk__in=ids).values_list(
            "id", "first_name", "last_name", "email", "account__name"
        )
    }
    named_examples: dict[str, list[Example]] = {}
    for reason, named in examples.items():
        for contact_id, detail in named:
            first, last, email, account_name = rows[contact_id]
            name = f"{first} {last}".strip() or email
            named_examples.setdefault(reason, []).append(Example(contact_id, name, account_name, detail))
    return named_examples
