"""Time zones: which names are valid, which to offer in a list, a country's usual business zone, and the
zone a recipient lives in (the contact's own, else their account's country's, else the workspace's).

Delivery sends in the recipient's business hours and meetings offer slots in the recipient's day, so both
ask `recipient_zone` and a contact is never emailed in one zone and offered times in another.
"""

import functools
from importlib import resources
from typing import NamedTuple
from zoneinfo import ZoneInfo, available_timezones

# Countries spanning several zones: the zone most of their business runs on. Every other country takes
# the first zone tzdata lists for it, which for a one-zone country is its only one.
COUNTRY_MAIN_ZONE = {
    "AR": "America/Argentina/Buenos_Aires",
    "AU": "Australia/Sydney",
    "BR": "America/Sao_Paulo",
    "CA": "America/Toronto",
    "CD": "Africa/Kinshasa",
    "CL": "America/Santiago",
    "CN": "Asia/Shanghai",
    "DE": "Europe/Berlin",
    "ES": "Europe/Madrid",
    "ID": "Asia/Jakarta",
    "KZ": "Asia/Almaty",
    "MX": "America/Mexico_City",
    "MN": "Asia/Ulaanbaatar",
    "MY": "Asia/Kuala_Lumpur",
    "NZ": "Pacific/Auckland",
    "PT": "Europe/Lisbon",
    "RU": "Europe/Moscow",
    "UA": "Europe/Kyiv",
    "US": "America/New_York",
    "UZ": "Asia/Tashkent",
}
# Names kept for old software or odd clocks (US/Eastern, Etc/GMT+5, right/ with leap seconds): not names a
# person picks.
_LEGACY_PREFIXES = ("Etc/", "SystemV/", "US/", "posix/", "right/", "Canada/", "Mexico/", "Brazil/", "Chile/")


# Where a recipient's zone came from, in words for a decision a person reads.
RECIPIENT_ZONE_SOURCES = {
    "contact": "contact's time zone",
    "account_country": "account's country",
    "workspace": "workspace default",
}


class RecipientZone(NamedTuple):
    zone: ZoneInfo
    source: str  # a key of RECIPIENT_ZONE_SOURCES


@functools.cache
def _known_zones() -> frozenset[str]:
    return frozenset(available_timezones())


def is_valid_zone(name: str | None) -> bool:
    """Whether `name` is an IANA time zone tzdata knows, written exactly (no padding, right case)."""
    return bool(name) and name in _known_zones()


def zone_or_utc(name: str | None) -> ZoneInfo:
    """The zone of that name, else UTC: a stored name that is blank or unknown must not stop a send or a page."""
    return ZoneInfo(name) if is_valid_zone(name) else ZoneInfo("UTC")


@functools.cache
def zone_names() -> tuple[str, ...]:
    """The zones a person picks from: region/city names, plus UTC."""
    names = {name for name in _known_zones() if "/" in name and not name.startswith(_LEGACY_PREFIXES)}
    return ("UTC", *sorted(names))


def zone_choices() -> list[tuple[str, str]]:
    return [(name, name.replace("_", " ")) for name in zone_names()]


@functools.cache
def _first_zone_by_country() -> dict[str, str]:
    # zone.tab rather than zone1970.tab: zone1970.tab files countries whose clocks have agreed since 1970
    # under one zone named after the most populous city (Denmark, Norway and Sweden under Europe/Berlin;
    # the Netherlands and Luxembourg under Europe/Brussels), so a Danish contact's email would say
    # "Europe/Berlin". zone.tab has one row per country and zone with the country's own name for it
    # (Europe/Copenhagen), a country's most populous zone first where geography allows (it does not for
    # Russia, whose first row is Europe/Kaliningrad: hence COUNTRY_MAIN_ZONE).
    first: dict[str, str] = {}
    text = resources.files("tzdata.zoneinfo").joinpath("zone.tab").read_text(encoding="utf-8")
    for line in text.splitlines():
        if line.startswith("#") or not line.strip():
            continue
        columns = line.split("\t")
        if len(columns) >= 3:
            first.setdefault(columns[0].upper(), columns[2])
    return first


def country_zone(country: str | None) -> str | None:
    """The usual business time zone of an ISO 3166 alpha-2 country code, or None when unknown."""
    code = (country or "").strip().upper()
    if not code:
        return None
    zone = COUNTRY_MAIN_ZONE.get(code) or _first_zone_by_country().get(code)
    return zone if is_valid_zone(zone) else None


def recipient_zone(
    *, contact_time_zone: str | None, account_country: str | None, workspace_time_zone: str | None
) -> RecipientZone:
    """The zone a recipient lives in: the contact's own when valid, else their account's country's, else the
    workspace's default (UTC when even that is not a zone). Plain values, so a caller reading rows with
    `values()` and one holding a contact ask the same question."""
    if is_valid_zone(contact_time_zone):
        return RecipientZone(ZoneInfo(contact_time_zone), "contact")
    if zone := country_zone(account_country):
        return RecipientZone(ZoneInfo(zone), "account_country")
    return RecipientZone(zone_or_utc(workspace_time_zone), "workspace")
