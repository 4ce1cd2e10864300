"""`bench_pipeline` at a tiny size: both modes run the real pipeline and print their figures.

No timing is asserted (this machine's speed is not the code's behaviour); the figures are printed for
whoever runs the tests with -s."""

import io
import re

import pytest
from django.core.management import call_command

from agents.delivery.models import OutboundMessage
from agents.models import AgentRun, AgentStep

# The benchmark's worker threads use their own database connections, which must see committed rows.
pytestmark = pytest.mark.django_db(transaction=True)


def test_the_offline_benchmark_takes_every_lead_through_and_counts_queries_per_lead(settings):
    settings.ANTHROPIC_BASE_URL = ""
    out = io.StringIO()
    call_command("bench_pipeline", leads=20, sample=10, concurrency=2, stdout=out)
    text = out.getvalue()
    print(text)
    assert AgentRun.objects.count() == 30
    assert not AgentRun.objects.filter(status__in=["pending", "running", "failed"]).exists()
    assert OutboundMessage.objects.exists()
    sizes = re.findall(r"^\s*([\d,]+) leads at concurrency 2: [\d.]+ s, [\d.]+ leads/s, ([\d.]+) SQL", text, re.M)
    assert [size for size, _ in sizes] == ["10", "20"]
    assert all(float(queries) > 10 for _, queries in sizes)
    assert re.search(r"SQL queries per lead: [\d.]+ at 10 leads, [\d.]+ at 20 leads", text)
    assert "Throughput:" in text


def test_the_anthropic_benchmark_talks_http_to_a_fake_model_and_reports_caching(settings):
    settings.ANTHROPIC_BASE_URL = ""
    out = io.StringIO()
    call_command(
        "bench_pipeline", provider="anthropic", latency_ms=5, levels="1,4", rounds=2, token_leads=10, stdout=out
    )
    text = out.getvalue()
    print(text)
    assert "local fake Messages API" in text
    assert re.search(r"concurrency   1:    2 leads in [\d.]+ s = [\d.]+ leads/s; [\d.]+ model calls per lead", text)
    assert re.search(r"concurrency   4:    8 leads .* ideal [\d.]+ leads/s, reached \d+%", text)
    assert re.search(r"Token use, 10-lead campaign: [\d,]+ tokens per lead .*; [\d.]+% of input tokens read", text)
    steps = AgentStep.objects.exclude(agent="route")
    assert steps.exists() and not steps.exclude(provider="anthropic").exists()
    assert steps.filter(cache_read_tokens__gt=0).exists()
    assert not AgentRun.objects.filter(status="failed").exists()
