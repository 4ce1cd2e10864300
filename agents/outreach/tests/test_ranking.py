"""The planner ranks a campaign's audience by fit, intent and timing, and says why in one line per lead."""

from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from agents.outreach.ranking import rank_audience
from campaigns.models import CampaignLeadChoice, Signal
from campaigns.tests.factories import make_account, make_campaign, make_contact, make_icp_version, make_signal

pytestmark = pytest.mark.django_db


@dataclass(frozen=True)
class Member:
    """campaigns.audience.AudienceMember's shape: what the ranking reads of an audience member."""

    contact_id: int
    account_id: int
    fit: int
    fit_reasons: tuple[str, ...] = ("logistics", "300 staff", "VP Operations")
    industry: str = "logistics"
    size_band: str = "200-999"
    persona: str = "vp operations"
    via_list: bool = False


def _campaign(workspace, **weights):
    icp = make_icp_version(workspace=workspace, signal_weights=weights or {"hiring": 8, "funding": 6})
    return make_campaign(workspace=workspace, icp_version=icp)


def _member(workspace, fit=60, **fields):
    contact = make_contact(workspace=workspace, title="VP Operations")
    return contact, Member(contact_id=contact.pk, account_id=contact.account_id, fit=fit, **fields)


def _ago(days):
    return timezone.now() - timedelta(days=days)


def test_a_hiring_account_outranks_a_better_fit_without_signals_and_the_reason_says_why(personas):
    workspace = personas.workspace
    campaign = _campaign(workspace)
    quiet, quiet_member = _member(workspace, fit=70)
    hiring, hiring_member = _member(workspace, fit=60)
    make_signal(workspace=workspace, account=hiring.account, kind="hiring", title="Hiring 4 SDRs", occurred_at=_ago(3))

    ranked = rank_audience(campaign=campaign, members=[quiet_member, hiring_member], today=timezone.localdate())

    assert [lead.contact_id for lead in ranked] == [hiring.pk, quiet.pk]
    top = ranked[0]
    assert top.reason == "fits: logistics, 300 staff, VP Operations; intent: Hiring 4 SDRs, 3 days ago; timing: hiring"
    assert top.intent > 0 and top.timing > 0 and top.segment == "logistics|200-999|vp operations|hiring"
    # Eligible on fit alone, and said so.
    assert ranked[1].reason == "fits: logistics, 300 staff, VP Operations; no recent signals"
    assert (ranked[1].intent, ranked[1].timing, ranked[1].segment) == (0, 0, "logistics|200-999|vp operations|none")


def test_fresher_signals_pull_more_and_stale_ones_count_nothing(personas):
    workspace = personas.workspace
    campaign = _campaign(workspace)
    campaign.stale_signal_days = 30
    fresh, fresh_member = _member(workspace)
    old, old_member = _member(workspace)
    stale, stale_member = _member(workspace)
    make_signal(workspace=workspace, account=fresh.account, kind="hiring", occurred_at=_ago(1))
    make_signal(workspace=workspace, account=old.account, kind="hiring", occurred_at=_ago(20))
    make_signal(workspace=workspace, account=stale.account, kind="hiring", occurred_at=_ago(40))

    ranked = {
        lead.contact_id: lead
        for lead in rank_audience(
            campaign=campaign, members=[stale_member, old_member, fresh_member], today=timezone.localdate()
        )
    }

    assert ranked[fresh.pk].intent > ranked[old.pk].intent > ranked[stale.pk].intent == 0
    assert ranked[stale.pk].reason.endswith("no recent signals")


def test_intent_follows_the_icp_weights_and_repeats_raise_it_up_to_a_cap(personas):
    workspace = personas.workspace
    campaign = _campaign(workspace, hiring=8, news=0)
    news, news_member = _member(workspace)
    once, once_member = _member(workspace)
    many, many_member = _member(workspace)
    make_signal(workspace=workspace, account=news.account, kind="news", occurred_at=_ago(1))
    make_signal(workspace=workspace, account=once.account, kind="hiring", occurred_at=_ago(1))
    for _ in range(8):
        make_signal(workspace=workspace, account=many.account, kind="hiring", occurred_at=_ago(1))

    ranked = {
        lead.contact_id: lead
        for lead in rank_audience(
            campaign=campaign, members=[news_member, once_member, many_member], today=timezone.localdate()
        )
    }

    assert ranked[news.pk].intent == 0  # a kind the ICP does not weigh pulls nothing
    assert 0 < ranked[once.pk].intent < ranked[many.pk].intent <= 80  # 8 of 10, fully repeated, one day old


def test_timing_notes_a_new_role_and_a_fresh_round(personas):
    workspace = personas.workspace
    campaign = _campaign(workspace, job_change=5, funding=5)
    mover, mover_member = _member(workspace)
    colleague = make_contact(workspace=workspace, account=mover.account)
    colleague_member = Member(contact_id=colleague.pk, account_id=colleague.account_id, fit=60)
    make_signal(
        workspace=workspace,
        account=mover.account,
        contact=mover,
        kind="job_change",
        occurred_at=_ago(30),
        title="Joined as VP Operations",
    )
    make_signal(workspace=workspace, account=mover.account, kind="funding", occurred_at=_ago(10))

    ranked = {
        lead.contact_id: lead
        for lead in rank_audience(
            campaign=campaign, members=[mover_member, colleague_member], today=timezone.localdate()
        )
    }

    assert ranked[mover.pk].reason.endswith("; timing: new in role, just raised")
    # The job change is the mover's own: the colleague only shares the account's round.
    assert ranked[colleague.pk].reason.endswith("; timing: just raised")
    assert ranked[mover.pk].timing > ranked[colleague.pk].timing


def test_pins_come_first_and_exclusions_are_gone(personas):
    workspace = personas.workspace
    campaign = _campaign(workspace)
    best, best_member = _member(workspace, fit=90)
    pinned, pinned_member = _member(workspace, fit=10)
    excluded, excluded_member = _member(workspace, fit=95)
    CampaignLeadChoice.objects.create(workspace=workspace, campaign=campaign, contact=pinned, choice="pin")
    CampaignLeadChoice.objects.create(workspace=workspace, campaign=campaign, contact=excluded, choice="exclude")

    ranked = rank_audience(
        campaign=campaign, members=[best_member, pinned_member, excluded_member], today=timezone.localdate()
    )

    assert [(lead.contact_id, lead.pinned) for lead in ranked] == [(pinned.pk, True), (best.pk, False)]


def test_another_workspaces_signals_on_the_same_ids_are_not_read(personas):
    workspace = personas.workspace
    campaign = _campaign(workspace)
    contact, member = _member(workspace)
    elsewhere = make_account(workspace=personas.outsider.workspace)
    make_signal(workspace=personas.outsider.workspace, account=elsewhere, kind="hiring")
    Signal.objects.filter(account=elsewhere).update(account_id=contact.account_id)  # a corrupt row, still not read

    (lead,) = rank_audience(campaign=campaign, members=[member], today=timezone.localdate())

    assert lead.intent == 0


def _audience(workspace, size):
    members = []
    for index in range(size):
        contact, member = _member(workspace, fit=50 + index % 40)
        make_signal(
            workspace=workspace,
            account=contact.account,
            kind="hiring",
            title=f"Hiring {index}",
            occurred_at=_ago(2 + index % 10),
        )
        make_signal(
            workspace=workspace,
            account=contact.account,
            contact=contact,
            kind="job_change",
            title="Moved",
            occurred_at=_ago(21),
        )
        members.append(member)
    return members


@pytest.mark.parametrize("named_accounts", [True, False], ids=["small-audience", "workspace-scan"])
def test_ranking_reads_the_same_number_of_queries_whatever_the_audience_size(personas, monkeypatch, named_accounts):
    from agents.outreach import ranking

    if not named_accounts:
        monkeypatch.setattr(ranking, "ACCOUNTS_NAMED_IN_QUERY", 0)
    workspace = personas.workspace
    campaign = _campaign(workspace)
    counts = []
    for size in (3, 30):
        members = _audience(workspace, size)
        with CaptureQueriesContext(connection) as queries:
            ranked = rank_audience(campaign=campaign, members=members, today=timezone.localdate())
        by_contact = {lead.contact_id: lead for lead in ranked}
        # Each lead quotes its own account's freshest weighted signal (the job change weighs nothing here).
        assert [by_contact[m.contact_id].reason.split("; ")[1] for m in members] == [
            f"intent: Hiring {index}, {2 + index % 10} days ago" for index in range(size)
        ]
        counts.append(len(queries))
    # The manager's choices, the signal aggregate, the freshest titles.
    assert counts == [3, 3]
