"""The goal's verdict, decided in one place from the planner's own figures (agents.outreach.planning).

Every period below runs from Monday 5 January to Friday 30 January 2026: 20 business days. With no meeting
contacted yet the planner assumes 3% meetings per lead."""

from datetime import date, timedelta

import pytest

from agents.outreach.planning import GoalFacts, plan_from_facts

START, END = date(2026, 1, 5), date(2026, 1, 30)


def _facts(**overrides) -> GoalFacts:
    facts = {
        "target": 10,
        "start": START,
        "end": END,
        "daily_new_lead_limit": 30,
        "qualified": 0,
        "leads_contacted": 0,
        "mailbox_capacity": None,
    }
    return GoalFacts(**{**facts, **overrides})


def _verdict(today: date, **facts):
    return plan_from_facts(facts=_facts(**facts), today=today).verdict


def test_on_the_first_day_a_reachable_goal_is_on_track_not_not_started():
    verdict = _verdict(START)
    # 10 meetings / 3% / 20 business days = 17 new leads a day, under the limit of 30.
    assert verdict.key == "on_track"
    assert verdict.reason == (
        "10 meetings to go in 20 business days at 3.0% meetings per lead (default): 17 new leads a day, "
        "within the limit of 30."
    )
    assert verdict.forecast is None  # no pace on the first day


def test_on_the_first_day_a_goal_beyond_the_limits_is_off_track():
    verdict = _verdict(START, target=50)
    assert verdict.key == "off_track"
    assert verdict.reason == (
        "50 meetings to go in 20 business days at 3.0% meetings per lead (default) needs 84 new leads a day, "
        "but the campaign's limit is 30."
    )


def test_what_the_mailboxes_carry_is_a_limit_too():
    verdict = _verdict(START, mailbox_capacity=11)
    assert verdict.key == "off_track"
    assert verdict.reason.endswith("needs 17 new leads a day, but its mailboxes carry 11.")


def test_before_the_start_day_it_is_not_started():
    verdict = _verdict(START - timedelta(days=3))
    assert verdict.key == "not_started"
    assert verdict.reason.startswith("The goal period starts on 5 Jan 2026: 10 meetings to go in 20 business days")
    assert "17 new leads a day, within the 30 allowed" in verdict.reason


def test_before_the_start_day_a_goal_beyond_the_limits_is_already_off_track():
    assert _verdict(START - timedelta(days=3), target=50).key == "off_track"


def test_it_is_reached_once_the_qualified_meetings_meet_the_target_even_after_the_end():
    for today in (START + timedelta(days=8), END + timedelta(days=10)):
        verdict = _verdict(today, qualified=10)
        assert verdict.key == "reached"
        assert verdict.reason == "10 of 10 qualified meetings: the goal is reached."


def test_it_is_over_when_the_period_ended_short():
    verdict = _verdict(END + timedelta(days=1), qualified=4)
    assert verdict.key == "over"
    assert verdict.reason == "The goal period ended on 30 Jan 2026 with 4 of 10 qualified meetings."


def test_it_is_over_when_only_a_weekend_is_left():
    verdict = _verdict(date(2026, 1, 31), end=date(2026, 2, 1), qualified=4)  # Saturday, the period ends Sunday
    assert verdict.key == "over"
    assert "no business days left" in verdict.reason


def test_needing_more_than_80_percent_of_what_is_allowed_is_at_risk():
    verdict = _verdict(START, daily_new_lead_limit=20)
    assert verdict.key == "at_risk"
    assert verdict.reason.endswith("needs 17 new leads a day, 85% of the 20 allowed: little room for a slow day.")
    assert _verdict(START, daily_new_lead_limit=22).key == "on_track"  # 77%


def test_the_pace_is_read_after_ten_business_days_when_they_are_a_third_of_the_period():
    friday, monday = date(2026, 1, 16), date(2026, 1, 19)
    assert _verdict(friday, daily_new_lead_limit=100).key == "on_track"  # 9 business days behind it: no pace yet
    verdict = _verdict(monday, daily_new_lead_limit=100)
    assert verdict.key == "at_risk"
    assert verdict.forecast == 0
    assert verdict.reason == (
        "No qualified meeting yet after 10 business days; the plan needs 34 new leads a day for the remaining "
        "10 business days."
    )


def test_in_a_longer_period_the_pace_waits_for_a_third_of_it():
    # 40 business days: a third is 14, so ten days behind are not yet enough.
    long_end = START + timedelta(weeks=8) - timedelta(days=3)
    assert _verdict(date(2026, 1, 19), end=long_end, daily_new_lead_limit=100).key == "on_track"
    assert _verdict(date(2026, 1, 23), end=long_end, daily_new_lead_limit=100).key == "at_risk"


def test_a_pace_short_of_the_target_is_at_risk_though_the_plan_fits_the_limits():
    verdict = _verdict(date(2026, 1, 19), qualified=2, daily_new_lead_limit=100)
    # 2 meetings in 10 business days: 1.0 a week, 4 by the end.
    assert (verdict.key, verdict.forecast) == ("at_risk", 4)
    assert verdict.reason.startswith("At 1.0 qualified meetings a week the forecast is 4 of 10 by 30 Jan 2026; ")


def test_a_pace_that_reaches_the_target_is_on_track_and_says_its_forecast():
    verdict = _verdict(date(2026, 1, 19), qualified=6)
    assert (verdict.key, verdict.forecast) == ("on_track", 12)
    assert verdict.reason.endswith(
        "within the limit of 30; at 3.0 qualified meetings a week the forecast is 12 of 10 by 30 Jan 2026."
    )


def test_observed_conversion_replaces_the_default_after_50_leads():
    plan = plan_from_facts(facts=_facts(qualified=2, leads_contacted=200), today=date(2026, 1, 19))
    # 1% meetings per lead: 8 meetings in 10 business days need 80 new leads a day.
    assert (plan.conversion_source, plan.leads_needed_per_day, plan.verdict.key) == ("observed", 80, "off_track")


@pytest.mark.parametrize("missing", [{"target": 0}, {"start": None}, {"end": None}])
def test_without_a_target_and_a_period_there_is_no_goal(missing):
    verdict = _verdict(START, **missing)
    assert verdict.key == "no_goal"
    assert verdict.label == "No goal set"
