"""Admins see what the agents did: runs, and each step's model, prompt, input, output, tokens and cost."""

from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render

from agents.models import AgentRun
from agents.outreach import selectors
from campaigns.models import Contact
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
