"""Admins see what the agents did: runs, and each step's model, prompt, input, output, tokens and cost.
Managers see the planner's picks for a campaign and pin or exclude leads."""

from django.core.paginator import Paginator
from django.http import Http404, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from agents.models import AgentRun
from agents.outreach import selectors, services
from campaigns.models import Campaign, Contact
from salesops.access import member_required
from salesops.models import Role


@member_required(Role.ADMIN)
def run_list(request):
    outcome = request.GET.get("outcome", "")
    if outcome not in AgentRun.Outcome.values:
        outcome = ""
    runs = selectors.runs_list(workspace=request.workspace, outcome=outcome)
    page = Paginator(runs, 50).get_page(request.GET.get("page"))
    context = {"page": page, "outcome": outcome, "outcomes": AgentRun.Outcome.choices[1:]}
    return render(request, "outreach/run_list.html", context)


@member_required(Role.ADMIN)
def run_detail(request, run_id: int):
    try:
        run = selectors.run_get(workspace=request.workspace, run_id=run_id)
    except AgentRun.DoesNotExist:
        raise Http404 from None
    context = {
        "run": run,
        "steps": selectors.run_steps(run=run),
        "handoffs": selectors.run_handoffs(run=run),
    }
    return render(request, "outreach/run_detail.html", context)


@member_required(Role.ADMIN)
def contact_history(request, contact_id: int):
    try:
        contact = selectors.contact_get(workspace=request.workspace, contact_id=contact_id)
    except Contact.DoesNotExist:
        raise Http404 from None
    context = {
        "contact": contact,
        "runs": selectors.contact_runs(contact=contact),
        "messages": selectors.contact_messages(contact=contact),
    }
    return render(request, "outreach/contact_history.html", context)


def _get_campaign_for_manager(request, campaign_id: int) -> Campaign:
    try:
        return selectors.campaign_get(workspace=request.workspace, campaign_id=campaign_id)
    except Campaign.DoesNotExist:
        raise Http404 from None


@member_required(Role.MANAGER)
def campaign_picks(request, campaign_id: int):
    campaign = _get_campaign_for_manager(request, campaign_id)
    picks = selectors.campaign_picks(campaign=campaign, today=timezone.localdate())
    return render(request, "outreach/campaign_picks.html", {"campaign": campaign, "picks": picks})


@member_required(Role.MANAGER)
@require_POST
def lead_choice(request, campaign_id: int, contact_id: int):
    campaign = _get_campaign_for_manager(request, campaign_id)
    action = request.POST.get("action", "")
    if action not in ("pin", "exclude", "undo"):
        return HttpResponseBadRequest("Choose pin, exclude or undo.")
    try:
        contact = selectors.contact_get(workspace=request.workspace, contact_id=contact_id)
    except Contact.DoesNotExist:
        raise Http404 from None
    if action == "undo":
        services.lead_choice_undo(campaign=campaign, contact=contact, member=request.membership)
    else:
        services.lead_choice_set(campaign=campaign, contact=contact, choice=action, member=request.membership)
    if request.htmx:
        row = selectors.pick_row(campaign=campaign, contact=contact)
        return render(request, "outreach/campaign_picks.html#pick-row", {"campaign": campaign, "row": row})
    return redirect("planner:campaign_picks", campaign_id=campaign.pk)
