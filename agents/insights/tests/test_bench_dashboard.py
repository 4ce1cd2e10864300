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


def test_the_benchmark_runs_in_a_database_that_has_handed_out_thousands_of_workspace_ids(capsys):
    # A long-lived database (or a long test run on PostgreSQL, whose sequences never rewind) has high ids.
    from django.core.management.color import no_style
    from django.db import connection

    from salesops.models import Workspace

    Workspace.objects.create(pk=5000, name="Old", slug="old")
    with connection.cursor() as cursor:
        for statement in connection.ops.sequence_reset_sql(no_style(), [Workspace]):
            cursor.execute(statement)
    call_command("bench_dashboard", scale=0.002, runs=1)
    assert "query counts are the same at every size" in capsys.readouterr().out
