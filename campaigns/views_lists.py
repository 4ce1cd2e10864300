"""Pages of contact lists (static and dynamic), adding accounts' contacts to a list, and a campaign's
audience (the partial the campaign page loads)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from campaigns import audience, icp_match, lists, selectors
from campaigns.forms import ContactListForm
from campaigns.models import Campaign, ContactList
from salesops.access import member_required
from salesops.models import Role

MEMBERS_PER_PAGE = 50


def _get_list_for_member(request, list_id: int) -> ContactList:
    try:
        return lists.contact_list_get(workspace=request.workspace, list_id=list_id)
    except ContactList.DoesNotExist:
        raise Http404 from None


@member_required(Role.MANAGER)
@require_GET
def list_index(request):
    return render(request, "campaigns/list_index.html", {"lists": lists.contact_lists(workspace=request.workspace)})


@member_required(Role.MANAGER)
@require_http_methods(["GET", "POST"])
def list_create(request):
    form = ContactListForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            contact_list = lists.contact_list_create(
                actor=request.membership,
                name=data["name"],
                kind=data["kind"],
                description=data["description"],
                filter=form.filter(),
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, f"List {contact_list.name} created.")
            return redirect("campaigns:list_detail", list_id=contact_list.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "campaigns/list_form.html", {"form": form, "creating": True}, status=status)


@member_required(Role.MANAGER)
@require_http_methods(["GET", "POST"])
def list_filter_edit(request, list_id: int):
    contact_list = _get_list_for_member(request, list_id)
    if contact_list.kind != ContactList.Kind.DYNAMIC:
        raise Http404
    form = ContactListForm(request.POST or None, initial=contact_list.filter, filter_only=True)
    if request.method == "POST" and form.is_valid():
        try:
            lists.contact_list_update_filter(actor=request.membership, contact_list=contact_list, filter=form.filter())
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, f"The filter of {contact_list.name} is saved.")
            return redirect("campaigns:list_detail", list_id=contact_list.pk)
    status = 400 if request.method == "POST" else 200
    context = {"form": form, "creating": False, "contact_list": contact_list}
    return render(request, "campaigns/list_form.html", context, status=status)


@member_required(Role.MANAGER)
@require_GET
def list_detail(request, list_id: int):
    contact_list = _get_list_for_member(request, list_id)
    page = Paginator(lists.contact_list_members(contact_list=contact_list), MEMBERS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    context = {
        "contact_list": contact_list,
        "page": page,
        "conditions": lists.describe_filter(contact_list.filter) if contact_list.kind == "dynamic" else [],
        "campaigns": contact_list.campaign_uses.select_related("campaign").order_by("campaign__name"),
    }
    return render(request, "campaigns/list_detail.html", context)


@member_required(Role.MANAGER)
@require_POST
def list_member_remove(request, list_id: int, contact_id: int):
    contact_list = _get_list_for_member(request, list_id)
    try:
        lists.contact_list_remove_member(actor=request.membership, contact_list=contact_list, contact_id=contact_id)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, "Removed from the list.")
    page = request.POST.get("page", "1")
    page = page if page.isdigit() else "1"
    return redirect(reverse("campaigns:list_detail", args=[contact_list.pk]) + f"?page={page}")


@member_required(Role.MANAGER)
@require_POST
def list_add_accounts(request):
    """The accounts page's "Add their contacts to list…": to an existing static list or a new one."""
    account_ids = request.POST.getlist("account_ids")
    new_name = request.POST.get("new_list_name", "").strip()
    try:
        if not account_ids:
            raise ValidationError("Tick the accounts whose contacts to add.")
        if new_name:
            contact_list = lists.contact_list_create(actor=request.membership, name=new_name, kind="static")
        else:
            try:
                contact_list = lists.contact_list_get(
                    workspace=request.workspace, list_id=int(request.POST.get("list_id", ""))
                )
            except (ValueError, ContactList.DoesNotExist):
                raise ValidationError("Choose a list of this workspace, or name a new one.") from None
        added = lists.contact_list_add_account_contacts(
            actor=request.membership, contact_list=contact_list, account_ids=account_ids
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("campaigns:account_list")
    messages.success(request, f"{added} contact{'s' if added != 1 else ''} added to {contact_list.name}.")
    return redirect("campaigns:list_detail", list_id=contact_list.pk)


# A campaign's audience --------------------------------------------------------------------------

REASON_LABELS = {
    icp_match.EXCLUDED_DOMAIN: "at an excluded domain (competitor or customer)",
    icp_match.EXCLUDED_INDUSTRY: "in an excluded industry",
    icp_match.INDUSTRY: "outside the ICP's industries",
    icp_match.SIZE: "outside the ICP's company size",
    icp_match.COUNTRY: "outside the ICP's countries",
    icp_match.PERSONA: "not one of the ICP's personas",
}
ELIGIBILITY_LABELS = [
    (audience.IN_THIS_CAMPAIGN, "already enrolled in this campaign"),
    (audience.IN_OTHER_SEQUENCE, "already in another campaign's sequence"),
    (audience.SUPPRESSED, "suppressed (unsubscribed, bounced, do not contact or on the suppression list)"),
    (audience.BLOCKED, "blocked by a person's decision (do not contact, off-target)"),
    (audience.EXCLUDED_BY_MANAGER, "excluded from this campaign by a manager"),
    (audience.ALREADY_ENGAGED, "already replied or booked a meeting"),
]


@member_required(Role.MANAGER)
@require_GET
def campaign_audience(request, campaign_id: int):
    try:
        campaign = selectors.campaign_get(workspace=request.workspace, campaign_id=campaign_id)
    except Campaign.DoesNotExist:
        raise Http404 from None
    found = audience.campaign_audience(campaign)
    counts = found.counts
    excluded = [
        (reason, REASON_LABELS[reason], counts.excluded_by_icp[reason], counts.examples.get(reason, []))
        for reason in icp_match.REASONS
        if counts.excluded_by_icp.get(reason)
    ]
    if counts.outside_lists:
        excluded.append(
            (
                audience.OUTSIDE_LISTS,
                "in none of the lists the audience is narrowed to",
                counts.outside_lists,
                counts.examples.get(audience.OUTSIDE_LISTS, []),
            )
        )
    ineligible = [
        (reason, label, getattr(counts, reason), counts.examples.get(reason, []))
        for reason, label in ELIGIBILITY_LABELS
        if getattr(counts, reason)
    ]
    context = {
        "campaign": campaign,
        "audience": found,
        "counts": counts,
        "excluded": excluded,
        "excluded_total": sum(count for _, _, count, _ in excluded),
        "ineligible": ineligible,
        "attached": campaign.audience_lists.select_related("contact_list").order_by("contact_list__name"),
    }
    return render(request, "campaigns/campaign_audience.html", context)
