"""Dashboards (every member), the policy dry-run (managers) and the audit timeline (admins)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from agents.insights import charts, dryrun, plans, selectors, services, timeline
from agents.insights.forms import PolicyDryRunForm, TimelineFilterForm
from agents.models import AgentStep
from agents.outreach.enrolments import contact_block_lift
from campaigns.models import Campaign, Contact, ContactBlock
from salesops.access import member_required
from salesops.models import AuditEvent, Role


def _get_campaign_for_member(request, campaign_id: int) -> Campaign:
    try:
        return selectors.campaign_get(workspace=request.workspace, campaign_id=campaign_id)
    except Campaign.DoesNotExist:
        raise Http404 from None


@member_required(Role.REP)
def overview(request):
    overview = selectors.workspace_overview(workspace=request.workspace)
    context = {
        "membership": request.membership,
        "summaries": overview.summaries,
        "overview": overview,
        "burnup_charts": [
            (
                summary,
                charts.burnup(
                    points=summary.goal.points,
                    start=summary.goal.start,
                    end=summary.goal.end,
                    target=summary.goal.target,
                    forecast=summary.goal.forecast,
                    title=f"{summary.campaign.name}: qualified meetings against the target",
                    key=f"burnup-{summary.campaign.pk}",
                ),
            )
            for summary in overview.burnups
        ],
        "activity_chart": charts.daily_series(
            title=f"Emails sent and replies a day, last {len(overview.activity.days)} days",
            days=overview.activity.days,
            series=[("sent", "actual", overview.activity.sent), ("replies", "target", overview.activity.replies)],
        ),
        "inbox_age_chart": charts.bars(
            title="Open inbox items by age", rows=overview.inbox_age, value_format="{:,.0f}"
        ),
    }
    return render(request, "insights/overview.html", context)


@member_required(Role.REP)
def campaign_dashboard(request, campaign_id: int):
    campaign = _get_campaign_for_member(request, campaign_id)
    services.draft_edits_refresh(campaign=campaign)
    dashboard = selectors.campaign_dashboard(campaign=campaign)
    goal = dashboard.goal
    context = {
        "campaign": campaign,
        "dashboard": dashboard,
        "burnup_chart": charts.burnup(
            points=goal.points, start=goal.start, end=goal.end, target=goal.target, forecast=goal.forecast
        )
        if goal.start and goal.end and goal.end > goal.start
        else None,
        "funnel_chart": charts.bars(
            title="Funnel", rows=[(stage.label, stage.count) for stage in dashboard.funnel], value_format="{:,.0f}"
        ),
        "edit_chart": charts.weekly_rate(
            title="Share of reviewed drafts edited, by week",
            weeks=[(week["week"], week["edit_rate"]) for week in dashboard.quality["weeks"]],
        ),
        "cost_chart": charts.bars(
            title="Model cost by agent and model (USD)",
            rows=[(f"{row['agent']} · {row['model']}", float(row["cost"] or 0)) for row in dashboard.cost["rows"]],
            value_format="${:,.4f}",
        ),
    }
    return render(request, "insights/campaign_dashboard.html", context)


@member_required(Role.REP)
def campaign_plan(request, campaign_id: int):
    """Today's plan: a partial the campaign page loads (campaigns cannot read the planner), or a page."""
    campaign = _get_campaign_for_member(request, campaign_id)
    context = {"campaign": campaign, "today_plan": plans.campaign_plan_today(campaign=campaign)}
    template = "insights/campaign_plan.html#plan" if request.htmx else "insights/campaign_plan.html"
    return render(request, template, context)


@member_required(Role.MANAGER)
@require_http_methods(["GET", "POST"])
def policy_dry_run(request, campaign_id: int):
    campaign = _get_campaign_for_member(request, campaign_id)
    result = None
    if request.method == "POST":
        form = PolicyDryRunForm(request.POST)
        if form.is_valid():
            result = dryrun.policy_dry_run(campaign=campaign, proposal=form.proposal())
    else:
        form = PolicyDryRunForm.for_campaign(campaign)
    context = {"campaign": campaign, "form": form, "result": result}
    template = "insights/policy_dry_run.html#preview" if request.htmx else "insights/policy_dry_run.html"
    return render(request, template, context, status=400 if form.is_bound and not form.is_valid() else 200)


def _timeline_form(request) -> TimelineFilterForm:
    return TimelineFilterForm(request.GET or None, workspace=request.workspace)


@member_required(Role.ADMIN)
def timeline_view(request):
    form = _timeline_form(request)
    cursor = timeline.Cursor.decode(request.GET.get("after", "")) if request.GET.get("after") else None
    entries, next_cursor = timeline.timeline_page(workspace=request.workspace, filters=form.filters(), cursor=cursor)
    query = request.GET.copy()
    query.pop("after", None)
    context = {
        "form": form,
        "entries": entries,
        "next_cursor": next_cursor.encode() if next_cursor else "",
        "query": query.urlencode(),
        "first_page": cursor is None,
    }
    template = "insights/timeline.html#entries" if request.htmx else "insights/timeline.html"
    return render(request, template, context)


def _export(request, lines, content_type: str, extension: str):
    form = _timeline_form(request)
    entries = timeline.timeline_iter(workspace=request.workspace, filters=form.filters())
    response = StreamingHttpResponse(lines(entries), content_type=content_type)
    stamp = timezone.now().strftime("%Y%m%d-%H%M%S")
    response["Content-Disposition"] = f'attachment; filename="audit-timeline-{stamp}.{extension}"'
    return response


@member_required(Role.ADMIN)
def timeline_export_csv(request):
    return _export(request, timeline.csv_lines, "text/csv; charset=utf-8", "csv")


@member_required(Role.ADMIN)
def timeline_export_jsonl(request):
    return _export(request, timeline.jsonl_lines, "application/x-ndjson", "jsonl")


@member_required(Role.ADMIN)
def step_detail(request, step_id: int):
    try:
        step = timeline.step_get(workspace=request.workspace, step_id=step_id)
    except AgentStep.DoesNotExist:
        raise Http404 from None
    template = "insights/step_detail.html#detail" if request.htmx else "insights/step_detail.html"
    return render(request, template, {"step": step})


@member_required(Role.ADMIN)
def event_detail(request, event_id: int):
    try:
        event = timeline.event_get(workspace=request.workspace, event_id=event_id)
    except AuditEvent.DoesNotExist:
        raise Http404 from None
    context = {"event": event, "diff": timeline.event_diff(event)}
    template = "insights/event_detail.html#detail" if request.htmx else "insights/event_detail.html"
    return render(request, template, context)


CONTACT_HISTORY_SHOWN = 20


@member_required(Role.REP)
def contact_detail(request, contact_id: int):
    """A person's page: profile, consent, signals, campaigns, the conversation and what was done about them."""
    try:
        contact = selectors.contact_get(workspace=request.workspace, contact_id=contact_id)
    except Contact.DoesNotExist:
        raise Http404 from None
    history, more_history = timeline.timeline_page(
        workspace=request.workspace, filters=timeline.Filters(contact_id=contact.pk), limit=CONTACT_HISTORY_SHOWN
    )
    context = {
        "contact": contact,
        "page": selectors.contact_page(contact=contact),
        "history": history,
        "more_history": more_history is not None,
        "is_admin": request.membership.has_role(Role.ADMIN),
        "may_lift_blocks": request.membership.has_role(Role.MANAGER),
    }
    return render(request, "insights/contact_detail.html", context)


@member_required(Role.MANAGER)
@require_POST
def contact_block_lift_view(request, contact_id: int, block_id: int):
    """A manager lifts a "do not contact" or "off-target" block; the page says what changed."""
    try:
        block = ContactBlock.objects.get(workspace=request.workspace, contact_id=contact_id, pk=block_id)
    except ContactBlock.DoesNotExist:
        raise Http404 from None
    try:
        contact_block_lift(block=block, actor=request.membership)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"Block lifted: campaigns may pick this person again ({block.get_reason_display()}).")
    return redirect("insights:contact_detail", contact_id)


@member_required(Role.ADMIN)
def contact_history(request, contact_id: int):
    try:
        contact = timeline.contact_get(workspace=request.workspace, contact_id=contact_id)
    except Contact.DoesNotExist:
        raise Http404 from None
    cursor = timeline.Cursor.decode(request.GET.get("after", "")) if request.GET.get("after") else None
    entries, next_cursor = timeline.timeline_page(
        workspace=request.workspace, filters=timeline.Filters(contact_id=contact.pk), cursor=cursor
    )
    context = {
        "contact": contact,
        "entries": entries,
        "next_cursor": next_cursor.encode() if next_cursor else "",
        "query": "",
        "first_page": cursor is None,
    }
    return render(request, "insights/contact_history.html", context)
