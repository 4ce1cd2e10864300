"""The prospect's pages, reached by signed links and no login: book a slot, see the meeting,
reschedule it, cancel it. A forged or expired link gets a page saying so, never an error."""

import logging
from collections.abc import Callable
from datetime import datetime

from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache

from agents.meetings import links, selectors, services
from agents.meetings.invitations import CANCEL, REQUEST, meeting_calendar
from agents.meetings.models import Meeting
from agents.meetings.slots import WAKING_FROM, WAKING_UNTIL, at_a_waking_hour, parse_slot_key, slots_by_day
from salesops.time_zones import is_valid_zone, zone_choices

logger = logging.getLogger(__name__)


def _refuse(request, error: links.LinkInvalid):
    logger.info("Refused a meeting link: %s", error)
    response = render(
        request, "meetings/public/link_invalid.html", {"reason": str(error)}, status=410 if error.expired else 400
    )
    response["X-Robots-Tag"] = "noindex"
    return response


def _page(request, template: str, context: dict, status: int = 200):
    response = render(request, template, context, status=status)
    response["X-Robots-Tag"] = "noindex"
    return response


def _shown_zone(request, default: str) -> str:
    zone = request.POST.get("tz") or request.GET.get("tz") or ""
    return zone if is_valid_zone(zone) else default


def _zone_choices_with(zone: str) -> list[tuple[str, str]]:
    choices = zone_choices()
    return choices if any(value == zone for value, _ in choices) else [(zone, zone), *choices]


def _slot_page(request, *, heading, rep, zone, now, error="", status=200, meeting=None, **extra):
    slots = selectors.open_slots_for(rep=rep, time_zone=zone, now=now, exclude_meeting=meeting)
    # Times in the middle of the prospect's night only when asked for (or when there are no others).
    waking = [slot for slot in slots if at_a_waking_hour(slot)]
    show_all = (request.POST.get("all") or request.GET.get("all")) == "1" or not waking
    shown = slots if show_all else waking
    context = {
        "heading": heading,
        "rep_name": rep.user.get_full_name() or rep.user.email,
        "zone": zone,
        "zones": _zone_choices_with(zone),
        "days": slots_by_day(shown),
        "show_all": show_all,
        "hidden_count": len(slots) - len(shown),
        "waking_from": WAKING_FROM,
        "waking_until": WAKING_UNTIL,
        "error": error,
        "meeting": meeting,
        **extra,
    }
    return _page(request, "meetings/public/book.html", context, status=status)


def _take_picked_slot(request, take: Callable[[datetime], Meeting]) -> tuple[Meeting | None, str, int]:
    """Book (or move to) the slot the prospect picked; when that fails, the message and status to show."""
    start = parse_slot_key(request.POST.get("slot"))
    if start is None:
        return None, "Please pick one of the times below.", 400
    try:
        return take(start), "", 200
    except services.SlotTaken:
        return None, "Sorry, that time was just taken. Please pick another one.", 409
    except services.BookingRefused as refusal:
        return None, str(refusal), 409


@never_cache
def book(request, token: str):
    try:
        booking = links.booking_from_token(token)
    except links.LinkInvalid as error:
        return _refuse(request, error)
    now = timezone.now()
    existing = selectors.upcoming_meeting_of(contact=booking.contact, now=now)
    if existing is not None:
        return redirect(reverse("booking:meeting", args=[links.meeting_token(existing)]) + "?done=already")
    zone = _shown_zone(request, selectors.prospect_time_zone(contact=booking.contact)[0])
    error, status = "", 200
    if request.method == "POST":
        meeting, error, status = _take_picked_slot(
            request,
            lambda start: services.meeting_book(
                rep=booking.rep,
                contact=booking.contact,
                campaign=booking.campaign,
                start=start,
                time_zone=zone,
                actor=f"prospect:{booking.contact.email}",
                now=now,
            ),
        )
        if meeting is not None:
            return redirect(reverse("booking:meeting", args=[links.meeting_token(meeting)]) + "?done=booked")
    company = booking.workspace.name
    heading = f"Book a meeting with {booking.rep.user.get_full_name() or booking.rep.user.email} of {company}"
    return _slot_page(
        request,
        heading=heading,
        rep=booking.rep,
        zone=zone,
        now=now,
        error=error,
        status=status,
        contact=booking.contact,
        company_name=company,
    )


@never_cache
def meeting(request, token: str):
    try:
        found = links.meeting_from_token(token)
    except links.LinkInvalid as error:
        return _refuse(request, error)
    zone = _shown_zone(request, found.time_zone)
    context = {
        "meeting": found,
        "token": token,
        "zone": zone,
        "done": request.GET.get("done", ""),
        "changeable": found.status == Meeting.Status.BOOKED and found.start > timezone.now(),
        "rep_name": found.rep.get_full_name() or found.rep.email,
        "company_name": found.workspace.name,
    }
    return _page(request, "meetings/public/meeting.html", context)


@never_cache
def reschedule(request, token: str):
    try:
        found = links.meeting_from_token(token)
    except links.LinkInvalid as error:
        return _refuse(request, error)
    now = timezone.now()
    rep = selectors.meeting_rep(meeting=found)
    if rep is None or found.status != Meeting.Status.BOOKED or found.start <= now:
        return redirect("booking:meeting", token=token)
    zone = _shown_zone(request, found.time_zone)
    error, status = "", 200
    if request.method == "POST":
        moved, error, status = _take_picked_slot(
            request,
            lambda start: services.meeting_reschedule(
                meeting=found, start=start, actor=f"prospect:{found.contact.email}", now=now
            ),
        )
        if moved is not None:
            return redirect(reverse("booking:meeting", args=[token]) + "?done=rescheduled")
    rep_name = found.rep.get_full_name() or found.rep.email
    return _slot_page(
        request,
        heading=f"Move your meeting with {rep_name} of {found.workspace.name}",
        rep=rep,
        zone=zone,
        now=now,
        error=error,
        status=status,
        meeting=found,
        token=token,
        company_name=found.workspace.name,
    )


@never_cache
def cancel(request, token: str):
    try:
        found = links.meeting_from_token(token)
    except links.LinkInvalid as error:
        return _refuse(request, error)
    if request.method == "POST":
        try:
            services.meeting_cancel(meeting=found, actor=f"prospect:{found.contact.email}")
        except services.BookingRefused as refusal:
            context = {
                "meeting": found,
                "token": token,
                "error": str(refusal),
                "zone": found.time_zone,
                "company_name": found.workspace.name,
            }
            return _page(request, "meetings/public/cancel.html", context, status=409)
        return redirect(reverse("booking:meeting", args=[token]) + "?done=cancelled")
    if found.status != Meeting.Status.BOOKED:
        return redirect("booking:meeting", token=token)
    context = {"meeting": found, "token": token, "zone": found.time_zone, "company_name": found.workspace.name}
    return _page(request, "meetings/public/cancel.html", context)


@never_cache
def ics(request, token: str):
    """The meeting as a calendar file, for "add to my calendar"."""
    try:
        found = links.meeting_from_token(token)
    except links.LinkInvalid as error:
        return _refuse(request, error)
    method = CANCEL if found.status == Meeting.Status.CANCELLED else REQUEST
    response = HttpResponse(meeting_calendar(meeting=found, method=method), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="meeting.ics"'
    return response
