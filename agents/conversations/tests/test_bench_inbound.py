"""bench_inbound runs end to end at a tiny size and proves the duplicate result (no timing asserted).
Inline: a qcluster subprocess would not see the test's database."""

import pytest
from django.core.management import call_command


@pytest.mark.django_db(transaction=True)
def test_bench_inbound_prints_its_figures(capsys):
    call_command("bench_inbound", messages=18, threads=6, duplicates=6, workers=0)
    out = capsys.readouterr().out
    assert "receiving (store + enqueue): 18 messages" in out
    assert "end to end (inline, one process; match, classify, act): 18 messages" in out
    assert "no duplicate stored" in out
    assert "'processed': 18" in out
