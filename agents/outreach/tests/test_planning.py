"""The campaign tick plans each day toward the goal and starts that many leads."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from agents import demo as agents_demo
from agents.delivery.tests.support import make_mailbox
from agents.models import AgentRun, CampaignPlan, Handoff
from agents.outreach.planning import campaign_plan_day, campaign_tick
from campaigns import demo as campaigns_demo
from campaigns.models import Campaign, Enrolment
from campaigns.tests.factories import make_account, make_campaign, make_contact, make_signal
from salesops.business_days import business_days_between, nth_business_day
from salesops.models import AuditEvent
from salesops.tests.factories import make_workspace

pytestmark = pytest.mark.django_db

# This week's Monday: the tick command and the activation plan for the real today, which must fall
# inside the goal period of `_campaign_with_leads` on any day the suite runs.
MONDAY = timezone.localdate() - timedelta(days=timezone.localdate().weekday())


def _campaign_with_leads(personas, leads: int, **fields) -> Campaign:
    campaign = make_campaign(
        workspace=personas.workspace,
        goal_start=MONDAY,
        goal_end=MONDAY + timedelta(days=18),  # 15 business days
        status=Campaign.Status.ACTIVE,
        **fields,
    )
    for _ in range(leads):
        contact = make_contact(workspace=personas.workspace, title="VP Sales")
        make_signal(workspace=personas.workspace, account=contact.account)
    return campaign


def test_business_days_skip_weekends():
    assert business_days_between(MONDAY, MONDAY + timedelta(days=6)) == 5
    assert business_days_between(MONDAY, MONDAY + timedelta(days=13)) == 10
    assert business_days_between(MONDAY + timedelta(days=5), MONDAY + timedelta(days=6)) == 0
    assert business_days_between(MONDAY, MONDAY - timedelta(days=1)) == 0


def test_the_nth_business_day_is_that_many_business_days_away_from_any_weekday():
    for offset in range(7):
        start = MONDAY + timedelta(days=offset)
        for count in (1, 5, 18):
            end = nth_business_day(start, count)
            assert end.weekday() < 5 and business_days_between(start, end) == count
    assert nth_business_day(MONDAY + timedelta(days=5), 1) == MONDAY + timedelta(days=7)  # Saturday -> Monday


def test_the_plan_derives_todays_leads_from_goal_days_left_and_conversion(personas):
    campaign = _campaign_with_leads(personas, 5, goal_target=9, daily_new_lead_limit=30)
    result = campaign_tick(campaign=campaign, today=MONDAY)
    plan = result.plan
    # 9 meetings / 3% default conversion / 15 business days = 20 leads a day.
    assert (plan.remaining_goal, plan.business_days_left, plan.leads_needed_per_day) == (9, 15, 20)
    assert plan.conversion_source == "default" and plan.verdict == "on_track"
    assert plan.planned_new_leads == 20
    assert len(result.started_run_ids) == 5  # only five new contacts exist
    assert "20 new leads a day, within the limit of 30" in plan.reason


def test_a_second_tick_the_same_day_starts_only_what_is_left(personas):
    campaign = _campaign_with_leads(personas, 4, goal_target=9, daily_new_lead_limit=3)
    first = campaign_tick(campaign=campaign, today=MONDAY)
    second = campaign_tick(campaign=campaign, today=MONDAY)
    assert len(first.started_run_ids) == 3 and second.started_run_ids == []
    assert CampaignPlan.objects.filter(campaign=campaign).count() == 1
    assert AgentRun.objects.filter(campaign=campaign).count() == 3


def test_raising_the_daily_limit_the_same_day_plans_again_keeping_the_leads_already_started(personas):
    campaign = _campaign_with_leads(personas, 6, goal_target=9, daily_new_lead_limit=2)
    first = campaign_tick(campaign=campaign, today=MONDAY)
    assert len(first.started_run_ids) == 2 and first.plan.planned_new_leads == 2
    assert first.plan.verdict == "off_track"
    campaign.daily_new_lead_limit = 30
    campaign.save()
    second = campaign_tick(campaign=campaign, today=MONDAY)
    assert second.plan.pk == first.plan.pk and second.plan.planned_new_leads == 20
    assert second.plan.verdict == "on_track" and "within the limit of 30" in second.plan.reason
    assert len(second.started_run_ids) == 4  # the six new contacts, less the two started before
    assert second.plan.started_new_leads == 6
    replanned = AuditEvent.objects.get(target_id=str(campaign.pk), verb="campaign.replanned")
    assert replanned.before["planned_new_leads"] == 2 and replanned.after["planned_new_leads"] == 20
    # Without another change, later ticks keep the plan as it is.
    assert campaign_tick(campaign=campaign, today=MONDAY).started_run_ids == []
    assert AuditEvent.objects.filter(verb="campaign.replanned").count() == 1


def test_a_goal_out_of_reach_opens_one_escalation_that_says_why(personas):
    campaign = _campaign_with_leads(personas, 1, goal_target=50, daily_new_lead_limit=10)
    plan = campaign_tick(campaign=campaign, today=MONDAY).plan
    campaign_tick(campaign=campaign, today=MONDAY)
    assert plan.verdict == "off_track"
    handoff = Handoff.objects.get(kind=Handoff.Kind.ESCALATION, campaign=campaign)
    assert "cannot reach its goal" in handoff.reason and "needs 112 new leads a day" in handoff.reason


def test_a_paused_campaign_plans_but_starts_nothing(personas):
    campaign = _campaign_with_leads(personas, 3, goal_target=5)
    campaign.status = Campaign.Status.PAUSED
    campaign.save()
    assert campaign_tick(campaign=campaign, today=MONDAY).started_run_ids == []


def test_campaign_tick_command_runs_the_leads_through_the_pipeline(personas, capsys):
    campaign = _campaign_with_leads(personas, 3, goal_target=5, autonomy="review_all")
    # On the period's first day (later in the week the same goal is rightly "at risk").
    with time_machine.travel(datetime(MONDAY.year, MONDAY.month, MONDAY.day, 10, tzinfo=UTC)):
        call_command("campaign_tick", campaign=campaign.name)
    out = capsys.readouterr().out
    assert "on track" in out and "started 3 leads" in out
    assert AgentRun.objects.filter(campaign=campaign, status=AgentRun.Status.WAITING).count() == 3


def test_activating_a_campaign_starts_its_first_tick_at_once(personas, django_capture_on_commit_callbacks):
    campaign = _campaign_with_leads(personas, 2, goal_target=5)
    make_mailbox(workspace=personas.workspace, campaigns=[campaign])  # activation needs one
    Campaign.objects.filter(pk=campaign.pk).update(status=Campaign.Status.DRAFT)
    client = personas.client_for(personas.manager)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("campaigns:campaign_status", args=[campaign.pk]), {"status": "active"})
    assert AgentRun.objects.filter(campaign=campaign).count() == 2


def test_a_tick_task_works_all_its_leads_in_one_chain_of_batches(personas, django_capture_on_commit_callbacks):
    from agents.outreach import tasks

    campaign = _campaign_with_leads(personas, 4, goal_target=5, autonomy="review_all")
    tasks.BATCH_SIZE, original = 3, tasks.BATCH_SIZE
    try:
        with django_capture_on_commit_callbacks(execute=True):
            result = tasks.campaign_tick_task(campaign.pk)
    finally:
        tasks.BATCH_SIZE = original
    assert result["started"] == 4
    assert AgentRun.objects.filter(campaign=campaign, status=AgentRun.Status.WAITING).count() == 4


def test_the_demo_plans_the_same_day_on_track_whatever_weekday_it_is_loaded(db, monkeypatch):
    # The demo's story (and the tests and screenshots built on it) must not depend on the day it runs:
    # a goal period fixed in calendar days left fewer business days late in the week and made the
    # planner escalate "cannot reach its goal" from Thursday to Sunday.
    monkeypatch.setattr(agents_demo, "async_task", lambda *args, **kwargs: None)
    plans = {}
    for offset in range(7):
        day = MONDAY + timedelta(days=offset)
        with time_machine.travel(datetime.combine(day, datetime.min.time(), tzinfo=UTC) + timedelta(hours=23)):
            workspace = make_workspace()
            campaigns_demo.load(workspace)
            agents_demo.load(workspace)
            plan = campaign_plan_day(campaign=Campaign.objects.get(workspace=workspace, status="active"))
        plans[day.strftime("%A")] = (plan.verdict, plan.business_days_left, plan.planned_new_leads)
    assert set(plans.values()) == {("on_track", campaigns_demo.DEMO_GOAL_BUSINESS_DAYS, 19)}, plans
    assert not Handoff.objects.filter(kind="escalation").exists()


def test_the_tick_enrols_only_the_icps_industry_with_reasons_and_says_what_it_learned(personas):
    workspace = personas.workspace
    campaign = _campaign_with_leads(personas, 0, goal_target=9, daily_new_lead_limit=30)
    software = [make_contact(workspace=workspace, title="VP Sales", account=make_account(
        workspace=workspace, industry="Software", employee_count=300, country="DE")) for _ in range(3)]  # fmt: skip
    retail = make_contact(workspace=workspace, title="VP Sales", account=make_account(
        workspace=workspace, industry="Retail", employee_count=300, country="DE"))  # fmt: skip
    # Three days before the tick's Monday, whatever day of the week the suite runs on (a signal dated after
    # the day planned is in that day's future).
    seen = datetime.combine(MONDAY, datetime.min.time(), tzinfo=UTC) - timedelta(days=3)
    make_signal(
        workspace=workspace, account=software[0].account, kind="hiring", title="Hiring 4 SDRs", occurred_at=seen
    )

    result = campaign_tick(campaign=campaign, today=MONDAY)

    enrolments = {e.contact_id: e for e in Enrolment.objects.filter(campaign=campaign)}
    assert set(enrolments) == {contact.pk for contact in software} and retail.pk not in enrolments
    assert AgentRun.objects.filter(campaign=campaign, step_position=1).count() == len(result.started_run_ids) == 3
    hot = enrolments[software[0].pk]
    assert "intent: Hiring 4 SDRs" in hot.reason and hot.reason.startswith("fits: ")
    assert hot.score > enrolments[software[1].pk].score and hot.segment.endswith("|hiring")
    assert result.plan.learned.startswith("Still exploring")

    # A second campaign on an overlapping ICP does not pick them again.
    second = _campaign_with_leads(personas, 0, goal_target=9, daily_new_lead_limit=30)
    assert campaign_tick(campaign=second, today=MONDAY).started_run_ids == []
