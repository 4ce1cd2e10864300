"""The rep's pages: Meetings (mark held, no-show, qualified) and My availability."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from agents.meetings import selectors, services
from agents.meetings.forms import AvailabilityForm, BusyBlockForm, MeetingMarkForm
from agents.meetings.ics_feeds import FeedError
from agents.meetings.models import BusyBlock, Meeting
from salesops.access import member_required
from salesops.audit import actor_label
from salesops.models import Role

# Meetings ---------------------------------------------------------------------------------------


def _get_meeting_for_member(request, meeting_id: int) -> Meeting:
    try:
        return selectors.meeting_for_member(membership=request.membership, meeting_id=meeting_id)
    except Meeting.DoesNotExist:
        raise Http404 from None


def _when(request) -> str:
    return "past" if request.GET.get("when", request.POST.get("when")) == "past" else "upcoming"


@member_required(Role.REP)
def meeting_list(request):
    when = _when(request)
    now = timezone.now()
    meetings = selectors.meetings_list(membership=request.membership, when=when, now=now)
    page = Paginator(meetings, 50).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "when": when,
        "now": now,
        "viewer_zone": selectors.availability_rules(membership=request.membership).time_zone,
        "sees_everyone": request.membership.has_role(Role.MANAGER),
    }
    return render(request, "meetings/meeting_list.html", context)


@require_POST
@member_required(Role.REP)
def meeting_mark(request, meeting_id: int):
    meeting = _get_meeting_for_member(request, meeting_id)
    form = MeetingMarkForm(request.POST)
    error = ""
    if form.is_valid():
        try:
            meeting = services.meeting_mark(
                actor=request.membership,
                meeting=meeting,
                status=form.cleaned_data["status"] or None,
                qualified=form.cleaned_data["qualified"],
            )
        except ValidationError as refusal:
            error = " ".join(refusal.messages)
    else:
        error = " ".join(message for messages_ in form.errors.values() for message in messages_)
    if request.htmx:
        context = {
            "meeting": meeting,
            "row_error": error,
            "now": timezone.now(),
            "when": _when(request),
            "viewer_zone": selectors.availability_rules(membership=request.membership).time_zone,
            "sees_everyone": request.membership.has_role(Role.MANAGER),
        }
        return render(request, "meetings/meeting_list.html#meeting-row", context, status=400 if error else 200)
    if error:
        messages.error(request, error)
    else:
        messages.success(request, f"Meeting with {meeting.contact.name} marked.")
    return redirect(reverse("meetings:meeting_list") + ("?when=past" if _when(request) == "past" else ""))


@require_POST
@member_required(Role.REP)
def meeting_cancel(request, meeting_id: int):
    meeting = _get_meeting_for_member(request, meeting_id)
    try:
        services.meeting_cancel(meeting=meeting, actor=actor_label(request.user), actor_user=request.user)
    except services.BookingRefused as refusal:
        messages.error(request, str(refusal))
    else:
        messages.success(request, f"Meeting with {meeting.contact.name} cancelled; both calendars are updated.")
    return redirect("meetings:meeting_list")


# My availability --------------------------------------------------------------------------------


def _availability_page(request, *, form=None, busy_form=None, status=200):
    availability = selectors.availability_get(membership=request.membership)
    rules = selectors.rules_from(availability=availability, membership=request.membership)
    now = timezone.now()
    context = {
        "availability": availability,
        "form": form
        or AvailabilityForm(
            initial=AvailabilityForm.initial_from(rules, availability.ics_feed_url if availability else "")
        ),
        "busy_form": busy_form or BusyBlockForm(time_zone=rules.time_zone),
        "busy_blocks": selectors.busy_blocks_upcoming(membership=request.membership, now=now),
        "zone": rules.time_zone,
        "next_slots": selectors.open_slots_for(rep=request.membership, time_zone=rules.time_zone, now=now)[:8],
    }
    return render(request, "meetings/availability.html", context, status=status)


@member_required(Role.REP)
def availability(request):
    if request.method != "POST":
        return _availability_page(request)
    form = AvailabilityForm(request.POST)
    if form.is_valid():
        try:
            services.availability_save(
                actor=request.membership,
                time_zone=form.cleaned_data["time_zone"],
                meeting_minutes=form.cleaned_data["meeting_minutes"],
                hours=form.cleaned_data["hours"],
                ics_feed_url=form.cleaned_data["ics_feed_url"],
            )
        except FeedError as error:
            form.add_error("ics_feed_url", str(error))
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, "Your availability is saved.")
            return redirect("meetings:availability")
    return _availability_page(request, form=form, status=400)


@require_POST
@member_required(Role.REP)
def busy_block_add(request):
    zone = selectors.availability_rules(membership=request.membership).time_zone
    busy_form = BusyBlockForm(request.POST, time_zone=zone)
    if busy_form.is_valid():
        try:
            services.busy_block_add(
                actor=request.membership,
                start=busy_form.cleaned_data["start"],
                end=busy_form.cleaned_data["end"],
                summary=busy_form.cleaned_data["summary"],
            )
        except ValidationError as error:
            busy_form.add_error(None, error)
        else:
            messages.success(request, "Busy time added.")
            return redirect("meetings:availability")
    return _availability_page(request, busy_form=busy_form, status=400)


@require_POST
@member_required(Role.REP)
def busy_block_delete(request, block_id: int):
    try:
        block = selectors.busy_block_for_member(membership=request.membership, block_id=block_id)
    except BusyBlock.DoesNotExist:
        raise Http404 from None
    services.busy_block_remove(actor=request.membership, block=block)
    messages.success(request, "Busy time removed.")
    return redirect("meetings:availability")


@require_POST
@member_required(Role.REP)
def ics_import(request):
    availability = selectors.availability_get(membership=request.membership)
    if availability is None or not availability.ics_feed_url:
        messages.error(request, "Save a calendar feed address first.")
        return redirect("meetings:availability")
    try:
        count = services.ics_feed_import(availability=availability, actor_user=request.user)
    except FeedError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, f"Imported {count} busy times from your calendar.")
    return redirect("meetings:availability")
