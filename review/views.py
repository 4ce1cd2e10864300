"""The review inbox: one page (the list beside the open item), its partials for htmx, and one POST
view per decision. Every decision goes through the agents' services; a plain POST answers with a
redirect and a message, an htmx POST with the next item, the changed row and the counts."""

from uuid import uuid4

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import push_url

from agents import decisions
from agents.models import Handoff
from agents.team.verifier import blocking_kinds
from campaigns.models import Contact
from review import display, selectors
from review import thread as thread_reads
from review.forms import (
    SNOOZE_CHOICES,
    AssignForm,
    BulkForm,
    ComposeForm,
    DismissForm,
    EditForm,
    RegenerateForm,
    RejectForm,
    SnoozeForm,
    cursor_from,
    filters_from,
)
from review.selectors import Cursor, InboxFilters
from review.services import handoffs_bulk_decide
from salesops.access import member_required
from salesops.models import Role

TEMPLATE = "review/inbox.html"
DECIDED = {
    "approve": "Approved: the email is queued for sending.",
    "reject": "Rejected.",
    "regenerate": "The writer is drafting again with your instruction; the new draft comes back to the inbox.",
    "take_over": "You own this conversation now: agents will not touch it. Open the item to write or hand it back.",
    "dismiss": "Dismissed.",
}


# Helpers -----------------------------------------------------------------------------------------


def _get_handoff_for_member(request, handoff_id: int) -> Handoff:
    try:
        return selectors.inbox_item_get(membership=request.membership, handoff_id=handoff_id)
    except Handoff.DoesNotExist:
        raise Http404 from None


def _item_url(handoff_id: int | None, filters: InboxFilters) -> str:
    query = filters.querystring()
    url = reverse("review:item", args=[handoff_id]) if handoff_id else reverse("review:inbox")
    return f"{url}?{query}" if query else url


def _refusal(error) -> str:
    return " ".join(error.messages) if isinstance(error, ValidationError) else str(error)


def _base_context(request, filters: InboxFilters) -> dict:
    query = filters.querystring()
    return {
        "filters": filters,
        "fq": query,
        "q": f"?{query}" if query else "",
        "is_manager": selectors.is_manager(request.membership),
        "reject_reasons": Handoff.RejectReason.choices,
        "snooze_choices": SNOOZE_CHOICES,
    }


def _detail_context(request, handoff: Handoff | None, **extra) -> dict:
    """What the item partial shows (four to six queries, none per claim)."""
    if handoff is None:
        return {"handoff": None, **extra}
    membership = request.membership
    detail = selectors.inbox_item_detail(handoff=handoff)
    is_open = handoff.status != Handoff.Status.RESOLVED
    may_act = selectors.can_act(membership, handoff)
    actions = set(handoff.allowed_actions) | {"snooze", "assign"} if is_open and may_act else set()
    findings = extra.pop("findings", None)
    findings = detail.findings if findings is None else findings
    overrides = extra.pop("overrides", {})
    spans = [str(finding.get("span", "")) for finding in findings]
    draft = detail.draft
    owns_thread = detail.take_over is not None and detail.take_over.writable_by(membership)
    context = {
        "handoff": handoff,
        "detail": detail,
        "findings": findings,
        "actions": actions,
        "may_act": may_act,
        "is_open": is_open,
        "owns_thread": owns_thread,
        "send_now_ids": selectors.sendable_now_ids(membership=membership, messages=detail.thread),
        "highlighted_subject": display.highlight(str(draft.get("subject", "")), spans),
        "highlighted_body": display.highlight(str(draft.get("body", "")), spans),
        "highlighted_reply": display.highlight(detail.reply.get("text", ""), detail.reply.get("spans", [])),
        "highlighted_quoted": display.highlight(detail.reply.get("quoted", ""), detail.reply.get("spans", [])),
        "members": (
            selectors.workspace_members(membership=membership)
            if "assign" in actions and selectors.is_manager(membership)
            else []
        ),
    }
    if handoff.final_body:
        context["sent_subject_changed"] = handoff.final_subject != str(draft.get("subject", ""))
        context["draft_lines"], context["sent_lines"] = display.side_by_side(
            str(draft.get("body", "")), handoff.final_body
        )
    if owns_thread:
        context["compose_form"] = ComposeForm(
            initial={
                "subject": handoff.final_subject or draft.get("subject", ""),
                "body": handoff.final_body or draft.get("body", ""),
                "token": uuid4().hex,
            }
        )
    blocked = detail.blocked_edit
    if blocked is not None:
        blocked_spans = [str(finding.get("span", "")) for finding in blocked.findings]
        context |= {
            "blocked_edit": blocked,
            "blocked_by_you": blocked.by_id == request.user.pk,
            "highlighted_blocked_subject": display.highlight(blocked.subject, blocked_spans),
            "highlighted_blocked_body": display.highlight(blocked.body, blocked_spans),
        }
    if extra.get("editing"):
        # The editor starts from the person's blocked version when there is one, so they fix it rather
        # than write it again; the notes asked for are then those its findings need.
        start = {"subject": blocked.subject, "body": blocked.body} if blocked else draft
        form = extra.setdefault(
            "edit_form", EditForm(initial={"subject": start.get("subject", ""), "body": start.get("body", "")})
        )
        if form.is_bound and extra.get("verified"):
            context["edited_preview"] = display.highlight(str(form.data.get("body", "")), spans)
        editor_findings = findings
        if blocked and not extra.get("verified"):
            editor_findings, overrides = blocked.findings, {**blocked.overrides, **overrides}
        context["override_rows"] = [(kind, overrides.get(kind, "")) for kind in blocking_kinds(editor_findings)]
    return context | extra


def _render_page(request, filters: InboxFilters, *, handoff=None, status=200, **detail_extra):
    """The whole inbox (or, for htmx navigation, its list and item with the counts out of band).
    Without a chosen item, the first one of the page opens."""
    membership, now = request.membership, timezone.now()
    after = cursor_from(request.GET)
    page = selectors.inbox_page(membership=membership, filters=filters, now=now, after=after)
    context = _base_context(request, filters)
    query = context["fq"]
    context |= {
        "page": page,
        "next_page_url": (
            f"{reverse('review:inbox')}?{query}{'&' if query else ''}after={page.next_cursor.encode()}"
            if page.next_cursor
            else ""
        ),
        # Turning a page with htmx changes no count: the counts on screen stay (the poller refreshes them).
        "counts": None
        if request.htmx and after is not None
        else selectors.inbox_counts(membership=membership, filters=filters, now=now),
        "since": Cursor(tier=0, at=now, pk=0).encode(),
    }
    if handoff is None and page.items:
        handoff = selectors.inbox_item_get(membership=membership, handoff_id=page.items[0].pk)
    context |= _detail_context(request, handoff, **detail_extra)
    if request.htmx:
        return render(request, f"{TEMPLATE}#inbox-swap", context, status=status)
    context |= {
        "campaigns": selectors.campaign_choices(membership=membership),
        "workload": selectors.inbox_workload(membership=membership, now=now) if context["is_manager"] else [],
        "kind_choices": [("", "Every kind"), *Handoff.Kind.choices],
        "queues": selectors.QUEUES,
        "states": selectors.STATES,
        "bands": selectors.BANDS,
        "ages": selectors.AGES,
    }
    return render(request, TEMPLATE, context, status=status)


def _render_item(request, handoff: Handoff, filters: InboxFilters, *, status=200, **extra):
    """The open item: its partial for htmx, the whole inbox with it open otherwise."""
    if not request.htmx:
        return _render_page(request, filters, handoff=handoff, status=status, **extra)
    context = _base_context(request, filters) | _detail_context(request, handoff, **extra)
    return render(request, f"{TEMPLATE}#item-detail", context, status=status)


def _render_after(request, filters: InboxFilters, *, acted_id: int, open_id: int | None, **extra):
    """htmx answer to a decision: the item to open now, the acted-on row and the counts out of band."""
    membership = request.membership
    fresh = selectors.inbox_items_get(membership=membership, handoff_ids=[acted_id, *([open_id] if open_id else [])])
    acted, open_item = fresh[acted_id], fresh.get(open_id) if open_id else None
    context = _base_context(request, filters) | {
        "acted": acted,
        "counts": selectors.inbox_counts(membership=membership, filters=filters, now=timezone.now()),
    }
    context |= _detail_context(request, open_item, **extra)
    response = render(request, f"{TEMPLATE}#after-action", context)
    response["HX-Push-Url"] = _item_url(open_item.pk if open_item else None, filters)
    return response


def _after_decision(request, handoff: Handoff, filters: InboxFilters, message: str, *, advance=True):
    """Success: a plain POST is redirected to the next item; htmx gets it with the changed row and counts.
    `advance=False` (assign, hand back, write) keeps the same item open."""
    next_id = handoff.pk
    if advance:
        next_id = selectors.inbox_next_id(
            membership=request.membership, filters=filters, now=timezone.now(), after=handoff
        )
    messages.success(request, message)
    if not request.htmx:
        return redirect(_item_url(next_id, filters))
    return _render_after(request, filters, acted_id=handoff.pk, open_id=next_id)


def _refused(request, handoff: Handoff, filters: InboxFilters, error, **extra):
    """A decision the services refused (someone else was first, or the input was invalid): say why and
    keep the item open, refreshed (so a conflict shows who handled it)."""
    if isinstance(error, PermissionDenied) and not request.htmx:
        raise error  # a plain request gets the 403 page; htmx swaps the reason into the item instead
    text = _refusal(error)
    messages.error(request, text)
    if not request.htmx:
        if extra.get("editing"):
            return _render_item(request, handoff, filters, status=400, **extra)
        return redirect(_item_url(handoff.pk, filters))
    return _render_after(request, filters, acted_id=handoff.pk, open_id=handoff.pk, problem=text, **extra)


REFUSALS = (decisions.HandoffAlreadyHandled, ValidationError, PermissionDenied)


def _decide(request, handoff: Handoff, filters: InboxFilters, decide, message: str):
    try:
        decide()
    except REFUSALS as refusal:
        return _refused(request, handoff, filters, refusal)
    return _after_decision(request, handoff, filters, message)


# Pages -------------------------------------------------------------------------------------------


@member_required(Role.REP)
@require_GET
def inbox(request):
    filters = filters_from(request.GET)
    response = _render_page(request, filters)
    if request.htmx:
        # The address bar says what the list now shows, in the canonical form a link or a reload
        # reads back (defaults left out, no empty fields), whatever the form held when it was sent.
        after = cursor_from(request.GET)
        url = _item_url(None, filters)
        if after is not None:
            url += f"{'&' if '?' in url else '?'}after={after.encode()}"
        push_url(response, url)
    return response


@member_required(Role.REP)
@require_GET
def item(request, handoff_id: int):
    handoff = _get_handoff_for_member(request, handoff_id)
    return _render_item(request, handoff, filters_from(request.GET))


@member_required(Role.REP)
@require_GET
def poll(request):
    """New items since the last poll, prepended to the list, and fresh counts (htmx, every few seconds)."""
    filters, now = filters_from(request.GET), timezone.now()
    since = Cursor.decode(str(request.GET.get("since", ""))[:80])
    new_items = []
    if since is not None:
        new_items = selectors.inbox_new_since(membership=request.membership, filters=filters, now=now, since=since.at)
    if not request.htmx:
        return redirect(_item_url(None, filters))
    context = _base_context(request, filters) | {
        "new_items": new_items,
        "since": Cursor(tier=0, at=max([now, *[item.created_at for item in new_items]]), pk=0).encode(),
        "counts": selectors.inbox_counts(membership=request.membership, filters=filters, now=now),
    }
    return render(request, f"{TEMPLATE}#poll-response", context)


# Decisions ---------------------------------------------------------------------------------------


@member_required(Role.REP)
@require_POST
def approve(request, handoff_id: int):
    handoff, filters = _get_handoff_for_member(request, handoff_id), filters_from(request.GET)
    return _decide(
        request,
        handoff,
        filters,
        lambda: decisions.handoff_approve(handoff=handoff, actor=request.membership),
        DECIDED["approve"],
    )


@member_required(Role.REP)
@require_http_methods(["GET", "POST"])
def edit(request, handoff_id: int):
    """The editor; posting it verifies the edited email again and approves it when it passes (or when
    every blocking finding is overridden with a note)."""
    handoff, filters = _get_handoff_for_member(request, handoff_id), filters_from(request.GET)
    if request.method == "GET":
        return _render_item(request, handoff, filters, editing=True)
    form = EditForm(request.POST)
    if not form.is_valid():
        status = 200 if request.htmx else 400
        return _render_item(request, handoff, filters, status=status, editing=True, edit_form=form)
    overrides = form.overrides(request.POST)
    try:
        outcome = decisions.handoff_edit_approve(
            handoff=handoff,
            actor=request.membership,
            subject=form.cleaned_data["subject"],
            body=form.cleaned_data["body"],
            overrides=overrides,
        )
    except (decisions.HandoffAlreadyHandled, PermissionDenied) as refusal:
        return _refused(request, handoff, filters, refusal)
    except ValidationError as error:
        return _refused(request, handoff, filters, error, editing=True, edit_form=form)
    findings = [finding.model_dump() for finding in outcome.findings]
    if not outcome.approved:
        status = 200 if request.htmx else 400
        return _render_item(
            request,
            handoff,
            filters,
            status=status,
            editing=True,
            edit_form=form,
            findings=findings,
            verified=True,
            overrides=overrides,
        )
    text = "Edited and approved: the email is queued for sending."
    if findings:
        text += f" The verifier noted {len(findings)} finding(s); your override notes are in the audit log."
    return _after_decision(request, handoff, filters, text)


@member_required(Role.REP)
@require_POST
def reject(request, handoff_id: int):
    handoff, filters = _get_handoff_for_member(request, handoff_id), filters_from(request.GET)
    form = RejectForm(request.POST)
    if not form.is_valid():
        problem = (form.errors.get("note") or form.non_field_errors())[0]
        return _refused(request, handoff, filters, ValidationError(problem))
    return _decide(
        request,
        handoff,
        filters,
        lambda: decisions.handoff_reject(
            handoff=handoff,
            actor=request.membership,
            reason=form.cleaned_data["reason"],
            note=form.cleaned_data["note"],
        ),
        DECIDED["reject"],
    )


@member_required(Role.REP)
@require_POST
def regenerate(request, handoff_id: int):
    handoff, filters = _get_handoff_for_member(request, handoff_id), filters_from(request.GET)
    form = RegenerateForm(request.POST)
    if not form.is_valid():
        return _refused(request, handoff, filters, ValidationError("Tell the writer what to change."))
    return _decide(
        request,
        handoff,
        filters,
        lambda: decisions.handoff_regenerate(
            handoff=handoff, actor=request.membership, instruction=form.cleaned_data["instruction"]
        ),
        DECIDED["regenerate"],
    )


@member_required(Role.REP)
@require_POST
def take_over(request, handoff_id: int):
    handoff, filters = _get_handoff_for_member(request, handoff_id), filters_from(request.GET)
    return _decide(
        request,
        handoff,
        filters,
        lambda: decisions.handoff_take_over(handoff=handoff, actor=request.membership),
        DECIDED["take_over"],
    )


@member_required(Role.REP)
@require_POST
def dismiss(request, handoff_id: int):
    handoff, filters = _get_handoff_for_member(request, handoff_id), filters_from(request.GET)
    form = DismissForm(request.POST)
    if not form.is_valid():
        return _refused(request, handoff, filters, ValidationError("Say in a note why it can be dismissed."))
    return _decide(
        request,
        handoff,
        filters,
        lambda: decisions.handoff_dismiss(handoff=handoff, actor=request.membership, note=form.cleaned_data["note"]),
        DECIDED["dismiss"],
    )


@member_required(Role.REP)
@require_POST
def snooze(request, handoff_id: int):
    handoff, filters = _get_handoff_for_member(request, handoff_id), filters_from(request.GET)
    form = SnoozeForm(request.POST, time_zone=request.workspace.default_time_zone)
    if not form.is_valid() or "until_at" not in form.cleaned_data:
        return _refused(request, handoff, filters, ValidationError("Choose how long to snooze it."))
    until = form.cleaned_data["until_at"]
    local = timezone.localtime(until, form.zone)
    return _decide(
        request,
        handoff,
        filters,
        lambda: decisions.handoff_snooze(handoff=handoff, actor=request.membership, until=until),
        f"Snoozed until {local:%a %d %b, %H:%M} ({form.zone.key}).",
    )


@member_required(Role.REP)
@require_POST
def assign(request, handoff_id: int):
    handoff, filters = _get_handoff_for_member(request, handoff_id), filters_from(request.GET)
    form = AssignForm(request.POST)
    form.is_valid()
    assignee_id = form.assignee_id()
    try:
        decisions.handoff_assign(handoff=handoff, actor=request.membership, assignee_id=assignee_id)
    except REFUSALS as refusal:
        return _refused(request, handoff, filters, refusal)
    if assignee_id is None:
        text = "Unassigned: anyone may take it."
    elif assignee_id == request.user.pk:
        text = "Assigned to you."
    else:
        text = "Assigned."
    return _after_decision(request, handoff, filters, text, advance=False)


@member_required(Role.REP)
@require_POST
def hand_back(request, handoff_id: int):
    handoff, filters = _get_handoff_for_member(request, handoff_id), filters_from(request.GET)
    if handoff.contact is None:
        return _refused(request, handoff, filters, ValidationError("This item has no contact."))
    try:
        decisions.contact_hand_back(contact=handoff.contact, actor=request.membership)
    except REFUSALS as refusal:
        return _refused(request, handoff, filters, refusal)
    return _after_decision(request, handoff, filters, "Handed back: the agents continue the sequence.", advance=False)


@member_required(Role.REP)
@require_POST
def compose(request, handoff_id: int):
    """A person who took the conversation over writes to the contact."""
    handoff, filters = _get_handoff_for_member(request, handoff_id), filters_from(request.GET)
    form = ComposeForm(request.POST)
    if not form.is_valid():
        return _refused(request, handoff, filters, ValidationError("Write a subject and a message."))
    try:
        decisions.person_message_queue(
            handoff=handoff,
            actor=request.membership,
            subject=form.cleaned_data["subject"],
            body=form.cleaned_data["body"],
            token=form.cleaned_data["token"],
        )
    except REFUSALS as refusal:
        return _refused(request, handoff, filters, refusal)
    return _after_decision(request, handoff, filters, "Your email is queued for sending.", advance=False)


@member_required(Role.REP)
@require_POST
def bulk(request):
    """Approve or reject the ticked items, or every open item of the current filter."""
    filters, now = filters_from(request.GET), timezone.now()
    form = BulkForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose an action and what to apply it to.")
        return _bulk_done(request, filters)
    if form.cleaned_data["scope"] == "filter":
        ids = selectors.inbox_ids_in_filter(membership=request.membership, filters=filters, now=now)
    else:
        ids = form.selected_ids()
    if not ids:
        messages.error(request, "Tick the items to act on first, or choose every item in this filter.")
        return _bulk_done(request, filters)
    try:
        outcome = handoffs_bulk_decide(
            actor=request.membership,
            handoff_ids=ids,
            action=form.cleaned_data["action"],
            reason=form.cleaned_data["reason"],
            note=form.cleaned_data["note"],
        )
    except ValidationError as error:
        messages.error(request, _refusal(error))
        return _bulk_done(request, filters)
    (messages.success if outcome.done else messages.warning)(request, outcome.summary())
    return _bulk_done(request, filters)


def _bulk_done(request, filters: InboxFilters) -> HttpResponse:
    if not request.htmx:
        return redirect(_item_url(None, filters))
    response = _render_page(request, filters)
    response["HX-Push-Url"] = _item_url(None, filters)
    return response


@member_required(Role.REP)
def thread(request, contact_id: int):
    """One contact's whole conversation, with agent steps and human actions inline, and a composer for
    the person who took it over."""
    try:
        contact = Contact.objects.select_related("account").get(workspace=request.workspace, pk=contact_id)
    except Contact.DoesNotExist:
        raise Http404 from None
    take_over = thread_reads.take_over_of(contact=contact)
    handoff = thread_reads.latest_handoff(workspace=request.workspace, contact=contact)
    # The composer posts to the contact's latest inbox item, so there must be one.
    can_write = handoff is not None and take_over is not None and take_over.writable_by(request.membership)
    entries = thread_reads.contact_thread(workspace=request.workspace, contact=contact)
    context = {
        "contact": contact,
        "entries": entries,
        "send_now_ids": selectors.sendable_now_ids(
            membership=request.membership, messages=[entry.item for entry in entries if entry.kind == "sent"]
        ),
        "take_over": take_over,
        "handoff": handoff,
        "can_write": can_write,
        "compose_form": ComposeForm(initial={"token": uuid4().hex}) if can_write else None,
    }
    return render(request, "review/thread.html", context)
