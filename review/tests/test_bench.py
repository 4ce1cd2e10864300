"""The inbox benchmark runs end to end on a tiny data set (the real one: see the command's docstring)."""

import re
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from agents.models import AgentStep, Handoff

pytestmark = pytest.mark.django_db


def test_the_benchmark_loads_its_rows_and_reports_every_request_at_both_sizes():
    out = StringIO()
    call_command("bench_inbox", handoffs=300, steps=1500, small=100, runs=2, stdout=out)
    report = out.getvalue()
    assert Handoff.objects.filter(workspace__name__startswith="Bench inbox").count() == 300
    assert AgentStep.objects.filter(workspace__name__startswith="Bench inbox").count() == 1500
    for size in ("100", "300"):
        for request in ("list", "next page", "item", "approve"):
            assert re.search(rf"^\s+{size} {request}\s+[\d.]+\s+\d+", report, re.M), report
    assert "query counts are the same at every size" in report


def test_the_benchmark_refuses_impossible_sizes():
    with pytest.raises(CommandError, match="--small"):
        call_command("bench_inbox", handoffs=100, steps=1000, small=500, stdout=StringIO())
