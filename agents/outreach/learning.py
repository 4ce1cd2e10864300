"""What the planner learns from results: meetings per lead by segment, and picks that lean toward what converts.

A segment is industry × size band × persona × the lead's strongest signal kind (or "none"), as the ranking
stores it on each enrolment. For each segment the planner counts, over this campaign's enrolments (and,
at a quarter of the weight, the workspace's other campaigns'): leads enrolled, first emails sent, human
replies, meetings booked (not cancelled) and meetings qualified.

The rate it learns is **meetings booked per lead contacted** (first email sent), with a Beta prior of one
meeting in 30 leads (about the planner's default conversion). Booked rather than qualified: a meeting is
qualified only after it is held, days later, and the ranking should move sooner; the goal still counts
qualified meetings only.

Picks use Thompson sampling over segments: for each pick, each segment's rate is drawn from its posterior
and weighed by the quality of its best remaining lead (fit, intent, timing); the winner gives its best lead.
One pick in five (the first, sixth, …) is an exploration pick: the best-scored lead of a segment with fewer
than `UNDERSAMPLED_LEADS` leads contacted, or the best-scored lead overall when every segment has enough.
The random draws come from a generator seeded by the campaign and the day, so a day's plan is reproducible.
"""

import hashlib
import math
import random
from collections import OrderedDict, deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date

from django.db.models import Count, Exists, OuterRef, Q

from agents.delivery.models import OutboundMessage
from agents.outreach.ranking import NO_SIGNAL, RankedLead
from campaigns.models import Campaign, Contact, Enrolment

PRIOR_MEETINGS, PRIOR_LEADS = 1.0, 30.0
OTHER_CAMPAIGNS_WEIGHT = 0.25
EXPLORATION_EVERY = 5  # one pick in five explores: a floor of 20%
UNDERSAMPLED_LEADS = 20
# A segment is compared only once this many of its leads were contacted, and only when the two 90%
# credible intervals do not overlap.
COMPARED_FROM_LEADS = 20
CREDIBLE_Z = 1.645
# Replies that are not a person answering: they say nothing about a segment's interest.
NOT_A_REPLY = ["", "bounce", "out_of_office"]


@dataclass
class SegmentOutcomes:
    """Counts of one segment (fractional: other campaigns' results weigh less)."""

    segment: str
    leads: float = 0.0
    sent: float = 0.0
    replied: float = 0.0
    booked: float = 0.0
    qualified: float = 0.0

    @property
    def alpha(self) -> float:
        return PRIOR_MEETINGS + self.booked

    @property
    def beta(self) -> float:
        return PRIOR_LEADS - PRIOR_MEETINGS + max(0.0, self.sent - self.booked)

    @property
    def mean(self) -> float:
        return self.alpha / (self.alpha + self.beta)

    @property
    def interval(self) -> tuple[float, float]:
        """A 90% credible interval of the meeting rate (normal approximation of the Beta posterior)."""
        a, b = self.alpha, self.beta
        spread = CREDIBLE_Z * math.sqrt(a * b / ((a + b) ** 2 * (a + b + 1)))
        return max(0.0, self.mean - spread), min(1.0, self.mean + spread)


def _unrated(segment: str) -> SegmentOutcomes:
    return SegmentOutcomes(segment=segment)


def segment_outcomes(*, campaign: Campaign, other_campaigns_weight: float = OTHER_CAMPAIGNS_WEIGHT):
    """Each segment's counts over the workspace's enrolments: one query, grouped by campaign and segment."""
    # Meetings and inbound mail are steps above outreach: named through the contact's relations, not imported.
    meeting_model = Contact._meta.get_field("meetings").related_model
    inbound_model = Contact._meta.get_field("inbound_messages").related_model
    sent = OutboundMessage.objects.filter(
        campaign_id=OuterRef("campaign_id"),
        contact_id=OuterRef("contact_id"),
        step_position=1,
        status=OutboundMessage.Status.SENT,
    )
    replied = inbound_model.objects.filter(
        contact_id=OuterRef("contact_id"), received_at__gte=OuterRef("started_at")
    ).exclude(category__in=NOT_A_REPLY)
    meetings = meeting_model.objects.filter(
        campaign_id=OuterRef("campaign_id"), contact_id=OuterRef("contact_id")
    ).exclude(status=meeting_model.Status.CANCELLED)
    rows = (
        Enrolment.objects.filter(workspace_id=campaign.workspace_id)
        .exclude(segment="")
        .annotate(
            was_sent=Exists(sent),
            replied=Exists(replied),
            booked=Exists(meetings),
            qualified=Exists(meetings.filter(qualified=True)),
        )
        .values_list("campaign_id", "segment")
        .annotate(
            leads=Count("id"),
            sent=Count("id", filter=Q(was_sent=True)),
            replies=Count("id", filter=Q(replied=True)),
            meetings=Count("id", filter=Q(booked=True)),
            qualified_meetings=Count("id", filter=Q(qualified=True)),
        )
        .order_by()
    )
    outcomes: dict[str, SegmentOutcomes] = {}
    for campaign_id, segment, leads, sent_count, replies, booked, qualified in rows:
        weight = 1.0 if campaign_id == campaign.pk else other_campaigns_weight
        if weight <= 0:
            continue
        counts = outcomes.setdefault(segment, _unrated(segment))
        counts.leads += weight * leads
        counts.sent += weight * sent_count
        counts.replied += weight * replies
        counts.booked += weight * booked
        counts.qualified += weight * qualified
    return outcomes


def plan_seed(*, campaign_id: int, day: date) -> int:
    digest = hashlib.sha256(f"planner:{campaign_id}:{day.isoformat()}".encode()).hexdigest()
    return int(digest[:16], 16)


def plan_rng(*, campaign_id: int, day: date) -> random.Random:
    return random.Random(plan_seed(campaign_id=campaign_id, day=day))


def _quality(lead: RankedLead) -> float:
    """How much a lead's own score raises its segment's rate: half for a score of 0, all of it for 100."""
    return 0.5 + lead.score / 200


@dataclass
class _Segment:
    outcomes: SegmentOutcomes
    leads: deque = field(default_factory=deque)


def picks_order(
    *,
    ranked: Iterable[RankedLead],
    outcomes: dict[str, SegmentOutcomes],
    rng: random.Random,
    exploration_every: int = EXPLORATION_EVERY,
    undersampled_leads: float = UNDERSAMPLED_LEADS,
) -> Iterator[RankedLead]:
    """The ranked leads in the order to pick them today: pins, then Thompson picks with exploration.

    A generator: the enrolment takes leads until it has enough (it skips some: account limits, spacing)."""
    ranked = list(ranked)
    taken: set[int] = set()
    for lead in ranked:
        if lead.pinned:
            taken.add(lead.contact_id)
            yield lead
    segments: OrderedDict[str, _Segment] = OrderedDict()
    for lead in ranked:
        if lead.contact_id not in taken:
            segment = segments.setdefault(lead.segment, _Segment(outcomes.get(lead.segment) or _unrated(lead.segment)))
            segment.leads.append(lead)
    by_score = deque(lead for lead in ranked if lead.contact_id not in taken)
    undersampled = deque(lead for lead in by_score if segments[lead.segment].outcomes.sent < undersampled_leads)

    def next_of(queue: deque) -> RankedLead | None:
        while queue and queue[0].contact_id in taken:
            queue.popleft()
        return queue[0] if queue else None

    pick = 0
    while True:
        if pick % exploration_every == 0:
            lead = next_of(undersampled) or next_of(by_score)
        else:
            lead, best = None, -1.0
            for segment in segments.values():
                top = next_of(segment.leads)
                if top is None:
                    continue
                draw = rng.betavariate(segment.outcomes.alpha, segment.outcomes.beta) * _quality(top)
                if draw > best:
                    lead, best = top, draw
        if lead is None:
            return
        taken.add(lead.contact_id)
        pick += 1
        yield lead


def describe_segment(segment: str) -> str:
    """A segment as a person says it: "vp operations at logistics firms of 200-999 staff, with hiring signals"."""
    industry, size_band, persona, signal = ([*segment.split("|"), "", "", "", ""])[:4]
    who = persona if persona and persona != "other" else "people"
    where = f"{industry} firms" if industry and industry != "other" else "firms"
    size = f" of {size_band} staff" if size_band and size_band != "unknown" else ""
    signals = "without signals" if signal in ("", NO_SIGNAL) else f"with {signal.replace('_', ' ')} signals"
    return f"{who} at {where}{size}, {signals}"


def learned_sentence(*, outcomes: dict[str, SegmentOutcomes], picks: list[RankedLead]) -> str:
    """What the plan learned, in one sentence, claimed only where the evidence separates two segments."""
    picked_segments = {lead.segment for lead in picks}
    known = {segment: counts for segment, counts in outcomes.items() if counts.sent > 0}
    undersampled = {s for s in set(known) | picked_segments if outcomes.get(s, _unrated(s)).sent < COMPARED_FROM_LEADS}
    compared = [counts for counts in known.values() if counts.sent >= COMPARED_FROM_LEADS]
    if not known:
        return (
            "Still exploring: no results yet, so today's picks spread over the audience's segments to learn what "
            "converts, the best-scored lead of each first."
        )
    if len(compared) >= 2:
        best = max(compared, key=lambda counts: (counts.mean, counts.segment))
        worst = min(compared, key=lambda counts: (counts.mean, counts.segment))
        if best.interval[0] > worst.interval[1]:
            share = sum(lead.segment == best.segment for lead in picks) / len(picks) if picks else 0.0
            return (
                f"Learned: {describe_segment(best.segment)} book meetings {best.mean / worst.mean:.1f}× as often "
                f"as {describe_segment(worst.segment)} ({best.mean:.1%} against {worst.mean:.1%} of leads "
                f"contacted): {share:.0%} of today's picks."
            )
    return (
        f"Still exploring: {len(undersampled)} segment{'s' if len(undersampled) != 1 else ''} with fewer than "
        f"{COMPARED_FROM_LEADS} leads contacted, and no segment converts clearly better yet."
    )
