import re

import pytest
from django.core.management import call_command

pytestmark = pytest.mark.django_db


def test_the_benchmark_loads_two_sizes_and_prints_timings_and_constant_query_counts(capsys):
    call_command("bench_dashboard", scale=0.002, runs=2)
    text = capsys.readouterr().out
    assert "small" in text and "full" in text
    for request in ("dashboard", "overview", "contact page", "audit campaign", "audit contact", "audit agent+dates"):
        assert len(re.findall(re.escape(request) + r"\s+[\d.]+\s+\d+", text)) == 2, text
    assert "query counts are the same at every size" in text
