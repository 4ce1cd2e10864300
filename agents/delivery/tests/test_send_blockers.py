"""What keeps a campaign's emails from leaving today, said so that the person who can fix it knows: the
campaign page and its dashboard both show it."""

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils.html import escape

from agents.delivery.models import Mailbox, MailboxDay
from agents.delivery.selectors import campaign_send_blockers
from agents.delivery.tests.support import make_mailbox
from campaigns.tests.factories import make_campaign

pytestmark = pytest.mark.django_db

MONDAY, SATURDAY = date(2026, 3, 2), date(2026, 3, 7)
EVERY_DAY = [0, 1, 2, 3, 4, 5, 6]


def _campaign(personas, **fields):
    return make_campaign(workspace=personas.workspace, status="active", **fields)


def test_nothing_blocks_a_campaign_with_an_active_mailbox_on_a_send_day(personas):
    campaign = _campaign(personas)
    make_mailbox(workspace=personas.workspace, campaigns=[campaign])
    assert campaign_send_blockers(campaign=campaign, today=MONDAY) == []


def test_without_a_mailbox_in_a_workspace_without_one_it_asks_for_an_admin(personas):
    campaign = _campaign(personas)
    make_mailbox(workspace=personas.outsider.workspace, campaigns=[])  # another workspace's does not help
    assert campaign_send_blockers(campaign=campaign, today=MONDAY) == [
        "No mailbox sends for this campaign, and the workspace has no active one: ask an admin to connect a mailbox."
    ]


def test_without_a_mailbox_of_its_own_it_asks_a_manager_to_pick_one(personas):
    campaign = _campaign(personas)
    make_mailbox(workspace=personas.workspace, campaigns=[])
    assert campaign_send_blockers(campaign=campaign, today=MONDAY) == [
        "No mailbox sends for this campaign: "
        "a manager picks one of the workspace's active mailboxes in the campaign's settings."
    ]


def test_when_all_its_mailboxes_are_paused_or_stopped_it_names_them(personas):
    campaign = _campaign(personas)
    make_mailbox(workspace=personas.workspace, campaigns=[campaign], from_address="a@x.example", status="paused")
    make_mailbox(
        workspace=personas.workspace,
        campaigns=[campaign],
        from_address="b@x.example",
        status="stopped",
        stopped_reason="bounce rate 9%",
    )
    assert campaign_send_blockers(campaign=campaign, today=MONDAY) == [
        "Every mailbox of this campaign is paused or stopped (a@x.example (paused by a person); "
        "b@x.example (stopped automatically: bounce rate 9%)): an admin resumes one under Settings → Mailboxes."
    ]


def test_when_todays_allowance_is_used_up_on_every_active_mailbox_it_says_until_tomorrow(personas):
    campaign = _campaign(personas)
    warm = make_mailbox(workspace=personas.workspace, campaigns=[campaign], from_address="warm@x.example")
    # Warming up since last week: 10 a day.
    ramp = make_mailbox(
        workspace=personas.workspace,
        campaigns=[campaign],
        from_address="ramp@x.example",
        warmup_started_on=MONDAY - timedelta(days=7),
    )
    make_mailbox(workspace=personas.workspace, campaigns=[campaign], status="paused")  # not counted
    MailboxDay.objects.create(mailbox=warm, day=MONDAY, scheduled=30, sent=12)
    MailboxDay.objects.create(mailbox=ramp, day=MONDAY, scheduled=9, sent=9)
    assert campaign_send_blockers(campaign=campaign, today=MONDAY) == []  # one slot left on the ramp
    MailboxDay.objects.filter(mailbox=ramp).update(scheduled=10)
    assert campaign_send_blockers(campaign=campaign, today=MONDAY) == [
        "Today's allowance is used up on every active mailbox of this campaign "
        "(ramp@x.example: 10 of 10; warm@x.example: 30 of 30): emails wait for tomorrow."
    ]
    assert campaign_send_blockers(campaign=campaign, today=MONDAY + timedelta(days=1)) == []  # a new day


def test_outside_its_send_days_it_says_emails_wait(personas):
    campaign = _campaign(personas, send_days=[0, 1, 2, 3, 4])
    make_mailbox(workspace=personas.workspace, campaigns=[campaign])
    assert campaign_send_blockers(campaign=campaign, today=SATURDAY) == [
        "Today is Saturday, not one of the campaign's send days (Mon, Tue, Wed, Thu, Fri): "
        "emails wait for the next one."
    ]


def test_the_selector_reads_twice_whatever_the_mailboxes(personas, django_assert_num_queries):
    campaign = _campaign(personas)
    for _ in range(3):
        mailbox = make_mailbox(workspace=personas.workspace, campaigns=[campaign])
        MailboxDay.objects.create(mailbox=mailbox, day=MONDAY, scheduled=30)
    with django_assert_num_queries(2):  # the campaign's mailboxes, today's counters
        assert len(campaign_send_blockers(campaign=campaign, today=MONDAY)) == 1


# Both pages ---------------------------------------------------------------------------------------


def _pages(personas, campaign) -> list[str]:
    client = personas.client_for(personas.manager)
    plan = client.get(reverse("insights:campaign_plan", args=[campaign.pk]), headers={"HX-Request": "true"})
    dashboard = client.get(reverse("insights:campaign_dashboard", args=[campaign.pk]))
    return [plan.text, dashboard.text]


def test_the_campaign_page_and_its_dashboard_show_what_blocks_sending(personas):
    campaign = _campaign(personas, send_days=EVERY_DAY)
    mailbox = make_mailbox(workspace=personas.workspace, campaigns=[campaign], status=Mailbox.Status.PAUSED)
    [blocker] = campaign_send_blockers(campaign=campaign)
    for page in _pages(personas, campaign):
        assert 'id="send-blockers"' in page
        assert f"<li>{escape(blocker)}</li>" in page
        assert mailbox.from_address in page
    # The campaign page itself loads the plan partial that carries them (the campaign app cannot read
    # delivery).
    detail = personas.client_for(personas.manager).get(reverse("campaigns:campaign_detail", args=[campaign.pk]))
    assert f'hx-get="{reverse("insights:campaign_plan", args=[campaign.pk])}"' in detail.text


def test_nothing_is_shown_when_nothing_blocks_sending(personas):
    campaign = _campaign(personas, send_days=EVERY_DAY)
    make_mailbox(workspace=personas.workspace, campaigns=[campaign])
    for page in _pages(personas, campaign):
        assert 'id="send-blockers"' not in page


def test_a_rep_sees_the_blockers_on_the_dashboard_too(personas):
    campaign = _campaign(personas, send_days=EVERY_DAY)
    response = personas.client_for(personas.rep).get(reverse("insights:campaign_dashboard", args=[campaign.pk]))
    assert "ask an admin to connect a mailbox" in response.text
