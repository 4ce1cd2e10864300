"""The planner learns meetings per lead by segment and leans tomorrow's picks toward what converts, still exploring."""

from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from agents.conversations.models import InboundMessage
from agents.delivery.models import OutboundMessage
from agents.meetings.tests.factories import make_meeting
from agents.outreach.learning import (
    SegmentOutcomes,
    learned_sentence,
    picks_order,
    plan_rng,
    segment_outcomes,
)
from agents.outreach.ranking import RankedLead
from campaigns.models import Enrolment
from campaigns.tests.factories import make_campaign, make_contact

pytestmark = pytest.mark.django_db

OPS = "logistics|200-999|vp operations|hiring"
SALES = "software|50-199|head sales|none"
DAY = datetime(2026, 3, 2, tzinfo=UTC).date()


def _leads(segment: str, count: int, *, start: int, score: float = 50.0) -> list[RankedLead]:
    return [
        RankedLead(
            contact_id=start + index,
            account_id=start + index,
            score=score,
            fit=60,
            intent=0,
            timing=0,
            segment=segment,
            reason="fits",
        )
        for index in range(count)
    ]


def _first(order, count):
    return [lead for _, lead in zip(range(count), order, strict=False)]


def _audience():
    # Sales heads score a little higher on fit and intent: without results they would be picked first.
    return sorted(
        _leads(OPS, 200, start=1, score=50) + _leads(SALES, 200, start=1001, score=55),
        key=lambda lead: (-lead.score, lead.contact_id),
    )


def test_with_no_results_the_exploration_picks_follow_the_score_and_every_segment_gets_picks():
    picks = _first(picks_order(ranked=_audience(), outcomes={}, rng=plan_rng(campaign_id=1, day=DAY)), 50)
    segments = Counter(lead.segment for lead in picks)
    assert picks[0].segment == SALES  # the first pick explores: the best score
    assert segments[OPS] >= 10 and segments[SALES] >= 10
    assert len({lead.contact_id for lead in picks}) == 50


def test_results_move_the_picks_toward_the_segment_that_converts_while_keeping_the_floor():
    outcomes = {
        OPS: SegmentOutcomes(segment=OPS, leads=100, sent=100, replied=30, booked=12),
        SALES: SegmentOutcomes(segment=SALES, leads=100, sent=100, replied=5, booked=1),
    }
    picks = _first(picks_order(ranked=_audience(), outcomes=outcomes, rng=plan_rng(campaign_id=1, day=DAY)), 50)
    segments = Counter(lead.segment for lead in picks)
    assert segments[OPS] >= 35
    # One pick in five explores by score alone: the better-scored sales heads keep at least that share.
    assert segments[SALES] >= 10
    assert [lead.segment for lead in picks[::5]] == [SALES] * 10


def test_an_undersampled_segment_gets_the_exploration_picks():
    new = "retail|1000+|cfo|funding"
    outcomes = {
        OPS: SegmentOutcomes(segment=OPS, sent=100, booked=12),
        SALES: SegmentOutcomes(segment=SALES, sent=100, booked=1),
    }
    ranked = [*_audience(), *_leads(new, 30, start=5001, score=10)]
    picks = _first(picks_order(ranked=ranked, outcomes=outcomes, rng=plan_rng(campaign_id=1, day=DAY)), 20)
    assert [lead.segment for lead in picks[::5]] == [new] * 4


def test_pins_come_first_and_every_lead_is_yielded_once():
    ranked = _audience()
    pinned = RankedLead(**{**ranked[-1].__dict__, "pinned": True})
    ranked = [pinned, *ranked[:-1]]
    order = list(picks_order(ranked=ranked, outcomes={}, rng=plan_rng(campaign_id=1, day=DAY)))
    assert order[0] == pinned
    assert sorted(lead.contact_id for lead in order) == sorted(lead.contact_id for lead in ranked)


def test_the_same_campaign_and_day_give_the_same_picks_and_another_day_other_ones():
    def picks(day):
        order = picks_order(ranked=_audience(), outcomes={}, rng=plan_rng(campaign_id=7, day=day))
        return [lead.contact_id for lead in _first(order, 30)]

    assert picks(DAY) == picks(DAY)
    assert picks(DAY) != picks(DAY + timedelta(days=1))


def test_the_sentence_claims_a_difference_only_when_the_intervals_separate():
    clear = {
        OPS: SegmentOutcomes(segment=OPS, sent=100, booked=15),
        SALES: SegmentOutcomes(segment=SALES, sent=100, booked=1),
    }
    picks = _leads(OPS, 6, start=1) + _leads(SALES, 4, start=100)
    sentence = learned_sentence(outcomes=clear, picks=picks)
    assert sentence.startswith(
        "Learned: vp operations at logistics firms of 200-999 staff, with hiring signals book meetings 8.0× as "
        "often as head sales at software firms of 50-199 staff, without signals (12.3% against 1.5% of leads "
        "contacted)"
    )
    assert sentence.endswith("60% of today's picks.")

    close = {
        OPS: SegmentOutcomes(segment=OPS, sent=30, booked=3),
        SALES: SegmentOutcomes(segment=SALES, sent=30, booked=2),
    }
    assert learned_sentence(outcomes=close, picks=picks).startswith("Still exploring")
    assert learned_sentence(outcomes={}, picks=picks) == (
        "Still exploring: no results yet, so today's picks spread over the audience's segments to learn what "
        "converts, the best-scored lead of each first."
    )


def _enrol(campaign, segment, *, sent=True, replied=False, meeting=None, membership=None):
    contact = make_contact(workspace=campaign.workspace)
    enrolment = Enrolment.objects.create(
        workspace=campaign.workspace, campaign=campaign, contact=contact, account=contact.account, segment=segment,
        started_at=timezone.now() - timedelta(days=5),
    )  # fmt: skip
    if sent:
        OutboundMessage.objects.create(
            workspace=campaign.workspace, campaign=campaign, contact=contact, step_position=1, subject="Hi",
            body_text="Hello", idempotency_key=f"first-{contact.pk}", status="sent", sent_at=timezone.now(),
        )  # fmt: skip
    if replied:
        InboundMessage.objects.create(
            workspace=campaign.workspace, channel="mime", raw=b"", size_bytes=0, dedupe_key=f"<r-{contact.pk}@x>",
            contact=contact, category=replied,
        )  # fmt: skip
    if meeting:
        # A held meeting lies in the past (only a held one may be qualified); the others are ahead.
        days = -(1 + contact.pk % 20) if meeting.get("status") == "held" else contact.pk % 20
        make_meeting(
            membership=membership, contact=contact, campaign=campaign,
            start=timezone.now() + timedelta(days=days, hours=1), **meeting,
        )  # fmt: skip
    return enrolment


def test_outcomes_count_each_segments_sent_replies_meetings_and_qualified_meetings(personas):
    campaign = make_campaign(workspace=personas.workspace)
    other = make_campaign(workspace=personas.workspace)
    manager = personas.manager
    _enrol(campaign, OPS, replied="interested", meeting={"status": "held", "qualified": True}, membership=manager)
    _enrol(campaign, OPS, replied="question", meeting={"status": "cancelled"}, membership=manager)
    _enrol(campaign, OPS, replied="out_of_office")
    _enrol(campaign, OPS, sent=False)
    _enrol(campaign, SALES)
    _enrol(other, SALES, replied="interested", meeting={"status": "booked"}, membership=manager)
    # Another workspace's results are never read.
    _enrol(make_campaign(workspace=personas.outsider.workspace), SALES, replied="interested")

    with CaptureQueriesContext(connection) as queries:
        outcomes = segment_outcomes(campaign=campaign)

    assert len(queries) == 1
    ops = outcomes[OPS]
    assert (ops.leads, ops.sent, ops.replied, ops.booked, ops.qualified) == (4, 3, 2, 1, 1)
    sales = outcomes[SALES]
    # The other campaign's lead counts a quarter.
    assert (sales.leads, sales.sent, sales.replied, sales.booked, sales.qualified) == (1.25, 1.25, 0.25, 0.25, 0)
