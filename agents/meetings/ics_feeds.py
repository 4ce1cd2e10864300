"""A person's calendar feed (ICS over HTTP) read into busy periods.

The fetch is bounded (timeout, size, http(s) only) and, unless SALESOPS_ICS_ALLOW_PRIVATE_HOSTS is
on, refuses addresses inside our network, redirects included: a feed URL is typed by a user and
fetched by the server. Parsing keeps what makes a person busy: opaque, non-cancelled events, with
weekly and other recurring events expanded inside the window.
"""

import ipaddress
import socket
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from dateutil.rrule import rrulestr
from django.conf import settings
from icalendar import Calendar

FETCH_TIMEOUT_SECONDS = 10
MAX_FEED_BYTES = 5 * 1024 * 1024
MAX_OCCURRENCES_PER_EVENT = 500


class FeedError(Exception):
    """The feed could not be fetched or read; the message is shown to its owner."""


@dataclass(frozen=True)
class BusyPeriod:
    start: datetime
    end: datetime
    summary: str


def normalise_feed_url(url: str) -> str:
    """http(s) URLs as they are; webcal:// (what calendar apps hand out) as https://."""
    url = url.strip()
    parts = urllib.parse.urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme == "webcal":
        parts = parts._replace(scheme="https")
    elif scheme not in ("http", "https"):
        raise FeedError("The calendar feed must be an http, https or webcal address.")
    if not parts.hostname:
        raise FeedError("The calendar feed address has no host.")
    return urllib.parse.urlunsplit(parts)


def _check_host(url: str) -> None:
    if getattr(settings, "SALESOPS_ICS_ALLOW_PRIVATE_HOSTS", False):
        return
    host = urllib.parse.urlsplit(url).hostname or ""
    try:
        addresses = {info[4][0] for info in socket.getaddrinfo(host, None)}
    except (socket.gaierror, UnicodeError):
        raise FeedError(f"The calendar feed's host {host} was not found.")
    for address in addresses:
        ip = ipaddress.ip_address(address.split("%")[0])
        if not ip.is_global:
            raise FeedError("The calendar feed must be on the public internet.")


class _CheckedRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, req, fp, code, msg, headers, newurl):
        try:
            _check_host(normalise_feed_url(newurl))
        except FeedError as error:
            raise urllib.error.URLError(str(error))
        return super().redirect_request(req, fp, code, msg, headers, newurl)


def fetch_feed(url: str, *, timeout: float = FETCH_TIMEOUT_SECONDS) -> bytes:
    url = normalise_feed_url(url)
    _check_host(url)
    opener = urllib.request.build_opener(_CheckedRedirects)
    headers = {"User-Agent": "salesops calendar import", "Accept": "text/calendar"}
    request = urllib.request.Request(url, headers=headers)  # noqa: S310 (http and https only: see normalise_feed_url)
    try:
        with opener.open(request, timeout=timeout) as response:
            data = response.read(MAX_FEED_BYTES + 1)
    except urllib.error.HTTPError as error:
        raise FeedError(f"The calendar feed answered HTTP {error.code}.")
    except (urllib.error.URLError, TimeoutError, OSError) as error:
        reason = getattr(error, "reason", error)
        raise FeedError(f"The calendar feed could not be fetched: {reason}.")
    if len(data) > MAX_FEED_BYTES:
        raise FeedError(f"The calendar feed is larger than {MAX_FEED_BYTES // (1024 * 1024)} MB.")
    return data


def _as_datetime(value: date | datetime, zone: ZoneInfo) -> datetime:
    """Dates are whole days in the person's zone; floating times are in the person's zone too."""
    if not isinstance(value, datetime):
        return datetime(value.year, value.month, value.day, tzinfo=zone)
    return value if value.tzinfo is not None else value.replace(tzinfo=zone)


def _values(component, name: str) -> list:
    """The dates of a property that may appear several times, each with several values (EXDATE)."""
    found = component.get(name)
    if found is None:
        return []
    items = found if isinstance(found, list) else [found]
    values = []
    for item in items:
        values.extend(getattr(entry, "dt", entry) for entry in getattr(item, "dts", [item]))
    return values


def _occurrences(event, start: datetime, duration: timedelta, zone: ZoneInfo, window: tuple[datetime, datetime]):
    rule = event.get("RRULE")
    if rule is None:
        return [start]
    rule = rule.copy()
    until = rule.get("UNTIL")
    if until:  # dateutil needs UNTIL in UTC once DTSTART has a zone
        rule["UNTIL"] = [_as_datetime(until[0], zone).astimezone(UTC)]
    excluded = {_as_datetime(value, zone) for value in _values(event, "EXDATE")}
    try:
        recurrence = rrulestr(rule.to_ical().decode(), dtstart=start)
    except (ValueError, TypeError):
        return [start]
    occurrences = []
    for occurrence in recurrence.xafter(window[0] - duration, count=MAX_OCCURRENCES_PER_EVENT, inc=True):
        if occurrence >= window[1]:
            break
        if occurrence not in excluded:
            occurrences.append(occurrence)
    return occurrences


def busy_periods(data: bytes, *, time_zone: str, window_start: datetime, window_end: datetime) -> list[BusyPeriod]:
    """The busy times of an ICS document that touch the window, sorted."""
    zone = ZoneInfo(time_zone)
    try:
        calendar = Calendar.from_ical(data)
    except (ValueError, IndexError, KeyError) as error:
        raise FeedError(f"The calendar feed is not a valid iCalendar file ({error}).")
    events = list(calendar.walk("VEVENT"))
    # A changed occurrence of a recurring event comes as its own VEVENT with a RECURRENCE-ID.
    moved = {
        (str(event.get("UID")), _as_datetime(event["RECURRENCE-ID"].dt, zone))
        for event in events
        if event.get("RECURRENCE-ID") is not None
    }
    periods = []
    for event in events:
        if str(event.get("STATUS", "")).upper() == "CANCELLED" or str(event.get("TRANSP", "")).upper() == "TRANSPARENT":
            continue
        if event.get("DTSTART") is None:
            continue
        raw_start = event["DTSTART"].dt
        start = _as_datetime(raw_start, zone)
        if event.get("DTEND") is not None:
            end = _as_datetime(event["DTEND"].dt, zone)
        elif event.get("DURATION") is not None:
            end = start + event["DURATION"].dt
        else:
            end = start + (timedelta(days=1) if not isinstance(raw_start, datetime) else timedelta(0))
        duration = end - start
        if duration <= timedelta(0):
            continue
        uid = str(event.get("UID"))
        is_override = event.get("RECURRENCE-ID") is not None
        for occurrence in _occurrences(event, start, duration, zone, (window_start, window_end)):
            if not is_override and event.get("RRULE") is not None and (uid, occurrence) in moved:
                continue
            occurrence_end = occurrence + duration
            if occurrence < window_end and occurrence_end > window_start:
                periods.append(
                    BusyPeriod(
                        start=occurrence.astimezone(UTC),
                        end=occurrence_end.astimezone(UTC),
                        summary=str(event.get("SUMMARY", ""))[:200],
                    )
                )
    return sorted(periods, key=lambda period: (period.start, period.end))
