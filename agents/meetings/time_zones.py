"""Time zone names: which are valid, which to offer in a list, and a country's usual zone."""

import functools
from importlib import resources
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

# Countries spanning several zones: the zone most of their business happens in. Others take the
# first zone tzdata lists for them (zone.tab), which for one-zone countries is the only one.
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
}
_LEGACY_PREFIXES = ("Etc/", "SystemV/", "US/", "posix/", "right/", "Canada/", "Mexico/", "Brazil/", "Chile/")


def is_valid_zone(name: str | None) -> bool:
    if not name or name != name.strip():
        return False
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


@functools.cache
def zone_names() -> tuple[str, ...]:
    """The zones a person picks from: region/city names, plus UTC."""
    names = {name for name in available_timezones() if "/" in name and not name.startswith(_LEGACY_PREFIXES)}
    return ("UTC", *sorted(names))


def zone_choices() -> list[tuple[str, str]]:
    return [(name, name.replace("_", " ")) for name in zone_names()]


@functools.cache
def _zones_by_country() -> dict[str, str]:
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
    """The usual time zone of an ISO 3166 alpha-2 country code, or None when unknown."""
    code = (country or "").strip().upper()
    if not code:
        return None
    zone = COUNTRY_MAIN_ZONE.get(code) or _zones_by_country().get(code)
    return zone if is_valid_zone(zone) else None
