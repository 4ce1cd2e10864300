"""Simulated weeks: does the planner's learning book more meetings than a random pick from the same audience?

    python manage.py bench_planner_weeks            # 20 seeds × 20 business days × 50 picks over 6,000 leads

Pure Python over the planner's own functions (agents.outreach.learning.picks_order and its posteriors), not the
whole pipeline: a synthetic audience of ranked leads over industries, sizes, personas and signal kinds; each
lead's chance to book is the prospect simulator's table (agents.conversations.simulator.prospect_rates), drawn
per first email (interested out of 20, then booking out of 10). A day's results are known by the next day
(in the product replies and bookings lag a few days; the benchmark leaves that out).

Three pickers, the same audiences and the same outcome draws per seed:
  planner   ranking + learning: Thompson sampling over segments with the one-in-five exploration floor
  ranking   the ranking's score order alone (no learning)
  random    a uniform random pick from the leads not yet picked

Each prints meetings per 1,000 leads contacted, the mean over seeds with a 95% confidence interval.
The ranking's fit and intent are drawn independently of the simulator's rates: the ICP's fit does not know
the table, so whatever the planner gains over random it gains by learning.
"""

import math
import random
import statistics
import time
from dataclasses import dataclass

from django.core.management.base import BaseCommand

from agents.conversations.simulator import prospect_rates
from agents.outreach.learning import SegmentOutcomes, picks_order
from agents.outreach.ranking import RankedLead, segment_key

INDUSTRIES = [("logistics", "Logistics"), ("software", "Software"), ("fintech", "Fintech"), ("retail", "Retail")]
SIZES = [("1-49", 20), ("50-199", 120), ("200-999", 400), ("1000+", 3000)]
PERSONAS = [
    ("vp operations", "VP Operations"),
    ("head sales", "Head of Sales"),
    ("vp sales", "VP Sales"),
    ("marketing manager", "Marketing Manager"),
]
SIGNALS = ["none", "hiring", "funding", "job_change"]


@dataclass(frozen=True)
class _Lead:
    ranked: RankedLead
    interested: float
    books: float


def _audience(rng: random.Random, size: int) -> list[_Lead]:
    leads = []
    for contact_id in range(1, size + 1):
        industry, industry_name = rng.choice(INDUSTRIES)
        band, employees = rng.choice(SIZES)
        persona, title = rng.choice(PERSONAS)
        signal = rng.choice(SIGNALS)
        rates = prospect_rates(industry=industry_name, employee_count=employees, title=title)
        fit, intent = rng.randint(40, 95), (0 if signal == "none" else rng.randint(10, 90))
        ranked = RankedLead(
            contact_id=contact_id,
            account_id=contact_id,
            score=round(0.5 * fit + 0.3 * intent, 1),
            fit=fit,
            intent=intent,
            timing=0,
            segment=segment_key(industry=industry, size_band=band, persona=persona, lead_signal=signal),
            reason="",
        )
        leads.append(_Lead(ranked, rates.interested_out_of_20 / 20, rates.booking_out_of_10 / 10))
    leads.sort(key=lambda lead: (-lead.ranked.score, lead.ranked.contact_id))
    return leads


def _run(picker: str, *, audience: list[_Lead], days: int, per_day: int, seed: int) -> tuple[int, int]:
    """Leads contacted and meetings booked by one picker over the simulated days."""
    # Each lead's outcome is drawn once per seed, so the pickers face the same prospects.
    outcome_rng = random.Random(seed * 7919)
    booked_if_picked = {
        lead.ranked.contact_id: outcome_rng.random() < lead.interested and outcome_rng.random() < lead.books
        for lead in audience
    }
    remaining = [lead.ranked for lead in audience]
    outcomes: dict[str, SegmentOutcomes] = {}
    pick_rng = random.Random(seed)
    contacted = meetings = 0
    for day in range(days):
        if picker == "random":
            picks = pick_rng.sample(remaining, min(per_day, len(remaining)))
        elif picker == "ranking":
            picks = remaining[:per_day]
        else:
            order = picks_order(ranked=remaining, outcomes=outcomes, rng=random.Random(seed * 1000 + day))
            picks = [lead for _, lead in zip(range(per_day), order, strict=False)]
        picked = {lead.contact_id for lead in picks}
        remaining = [lead for lead in remaining if lead.contact_id not in picked]
        for lead in picks:
            booked = booked_if_picked[lead.contact_id]
            counts = outcomes.setdefault(lead.segment, SegmentOutcomes(segment=lead.segment))
            counts.leads += 1
            counts.sent += 1
            counts.booked += booked
            contacted += 1
            meetings += booked
    return contacted, meetings


def _interval(values: list[float]) -> tuple[float, float, float]:
    mean = statistics.fmean(values)
    half = 1.96 * statistics.stdev(values) / math.sqrt(len(values)) if len(values) > 1 else float("nan")
    return mean, mean - half, mean + half


class Command(BaseCommand):
    help = "Simulated weeks: meetings per 1,000 leads for the learning planner, the ranking alone and a random pick."

    def add_arguments(self, parser):
        parser.add_argument("--seeds", type=int, default=20)
        parser.add_argument("--days", type=int, default=20, help="business days simulated per seed")
        parser.add_argument("--per-day", type=int, default=50, help="new leads a day")
        parser.add_argument("--audience", type=int, default=6000)

    def handle(self, *args, **options):
        started = time.perf_counter()
        rates: dict[str, list[float]] = {"planner": [], "ranking": [], "random": []}
        for seed in range(1, options["seeds"] + 1):
            audience = _audience(random.Random(seed), options["audience"])
            for picker, values in rates.items():
                contacted, meetings = _run(
                    picker, audience=audience, days=options["days"], per_day=options["per_day"], seed=seed
                )
                values.append(1000 * meetings / contacted)
        self.stdout.write(
            f"{options['seeds']} seeds × {options['days']} days × {options['per_day']} leads a day "
            f"from an audience of {options['audience']:,} ({time.perf_counter() - started:.1f} s)"
        )
        summary = {}
        for picker, values in rates.items():
            mean, low, high = _interval(values)
            summary[picker] = (mean, low, high)
            self.stdout.write(f"{picker:>8}: {mean:6.1f} meetings per 1,000 leads (95% CI {low:.1f}–{high:.1f})")
        planner_low, random_high = summary["planner"][1], summary["random"][2]
        verdict = "beats" if planner_low > random_high else "does NOT beat"
        self.stdout.write(
            f"the planner {verdict} random beyond the intervals ({planner_low:.1f} against {random_high:.1f})"
        )
