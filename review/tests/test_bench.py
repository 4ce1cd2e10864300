"""The inbox benchmark runs end to end on a tiny data set (the real one: see the command's docstring)."""

import re
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from agents.models import AgentStep, Handoff
from salesops.models import AuditEvent, User

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


@pytest.mark.slow
@pytest.mark.real_clock
@pytest.mark.postgresql(reason="gunicorn workers against one database")
@pytest.mark.django_db(transaction=True)  # committed rows: gunicorn reads the test database from other processes
def test_the_reviewer_benchmark_signs_reviewers_in_works_the_inbox_through_gunicorn_and_reports_no_error():
    out = StringIO()
    call_command("bench_reviewers", reviewers=2, seconds=3, items=600, workers=2, threads=2, stdout=out)
    report = out.getvalue()
    for request in ("sign-in page", "sign in", "list"):
        assert re.search(rf"^{request}\s+[1-9]\d*\s+[\d.]+\s+[\d.]+\s+0$", report, re.M), report
    # In 3 s the two reviewers may not reach every kind of request; each still has its line, without errors.
    for request in ("next page", "item", "approve", "reject", "snooze", "dismiss"):
        assert re.search(rf"^{request}\s+\d+\s+([\d.]+|-)\s+([\d.]+|-)\s+0$", report, re.M), report
    totals = re.search(r"^\d+ requests in [\d.]+ s after signing in: [\d.]+ requests/s, (\d+) decisions", report, re.M)
    assert totals and int(totals[1]) > 0, report
    # Every decision counted was made by the server (a conflict is not a decision).
    reviewers = User.objects.filter(email__startswith="reviewer-").values("pk")
    decided = AuditEvent.objects.filter(actor_user_id__in=reviewers, verb__startswith="handoff.")
    assert decided.count() == int(totals[1])
    assert report.rstrip().endswith("errors: 0"), report


def test_the_reviewer_benchmark_refuses_a_database_other_than_postgresql(monkeypatch):
    monkeypatch.setattr(connection, "vendor", "sqlite")
    with pytest.raises(CommandError, match="needs PostgreSQL"):
        call_command("bench_reviewers", stdout=StringIO())
