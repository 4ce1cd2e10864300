"""The campaign page's plan, the campaign dashboard and the overview show one verdict for a campaign on a
day, the one the planner escalates on."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from agents.meetings.tests.factories import make_meeting
from agents.models import Handoff
from agents.outreach.planning import campaign_plan_day
from campaigns.models import Campaign
from campaigns.tests.factories import make_campaign

pytestmark = pytest.mark.django_db


def _campaign(personas, *, starts_in_days: int = 0, **fields) -> Campaign:
    today = timezone.localdate()
    start = today + timedelta(days=starts_in_days)
    return make_campaign(
        workspace=personas.workspace,
        goal_start=start,
        goal_end=start + timedelta(days=27),  # 20 business days, whatever the weekday
        status=Campaign.Status.ACTIVE,
        **fields,
    )


def _verdicts(personas, campaign) -> dict[str, tuple[str, str]]:
    """(verdict key, sentence) as each page shows it."""
    client = personas.client_for(personas.manager)
    plan = client.get(reverse("insights:campaign_plan", args=[campaign.pk]), headers={"HX-Request": "true"})
    dashboard = client.get(reverse("insights:campaign_dashboard", args=[campaign.pk]))
    overview = client.get(reverse("insights:overview"))
    [summary] = [s for s in overview.context["summaries"] if s.campaign == campaign]
    shown = {
        "plan": (plan.context["today_plan"].verdict.key, plan.context["today_plan"].verdict.reason),
        "dashboard": (
            dashboard.context["dashboard"].goal.verdict.key,
            dashboard.context["dashboard"].goal.verdict.reason,
        ),
        "overview": (summary.goal.verdict.key, summary.goal.verdict.reason),
    }
    # And the pages say it in their markup, not only in their context.
    key, reason = shown["plan"]
    assert re.search(rf'<p class="verdict verdict-{key}" id="plan-verdict">', plan.text)
    assert re.search(rf'<p class="verdict verdict-{key}" id="goal-verdict">', dashboard.text)
    assert f'<span class="verdict verdict-{key}">' in overview.text
    for page in (plan, dashboard, overview):
        assert escape(reason) in page.text
    return shown


def test_on_its_first_day_a_goal_beyond_the_limits_is_off_track_everywhere_and_escalated(personas):
    campaign = _campaign(personas, goal_target=50, daily_new_lead_limit=10)
    plan = campaign_plan_day(campaign=campaign)
    shown = _verdicts(personas, campaign)
    assert {key for key, _ in shown.values()} == {"off_track"} and plan.verdict == "off_track"
    assert len({reason for _, reason in shown.values()}) == 1
    escalation = Handoff.objects.get(campaign=campaign, kind=Handoff.Kind.ESCALATION)
    assert shown["dashboard"][1] in escalation.reason
    assert "not started" not in escalation.reason


def test_on_its_first_day_a_reachable_goal_is_on_track_everywhere_and_nobody_is_asked(personas):
    campaign = _campaign(personas, goal_target=2, daily_new_lead_limit=30)
    assert campaign_plan_day(campaign=campaign).verdict == "on_track"
    shown = _verdicts(personas, campaign)
    assert {key for key, _ in shown.values()} == {"on_track"}
    assert not any("not started" in reason for _, reason in shown.values())
    assert not Handoff.objects.filter(campaign=campaign, kind=Handoff.Kind.ESCALATION).exists()


def test_before_its_start_day_every_page_says_not_started(personas):
    campaign = _campaign(personas, starts_in_days=3, goal_target=2)
    shown = _verdicts(personas, campaign)
    assert {key for key, _ in shown.values()} == {"not_started"}
    assert shown["plan"][1].startswith("The goal period starts on ")


def test_a_meeting_qualified_after_the_tick_changes_every_page_at_once(personas):
    campaign = _campaign(personas, starts_in_days=-1, goal_target=1)
    campaign_plan_day(campaign=campaign)  # this morning's plan: one meeting to go
    make_meeting(
        membership=personas.rep,
        campaign=campaign,
        start=timezone.now() - timedelta(hours=2),
        status="held",
        qualified=True,
    )
    shown = _verdicts(personas, campaign)
    assert {key for key, _ in shown.values()} == {"reached"}


def test_a_meeting_still_booked_does_not_count_on_any_page(personas):
    campaign = _campaign(personas, starts_in_days=-1, goal_target=1)
    make_meeting(membership=personas.rep, campaign=campaign, start=timezone.now() + timedelta(days=3))
    shown = _verdicts(personas, campaign)
    assert "reached" not in {key for key, _ in shown.values()}
