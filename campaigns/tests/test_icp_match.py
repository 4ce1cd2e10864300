"""The ICP matcher: industries however a CRM spells them, sizes, countries, and personas by title or by
seniority and department, with missing data never excluding. Pure functions: no database."""

from types import SimpleNamespace

import pytest

from campaigns import icp_match
from campaigns.evaluation import scoring


def _matcher(**content):
    return icp_match.Matcher(icp_match.Criteria.of(SimpleNamespace(**content)))


@pytest.mark.parametrize(
    "industry, entry, expected",
    [
        ("LOGISTICS_AND_SUPPLY_CHAIN", "Logistics", True),  # HubSpot's enum label
        ("Transportation, Logistics, Supply Chain and Storage", "Logistics", True),  # LinkedIn's taxonomy
        ("logistics & supply chain", "Logistics and Supply Chain", True),  # & against and, case
        ("Hospitals", "Hospital", True),  # plural against singular
        ("Airlines/Aviation", "Travel & Logistics", True),  # an entry naming two industries matches either
        ("Investment Banking", "Banking", True),  # a narrower industry inside the entry
        ("Chemical Manufacturing", "Manufacturing", True),
        ("Truck Transportation", "Transportation", True),
        ("Transportation Equipment Manufacturing", "Transportation", False),  # equipment makers make things
        ("Professional Services", "Financial services", False),  # sharing the generic word only
        ("Technology", "Fintech", False),
        ("Health, Wellness and Fitness", "Hospitals & Health Care", False),
        ("Logistics Software", "Logistics", False),  # a software vendor to logistics companies
        ("", "Logistics", False),
    ],
)
def test_an_industry_matches_an_icp_entry_by_meaning_not_spelling(industry, entry, expected):
    assert icp_match.industry_matches(industry, entry) is expected


@pytest.mark.parametrize(
    "title, rank, departments",
    [
        ("SVP, Global Ops", icp_match.VP, {"operations"}),
        ("Sr. Dir. RevOps", icp_match.HEAD, {"revenue operations", "sales"}),
        ("Chief Financial Officer", icp_match.C_LEVEL, {"finance"}),
        ("CFO", icp_match.C_LEVEL, {"finance"}),
        ("Vertriebsleiter", icp_match.HEAD, {"sales"}),
        ("Geschäftsführerin", icp_match.C_LEVEL, {"general management"}),
        ("Teamleiter Einkauf", icp_match.MANAGER, {"supply chain"}),
        ("Vice President", icp_match.VP, set()),  # a rung, no department: unknown, not "other"
        ("Office Manager", icp_match.MANAGER, {"other"}),
        ("Account Executive", icp_match.ENTRY, {"sales"}),
    ],
)
def test_a_title_says_its_rung_and_department(title, rank, departments):
    role = icp_match.title_role(title)
    assert (role.rank, set(role.departments)) == (rank, departments)


SALES_LEADERS = {
    "persona_titles": ["VP Sales"],
    "persona_seniorities": ["VP", "Head", "Director"],
    "persona_departments": ["Sales"],
}


@pytest.mark.parametrize(
    "title, department, seniority, expected",
    [
        ("Vice President of Sales", "", "", True),  # the persona title spelt out
        ("EVP Sales", "", "", True),  # at the persona's rung or above
        ("Sales Director DACH", "", "", True),  # a director in sales: seniority and department
        ("", "Sales", "Head", True),  # no title: the fields decide
        ("Sales Development Representative", "Sales", "", False),  # right department, junior
        ("VP Engineering", "Engineering", "VP", False),  # senior, wrong department
        ("", "", "", None),  # nothing known: missing data never excludes
        ("Vice President", "", "", None),  # a rung, no department known
    ],
)
def test_a_person_matches_a_persona_by_title_or_by_seniority_and_department(title, department, seniority, expected):
    check = _matcher(**SALES_LEADERS).persona(title, department, seniority)
    assert check.outcome is expected


def test_without_seniorities_only_a_title_matches():
    matcher = _matcher(persona_titles=["Head of Finance"], persona_departments=["Finance"])
    assert matcher.persona("Head of Finance, EMEA").outcome is True
    assert matcher.persona("Finance Manager", "Finance").outcome is False


def test_the_first_criterion_that_fails_is_the_reason_and_missing_data_only_lowers_fit():
    matcher = _matcher(
        industries=["Logistics"],
        employee_min=200,
        countries=["DE"],
        excluded_domains=["rival.example"],
        **SALES_LEADERS,
    )
    assert matcher.evaluate(domain="eu.rival.example", industry="Software").excluded_by == icp_match.EXCLUDED_DOMAIN
    assert matcher.evaluate(industry="Software", employees=10, country="FR").excluded_by == icp_match.INDUSTRY
    assert matcher.evaluate(industry="Logistics", employees=10, country="FR").excluded_by == icp_match.SIZE
    full = matcher.evaluate(industry="Logistics", employees=300, country="DE", title="VP Sales")
    bare = matcher.evaluate()
    assert full.in_audience and bare.in_audience
    assert full.fit == 100 and 0 < bare.fit < full.fit
    assert full.fit_reasons == ("logistics", "300 staff", "DE", "VP Sales")
    assert (full.industry, full.size_band, full.persona) == ("logistics", "200-999", "vp sales")


def test_the_development_set_is_matched_as_labelled():
    """Reached honestly on the development set; the held-out set is only scored (manage.py eval_audience)."""
    result = scoring.score(scoring.DEV_SET)
    assert result.accuracy >= 0.95, result.misses
    assert result.recall >= 0.95 and result.precision >= 0.95
