"""bench_inbound runs end to end at a tiny size and proves the duplicate result (no timing asserted)."""

import pytest
from django.core.management import call_command


@pytest.mark.django_db(transaction=True)
def test_bench_inbound_prints_its_figures(capsys):
    call_command("bench_inbound", messages=18, threads=6, duplicates=6)
    out = capsys.readouterr().out
    assert "messages/s end to end" in out
    assert "no duplicate stored" in out
    assert "'processed': 18" in out
