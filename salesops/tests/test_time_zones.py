"""The recipient's time zone, one answer for delivery and meetings: the contact's own zone, else their
account's country's usual business zone (tzdata's zone table, a few multi-zone countries named), else the
workspace's; and which zone names are valid and offered in a list."""

from zoneinfo import ZoneInfo

import pytest

from salesops.time_zones import (
    RECIPIENT_ZONE_SOURCES,
    country_zone,
    is_valid_zone,
    recipient_zone,
    zone_choices,
    zone_names,
    zone_or_utc,
)

# The country map delivery kept by hand before tzdata's table replaced it: every country in it keeps its zone.
HAND_KEPT_COUNTRY_ZONES = {
    "AE": "Asia/Dubai",
    "AR": "America/Argentina/Buenos_Aires",
    "AT": "Europe/Vienna",
    "AU": "Australia/Sydney",
    "BE": "Europe/Brussels",
    "BG": "Europe/Sofia",
    "BR": "America/Sao_Paulo",
    "CA": "America/Toronto",
    "CH": "Europe/Zurich",
    "CL": "America/Santiago",
    "CN": "Asia/Shanghai",
    "CO": "America/Bogota",
    "CZ": "Europe/Prague",
    "DE": "Europe/Berlin",
    "DK": "Europe/Copenhagen",
    "EE": "Europe/Tallinn",
    "EG": "Africa/Cairo",
    "ES": "Europe/Madrid",
    "FI": "Europe/Helsinki",
    "FR": "Europe/Paris",
    "GB": "Europe/London",
    "GR": "Europe/Athens",
    "HK": "Asia/Hong_Kong",
    "HR": "Europe/Zagreb",
    "HU": "Europe/Budapest",
    "ID": "Asia/Jakarta",
    "IE": "Europe/Dublin",
    "IL": "Asia/Jerusalem",
    "IN": "Asia/Kolkata",
    "IS": "Atlantic/Reykjavik",
    "IT": "Europe/Rome",
    "JP": "Asia/Tokyo",
    "KE": "Africa/Nairobi",
    "KR": "Asia/Seoul",
    "LT": "Europe/Vilnius",
    "LU": "Europe/Luxembourg",
    "LV": "Europe/Riga",
    "MX": "America/Mexico_City",
    "MY": "Asia/Kuala_Lumpur",
    "NG": "Africa/Lagos",
    "NL": "Europe/Amsterdam",
    "NO": "Europe/Oslo",
    "NZ": "Pacific/Auckland",
    "PE": "America/Lima",
    "PH": "Asia/Manila",
    "PL": "Europe/Warsaw",
    "PT": "Europe/Lisbon",
    "RO": "Europe/Bucharest",
    "RS": "Europe/Belgrade",
    "SA": "Asia/Riyadh",
    "SE": "Europe/Stockholm",
    "SG": "Asia/Singapore",
    "SI": "Europe/Ljubljana",
    "SK": "Europe/Bratislava",
    "TH": "Asia/Bangkok",
    "TR": "Europe/Istanbul",
    "TW": "Asia/Taipei",
    "UA": "Europe/Kyiv",
    "US": "America/New_York",
    "VN": "Asia/Ho_Chi_Minh",
    "ZA": "Africa/Johannesburg",
}


@pytest.mark.parametrize("country,zone", sorted(HAND_KEPT_COUNTRY_ZONES.items()))
def test_every_country_of_the_hand_kept_map_keeps_its_zone(country, zone):
    assert country_zone(country) == zone


@pytest.mark.parametrize(
    "country,zone",
    [
        ("RU", "Europe/Moscow"),  # tzdata lists Europe/Kaliningrad first
        ("KZ", "Asia/Almaty"),
        ("CA", "America/Toronto"),  # tzdata lists America/St_Johns first
        ("BR", "America/Sao_Paulo"),  # tzdata lists America/Noronha first
        ("AU", "Australia/Sydney"),  # tzdata lists Australia/Lord_Howe first
        ("UA", "Europe/Kyiv"),  # tzdata lists Europe/Simferopol first
        ("UZ", "Asia/Tashkent"),  # tzdata lists Asia/Samarkand first (same offset; the capital is the name people know)
    ],
)
def test_a_country_spanning_several_zones_gets_the_zone_most_of_its_business_runs_on(country, zone):
    assert country_zone(country) == zone


def test_a_country_with_one_zone_gets_tzdatas_zone_for_it():
    assert country_zone("MA") == "Africa/Casablanca"
    assert country_zone("DK") == "Europe/Copenhagen"  # its own name, not the Europe/Berlin it shares clocks with


def test_a_country_code_is_read_in_any_case_and_with_spaces():
    assert country_zone("ru") == "Europe/Moscow"
    assert country_zone(" jp ") == "Asia/Tokyo"


@pytest.mark.parametrize("country", ["", None, "XX", "Germany", "DEU"])
def test_a_blank_or_unknown_country_has_no_zone(country):
    assert country_zone(country) is None


def test_the_contacts_own_zone_comes_first():
    found = recipient_zone(contact_time_zone="America/Los_Angeles", account_country="RU", workspace_time_zone="UTC")
    assert found == (ZoneInfo("America/Los_Angeles"), "contact")


@pytest.mark.parametrize("contact_zone", ["", None, "Not/AZone", " Europe/Paris", "europe/paris"])
def test_without_a_valid_zone_of_their_own_a_contact_gets_their_accounts_countrys(contact_zone):
    found = recipient_zone(contact_time_zone=contact_zone, account_country="KZ", workspace_time_zone="Europe/Lisbon")
    assert found == (ZoneInfo("Asia/Almaty"), "account_country")


@pytest.mark.parametrize("country", ["", None, "XX"])
def test_without_a_known_country_a_contact_gets_the_workspaces_zone(country):
    found = recipient_zone(contact_time_zone="", account_country=country, workspace_time_zone="Europe/Lisbon")
    assert found == (ZoneInfo("Europe/Lisbon"), "workspace")


def test_a_workspace_zone_that_is_not_a_zone_falls_back_to_utc():
    found = recipient_zone(contact_time_zone="", account_country="", workspace_time_zone="Mars/Olympus")
    assert found == (ZoneInfo("UTC"), "workspace")


def test_a_recipients_zone_unpacks_into_the_zone_and_where_it_came_from_in_words():
    zone, source = recipient_zone(contact_time_zone="", account_country="RU", workspace_time_zone="UTC")
    assert (zone.key, RECIPIENT_ZONE_SOURCES[source]) == ("Europe/Moscow", "account's country")


@pytest.mark.parametrize("name", ["UTC", "Europe/Berlin", "America/Argentina/Buenos_Aires", "Asia/Kolkata"])
def test_an_iana_name_is_a_valid_zone(name):
    assert is_valid_zone(name)


@pytest.mark.parametrize("name", ["", None, "Not/AZone", "europe/berlin", " Europe/Berlin", "Europe/Berlin ", "../etc"])
def test_a_blank_padded_miscased_or_made_up_name_is_not_a_zone(name):
    assert not is_valid_zone(name)


def test_zone_or_utc_gives_the_named_zone_else_utc():
    assert zone_or_utc("Asia/Tokyo") == ZoneInfo("Asia/Tokyo")
    assert zone_or_utc("") == ZoneInfo("UTC")
    assert zone_or_utc(None) == ZoneInfo("UTC")
    assert zone_or_utc("Not/AZone") == ZoneInfo("UTC")


def test_the_zone_list_offers_utc_first_then_region_city_names_without_legacy_aliases():
    names = zone_names()
    assert names[0] == "UTC" and list(names[1:]) == sorted(names[1:])
    assert {"Europe/Berlin", "America/New_York", "Asia/Almaty", "Europe/Moscow"} <= set(names)
    assert not [name for name in names if name.startswith(("Etc/", "US/", "posix/", "right/"))]
    assert all(is_valid_zone(name) for name in names)


def test_the_zone_choices_read_as_words():
    choices = dict(zone_choices())
    assert choices["America/New_York"] == "America/New York"
    assert choices["UTC"] == "UTC"
