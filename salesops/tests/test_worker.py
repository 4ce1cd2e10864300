"""Background work runs in a real django-q2 cluster, not only inline."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
from django.db import connection
from django_q.conf import Conf
from django_q.models import OrmQ
from django_q.tasks import async_task

from salesops.models import AuditEvent

ROOT = Path(__file__).resolve().parents[2]


def _database_url_for_test_database() -> str:
    """DATABASE_URL with its database swapped for the test database pytest-django created."""
    url = urlsplit(os.environ["DATABASE_URL"])
    return urlunsplit(url._replace(path="/" + connection.settings_dict["NAME"]))


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
@pytest.mark.real_clock
def test_a_real_qcluster_process_runs_a_task_to_completion(personas, monkeypatch):
    monkeypatch.setattr(Conf, "SYNC", False)
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "salesops.settings_test",
        "DATABASE_URL": _database_url_for_test_database(),
        "SALESOPS_WORKERS": "1",
    }
    env.pop("SALESOPS_TASKS_SYNC", None)
    # settings_test forces sync mode for unit tests; the worker process must not inherit that.
    env["SALESOPS_TEST_REAL_WORKER"] = "1"
    worker = subprocess.Popen(
        [sys.executable, "manage.py", "qcluster"], cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )
    try:
        async_task("salesops.tasks.audit_verify_task", personas.workspace.pk)
        # A success is not kept as a django-q result (settings: save_limit); the task's own record is.
        deadline = time.monotonic() + 60
        verified = None
        while time.monotonic() < deadline:
            verified = AuditEvent.objects.filter(workspace=personas.workspace, verb="audit.verified").first()
            if verified is not None:
                break
            time.sleep(0.25)
        if verified is None:
            worker.terminate()
            output = worker.communicate(timeout=20)[0].decode(errors="replace")
            pytest.fail(f"the worker did not finish the task within 60 s:\n{output[-3000:]}")
        assert verified.after["intact"] is True
        while OrmQ.objects.exists() and time.monotonic() < deadline:  # acknowledged: off the queue
            time.sleep(0.25)
        assert not OrmQ.objects.exists()
    finally:
        worker.send_signal(signal.SIGTERM)
        try:
            worker.wait(timeout=20)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait()
