"""`bench_planner_weeks` at a tiny size prints meetings per 1,000 leads for each picker with an interval.

No result is asserted beyond the shape: at this size the intervals are wide; the figures are in the note."""

import io
import re

from django.core.management import call_command


def test_the_simulated_weeks_print_each_pickers_rate_and_a_verdict():
    out = io.StringIO()
    call_command("bench_planner_weeks", seeds=3, days=3, per_day=20, audience=300, stdout=out)
    text = out.getvalue()
    rows = re.findall(r"^\s*(planner|ranking|random): +([\d.]+) meetings per 1,000 leads \(95% CI", text, re.M)
    assert [picker for picker, _ in rows] == ["planner", "ranking", "random"]
    assert all(0 < float(rate) < 1000 for _, rate in rows)
    assert re.search(r"the planner (beats|does NOT beat) random beyond the intervals", text)
