"""`make run` uses the embedded SQLite database: the demo loads there and every page a demo person
reaches from the navigation answers without a server error, and an inbox decision goes through."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

SCRIPT = r"""
import re

from django.test import Client
from django.urls import reverse
from agents.models import Handoff

failures = []
for who in ("rep", "manager", "admin"):
    client = Client()
    assert client.login(email=f"{who}@demo.test", password="salesops-demo"), who
    seen, todo = set(), [reverse("dashboard")]
    while todo and len(seen) < 40:
        url = todo.pop(0)
        if url in seen:
            continue
        seen.add(url)
        response = client.get(url, follow=True)
        if response.status_code >= 500:
            failures.append((who, url, response.status_code))
        text = response.content.decode(errors="replace")
        for href in re.findall(r'href="(/[^"#?]*)', text):
            skip = href.startswith(("/static/", "/admin/", "/accounts/logout")) or "export" in href
            if href not in seen and not skip:
                todo.append(href)
rep = Client()
rep.login(email="rep@demo.test", password="salesops-demo")
item = Handoff.objects.filter(kind="escalation", status="open").first() or Handoff.objects.filter(status="open").first()
response = rep.post(reverse("review:take_over", args=[item.pk]), follow=True)
if response.status_code >= 500:
    failures.append(("rep", "take over", response.status_code))
print("FAILURES", failures)
print("PAGES OK")
"""


@pytest.mark.slow
def test_the_demo_runs_on_the_embedded_database(tmp_path):
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_", "EMAIL_"))},
        "DEBUG": "1",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'salesops.sqlite3'}",
        "SALESOPS_TASKS_SYNC": "1",
        "DJANGO_SETTINGS_MODULE": "salesops.settings",
    }

    def manage(*args):
        return subprocess.run(
            [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
        )

    assert manage("migrate", "-v0").returncode == 0
    demo = manage("demo")
    assert demo.returncode == 0, demo.stderr[-2000:]
    result = manage("shell", "--no-imports", "-c", SCRIPT)
    assert "PAGES OK" in result.stdout, result.stderr[-3000:]
    assert "FAILURES []" in result.stdout, result.stdout[-3000:]
