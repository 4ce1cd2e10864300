"""Beyond one machine: two `qcluster` processes on a Redis broker send one queue exactly once.

Starts Debian's redis-server on a private loopback port (`make test` installs it when root; with
CI=true a missing redis-server fails the test instead of skipping it)."""

import os
import shutil
import signal
import subprocess
import sys
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
import redis
from django.conf import settings
from django.db import connection
from django.utils import timezone
from django_q.brokers import get_broker
from django_q.conf import Conf
from django_q.tasks import async_task

from agents.delivery.models import OutboundMessage
from agents.delivery.scheduling import delivery_schedule
from agents.delivery.tasks import delivery_send_task
from agents.delivery.tests.support import free_port, make_mailbox, make_queued, smtp_server_running
from campaigns.tests.factories import make_campaign

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]
ROOT = Path(settings.BASE_DIR)
MESSAGES = 30


@pytest.fixture
def smtp_server():
    with smtp_server_running() as server:
        yield server


@pytest.fixture
def redis_url():
    executable = shutil.which("redis-server")
    if executable is None:
        if os.environ.get("CI") == "true":
            pytest.fail("redis-server is required in CI (make test installs Debian's redis-server)")
        pytest.skip("redis-server is not installed")
    port = free_port()
    server = subprocess.Popen(
        [executable, "--bind", "127.0.0.1", "--port", str(port), "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"redis://127.0.0.1:{port}/0"
    try:
        client = redis.Redis.from_url(url)
        deadline = time.monotonic() + 15
        while True:
            try:
                client.ping()
                break
            except redis.ConnectionError:
                if time.monotonic() > deadline:
                    pytest.fail("redis-server did not start within 15 s")
                time.sleep(0.1)
        yield url
    finally:
        server.terminate()
        server.wait(timeout=10)


def _database_url_for_test_database() -> str:
    url = urlsplit(os.environ["DATABASE_URL"])
    return urlunsplit(url._replace(path="/" + connection.settings_dict["NAME"]))


def _start_qcluster(redis_url: str) -> subprocess.Popen:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "salesops.settings_test",
        "DATABASE_URL": _database_url_for_test_database(),
        "REDIS_URL": redis_url,
        "SALESOPS_WORKERS": "2",
        "SALESOPS_TEST_REAL_WORKER": "1",  # settings_test runs tasks inline unless told otherwise
    }
    env.pop("SALESOPS_TASKS_SYNC", None)
    return subprocess.Popen(
        [sys.executable, "manage.py", "qcluster"], cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )


def _stop(process: subprocess.Popen) -> str:
    process.send_signal(signal.SIGTERM)
    try:
        output = process.communicate(timeout=30)[0]
    except subprocess.TimeoutExpired:
        process.kill()
        output = process.communicate()[0]
    return output.decode(errors="replace")


@pytest.mark.real_clock
def test_two_qclusters_on_a_redis_broker_send_the_queue_exactly_once(personas, smtp_server, redis_url, monkeypatch):
    campaign = make_campaign(workspace=personas.workspace, status="active")
    boxes = [make_mailbox(workspace=personas.workspace, campaigns=[campaign], smtp=smtp_server) for _ in range(2)]
    for _ in range(MESSAGES):
        make_queued(workspace=personas.workspace, campaign=campaign)
    delivery_schedule(workspace=personas.workspace)  # threads and mailboxes
    # The workers use the real clock: make every email due now, today.
    now = timezone.now()
    for index, message in enumerate(OutboundMessage.objects.order_by("pk")):
        OutboundMessage.objects.filter(pk=message.pk).update(
            status="scheduled",
            mailbox=boxes[index % 2],
            scheduled_for=now - timedelta(seconds=30),
            send_day=timezone.localdate(now),
        )
    clusters = [_start_qcluster(redis_url), _start_qcluster(redis_url)]
    try:
        monkeypatch.setattr(Conf, "SYNC", False)
        monkeypatch.setattr(Conf, "ORM", None)
        monkeypatch.setattr(Conf, "REDIS", redis_url)
        broker = get_broker()
        for _ in range(8):  # more send tasks than needed, so the clusters compete for the same rows
            async_task(delivery_send_task, 5, broker=broker)
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            if not OutboundMessage.objects.exclude(status="sent").exists():
                break
            time.sleep(0.25)
        time.sleep(1)  # a duplicate, were there one, would arrive now
        registered = redis.Redis.from_url(redis_url).keys("django_q:*:cluster:*")
    finally:
        outputs = [_stop(cluster) for cluster in clusters]
    statuses = Counter(OutboundMessage.objects.values_list("status", flat=True))
    assert statuses == {"sent": MESSAGES}, (statuses, outputs[0][-2000:])
    arrived = Counter(smtp_server.handler.message_ids())
    assert set(arrived) == set(OutboundMessage.objects.values_list("message_id", flat=True))
    assert set(arrived.values()) == {1}, "an email arrived twice"
    assert len(registered) == 2, f"expected two clusters on the broker, saw {registered}"
