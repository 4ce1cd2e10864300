from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from campaigns import lists, selectors, services
from campaigns.forms import (
    AccountFilterForm,
    CampaignAudienceListsForm,
    CampaignForm,
    ICPForm,
    OfferForm,
    PolicyForm,
    ProofPointForm,
    SequenceStepFormSet,
)
from campaigns.models import ICP, Account, Campaign, Offer, Policy, ProofPoint
from salesops.access import member_required
from salesops.models import Role

# ICPs -------------------------------------------------------------------------------------------


def _get_icp_for_member(request, icp_id: int) -> ICP:
    try:
        return selectors.icp_get(workspace=request.workspace, icp_id=icp_id)
    except ICP.DoesNotExist:
        raise Http404 from None


@member_required(Role.MANAGER)
def icp_list(request):
    return render(request, "campaigns/icp_list.html", {"icps": selectors.icps_with_latest(workspace=request.workspace)})


@member_required(Role.MANAGER)
def icp_create(request):
    form = ICPForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            version = services.icp_create(
                actor=request.membership, name=form.cleaned_data["name"], content=form.content()
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, f"ICP {version.icp.name} saved as version 1.")
            return redirect("campaigns:icp_detail", icp_id=version.icp_id)
    return render(request, "campaigns/icp_form.html", {"form": form}, status=400 if form.errors else 200)


@member_required(Role.MANAGER)
def icp_detail(request, icp_id: int):
    icp = _get_icp_for_member(request, icp_id)
    versions = selectors.icp_versions(icp=icp)
    by_number = {version.number: version for version in versions}
    try:
        newer = by_number[int(request.GET.get("version", versions[0].number))]
        older_number = int(request.GET.get("compare", newer.number - 1))
    except (KeyError, ValueError):
        raise Http404 from None
    older = by_number.get(older_number)
    context = {
        "icp": icp,
        "versions": versions,
        "shown": newer,
        "compared": older,
        "changes": selectors.icp_version_diff(older, newer),
    }
    return render(request, "campaigns/icp_detail.html", context)


@member_required(Role.MANAGER)
def icp_edit(request, icp_id: int):
    icp = _get_icp_for_member(request, icp_id)
    latest = icp.versions.order_by("-number").first()
    form = ICPForm(request.POST or None, initial=ICPForm.initial_from(latest))
    if request.method == "POST" and form.is_valid():
        try:
            version = services.icp_save_version(
                actor=request.membership, icp=icp, name=form.cleaned_data["name"], content=form.content()
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            if version is None:
                messages.info(request, "Nothing changed, so no new version was saved.")
            else:
                messages.success(request, f"Saved as version {version.number}. Campaigns keep their version.")
            return redirect("campaigns:icp_detail", icp_id=icp.pk)
    context = {"form": form, "icp": icp, "latest": latest}
    return render(request, "campaigns/icp_form.html", context, status=400 if form.errors else 200)


# Offers, policies and the proof library: the same create/edit shape --------------------------

STRATEGY_OBJECTS = {
    "offer": (Offer, OfferForm, services.offer_save, "Offer", "campaigns:offer_list"),
    "policy": (Policy, PolicyForm, services.policy_save, "Policy", "campaigns:policy_list"),
    "proof_point": (ProofPoint, ProofPointForm, services.proof_point_save, "Approved fact", "campaigns:proof_list"),
}


def _edit_strategy_object(request, kind: str, object_id: int | None):
    model, form_class, save, label, list_url = STRATEGY_OBJECTS[kind]
    if object_id is None:
        instance = model(workspace=request.workspace)
    else:
        try:
            instance = model.objects.get(workspace=request.workspace, pk=object_id)
        except model.DoesNotExist:
            raise Http404 from None
    form = form_class(request.POST or None, instance=instance)
    if request.method == "POST" and form.is_valid():
        saved = save(actor=request.membership, form=form)
        messages.success(request, f"{label} {saved} saved.")
        return redirect(list_url)
    context = {"form": form, "label": label, "list_url": list_url, "creating": object_id is None}
    return render(request, "campaigns/strategy_form.html", context, status=400 if form.errors else 200)


@member_required(Role.MANAGER)
def offer_list(request):
    return render(request, "campaigns/offer_list.html", {"offers": selectors.offers(workspace=request.workspace)})


@member_required(Role.MANAGER)
def offer_create(request):
    return _edit_strategy_object(request, "offer", None)


@member_required(Role.MANAGER)
def offer_edit(request, offer_id: int):
    return _edit_strategy_object(request, "offer", offer_id)


@member_required(Role.MANAGER)
def policy_list(request):
    context = {"policies": selectors.policies(workspace=request.workspace)}
    return render(request, "campaigns/policy_list.html", context)


@member_required(Role.MANAGER)
def policy_create(request):
    return _edit_strategy_object(request, "policy", None)


@member_required(Role.MANAGER)
def policy_edit(request, policy_id: int):
    return _edit_strategy_object(request, "policy", policy_id)


@member_required(Role.MANAGER)
def proof_list(request):
    context = {"proof_points": selectors.proof_points(workspace=request.workspace)}
    return render(request, "campaigns/proof_list.html", context)


@member_required(Role.MANAGER)
def proof_create(request):
    return _edit_strategy_object(request, "proof_point", None)


@member_required(Role.MANAGER)
def proof_edit(request, proof_id: int):
    return _edit_strategy_object(request, "proof_point", proof_id)


# Campaigns --------------------------------------------------------------------------------------

TRANSITION_LABELS = {
    "campaign.activated": "Activate",
    "campaign.paused": "Pause",
    "campaign.resumed": "Resume",
    "campaign.completed": "Mark completed",
}


def _get_campaign_for_member(request, campaign_id: int) -> Campaign:
    try:
        return selectors.campaign_get(workspace=request.workspace, campaign_id=campaign_id)
    except Campaign.DoesNotExist:
        raise Http404 from None


@member_required(Role.MANAGER)
def campaign_list(request):
    context = {"campaigns": selectors.campaigns_list(workspace=request.workspace)}
    return render(request, "campaigns/campaign_list.html", context)


@member_required(Role.MANAGER)
def campaign_detail(request, campaign_id: int):
    campaign = _get_campaign_for_member(request, campaign_id)
    context = {
        "campaign": campaign,
        "missing": services.campaign_missing_pieces(campaign),
        "steps": campaign.steps.all(),
        "mailboxes": campaign.mailboxes.order_by("from_address"),
        "transitions": [
            (status, TRANSITION_LABELS[verb])
            for (current, status), verb in services.CAMPAIGN_TRANSITIONS.items()
            if current == campaign.status
        ],
    }
    return render(request, "campaigns/campaign_detail.html", context)


def _campaign_form_page(request, campaign: Campaign):
    creating = campaign.pk is None
    form = CampaignForm(request.POST or None, instance=campaign, workspace=request.workspace)
    initial_steps = (
        [{"intent": "intro", "delay_business_days": 0}]
        if creating
        else list(campaign.steps.values("intent", "delay_business_days", "guidance"))
    )
    if request.method == "POST":
        steps = SequenceStepFormSet(request.POST, prefix="steps")
    else:
        steps = SequenceStepFormSet(initial=initial_steps, prefix="steps")
    audience_lists = CampaignAudienceListsForm(
        request.POST or None, workspace=request.workspace, initial=CampaignAudienceListsForm.initial_for(campaign)
    )
    if request.method == "POST" and form.is_valid() and steps.is_valid() and audience_lists.is_valid():
        try:
            saved = services.campaign_save(actor=request.membership, form=form)
        except ValidationError as error:  # a mailbox paused since the form was shown
            form.add_error(None, error)
        else:
            kept = [
                {key: step.cleaned_data[key] for key in ("intent", "delay_business_days", "guidance")}
                for step in steps
                if step.cleaned_data and not step.cleaned_data.get("DELETE")
            ]
            services.campaign_set_steps(actor=request.membership, campaign=saved, steps=kept)
            lists.campaign_set_audience_lists(
                actor=request.membership,
                campaign=saved,
                narrow=audience_lists.cleaned_data["narrow"],
                extend=audience_lists.cleaned_data["extend"],
            )
            messages.success(request, f"Campaign {saved.name} saved.")
            return redirect("campaigns:campaign_detail", campaign_id=saved.pk)
    status = 400 if request.method == "POST" else 200
    context = {"form": form, "steps": steps, "audience_lists": audience_lists, "creating": creating}
    return render(request, "campaigns/campaign_form.html", context, status=status)


@member_required(Role.MANAGER)
def campaign_create(request):
    return _campaign_form_page(request, Campaign(workspace=request.workspace, send_days=[0, 1, 2, 3, 4]))


@member_required(Role.MANAGER)
def campaign_edit(request, campaign_id: int):
    return _campaign_form_page(request, _get_campaign_for_member(request, campaign_id))


@member_required(Role.MANAGER)
@require_POST
def campaign_status(request, campaign_id: int):
    campaign = _get_campaign_for_member(request, campaign_id)
    try:
        campaign = services.campaign_change_status(
            actor=request.membership, campaign=campaign, status=request.POST.get("status", "")
        )
    except services.CampaignNotReady as not_ready:
        messages.error(request, "The campaign cannot start yet: " + " ".join(not_ready.messages))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"Campaign {campaign.name} is now {campaign.get_status_display().lower()}.")
    return redirect("campaigns:campaign_detail", campaign_id=campaign.pk)


# Accounts ---------------------------------------------------------------------------------------


ACCOUNT_COLUMNS = [
    ("name", "Account"),
    ("domain", "Domain"),
    ("industry", "Industry"),
    ("employees", "Employees"),
    ("country", "Country"),
    ("tier", "Tier"),
    ("contacts", "Contacts"),
    ("signals", "Signals"),
    ("latest_signal", "Latest signal"),
]


def _account_sort_headers(request, sort: str) -> list[dict]:
    """Each column's header: a link that sorts by it (the other way round when it is the current sort,
    keeping the filters and starting again at page 1) and its aria-sort."""
    key, descending = selectors.account_sort_parse(sort)
    headers = []
    for column, label in ACCOUNT_COLUMNS:
        query = request.GET.copy()
        query.pop("page", None)
        current = column == key
        query["sort"] = f"-{column}" if current and not descending else column
        headers.append(
            {
                "label": label,
                "url": "?" + query.urlencode(),
                "aria_sort": ("descending" if descending else "ascending") if current else "",
            }
        )
    return headers


@member_required(Role.REP)
def account_list(request):
    form = AccountFilterForm(request.GET or None, tiers=selectors.account_tiers(workspace=request.workspace))
    # cleaned_data keeps every field that validated: a tier that no longer exists drops only itself.
    form.is_valid()
    filters = getattr(form, "cleaned_data", {})
    key, descending = selectors.account_sort_parse(request.GET.get("sort", ""))
    sort = f"-{key}" if descending else key
    accounts = selectors.accounts_list(
        workspace=request.workspace, q=filters.get("q", ""), tier=filters.get("tier", ""), sort=sort
    )
    page = Paginator(accounts, 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "form": form,
        "page": page,
        "query": query.urlencode(),
        "headers": _account_sort_headers(request, sort),
        "sort": sort,
        "filtered": bool(filters.get("q") or filters.get("tier")),
        # Managers may add the ticked accounts' contacts to a static list.
        "static_lists": lists.static_lists(workspace=request.workspace)
        if request.membership.has_role(Role.MANAGER)
        else None,
    }
    template = "campaigns/account_list.html#accounts" if request.htmx else "campaigns/account_list.html"
    return render(request, template, context)


@member_required(Role.REP)
def account_detail(request, account_id: int):
    try:
        account = selectors.account_get(workspace=request.workspace, account_id=account_id)
    except Account.DoesNotExist:
        raise Http404 from None
    return render(request, "campaigns/account_detail.html", {"account": account})
