"""Post raw replies through the MIME endpoint and print messages per second: receiving (store + enqueue,
what the endpoint does) and end to end (match, classify, act) by real django-q workers, plus what happened
to duplicate deliveries.

    python manage.py bench_inbound --messages 1000 --workers 2
    python manage.py bench_inbound --messages 10000 --workers 2

With --workers 0 the processing runs inline in this process (what the test of this command uses: a worker
subprocess cannot see a test's database). The workers are `manage.py qcluster` with SALESOPS_WORKERS set,
on this process's settings and database; they are stopped when the queue is empty.
"""

import hashlib
import os
import secrets
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

from django.core.management.base import BaseCommand
from django.db import connection
from django.test import Client
from django.test.utils import override_settings
from django.urls import reverse
from django_q.conf import Conf
from django_q.models import OrmQ

from agents.conversations import services
from agents.conversations.models import InboundMessage
from agents.delivery.models import EmailThread, Mailbox, OutboundMessage
from campaigns.models import Account, Contact
from campaigns.tests.factories import make_campaign
from salesops.models import Workspace

CORPUS = Path(__file__).resolve().parents[2] / "tests" / "corpus"
# Human replies that the agents answer or route without a person first; bounces and auto-replies too.
TEMPLATES = ["01-interested-gmail.eml", "06-question-integration.eml", "09-objection-competitor.eml",
             "13-notnow-q1.eml", "22-unsubscribe-de.eml", "27-negotiation-discount.eml", "35-ooo-exchange.eml",
             "40-bounce-postfix.eml", "34-other-thanks.eml"]  # fmt: skip


class Command(BaseCommand):
    help = "Benchmark inbound mail through the MIME endpoint (end to end, offline)."

    def add_arguments(self, parser):
        parser.add_argument("--messages", type=int, default=10000)
        parser.add_argument("--threads", type=int, default=1000, help="distinct conversations")
        parser.add_argument("--duplicates", type=int, default=1000, help="messages delivered a second time")
        parser.add_argument("--workers", type=int, default=2, help="qcluster workers; 0: process inline")

    def handle(self, *args, messages: int, threads: int, duplicates: int, workers: int, **options):
        threads = min(threads, messages)
        workspace = Workspace.objects.create(name=f"Inbound bench {time.time_ns()}", slug=f"ib-{time.time_ns()}")
        secret = secrets.token_urlsafe(24)
        workspace.inbound_secret_hash = hashlib.sha256(secret.encode()).hexdigest()
        workspace.save()
        campaign = make_campaign(workspace=workspace, autonomy="review_all")
        mailbox = Mailbox.objects.create(workspace=workspace, from_name="Sam", from_address="sam@bench.example")
        account = Account.objects.create(workspace=workspace, name="Bench Co", domain=f"bench{workspace.pk}.example")
        contacts = Contact.objects.bulk_create(
            Contact(workspace=workspace, account=account, first_name="P", email=f"p{n}@{account.domain}")
            for n in range(threads)
        )
        thread_rows = EmailThread.objects.bulk_create(
            EmailThread(workspace=workspace, campaign=campaign, contact=c, mailbox=mailbox, reply_token=f"bt{c.pk}")
            for c in contacts
        )
        OutboundMessage.objects.bulk_create(
            OutboundMessage(workspace=workspace, campaign=campaign, contact=t.contact, thread=t, mailbox=mailbox,
                            subject="Hello", body_text="Hi", idempotency_key=f"b{t.pk}", status="sent",
                            message_id=f"<bench-{t.pk}@bench.example>")
            for t in thread_rows
        )  # fmt: skip
        templates = [(CORPUS / name).read_text() for name in TEMPLATES]
        raws = []
        for n in range(messages):
            thread = thread_rows[n % threads]
            text = templates[n % len(templates)]
            for old in ("jane.doe@", "kim.sato@", "paul.meyer@", "klaus.richter@", "quinn.rossi@", "julia.hartmann@",
                        "ben.carter@", "priya.nair@", "dan.ortega@"):  # fmt: skip
                text = text.replace(old, f"p{n % threads}@")
            text = text.replace("acme-robotics.example", account.domain)
            text = text.replace("old.contact@" + account.domain, thread.contact.email)
            text = text.replace("reply+t8f3k2@", f"reply+{thread.reply_token}@")
            text = text.replace("<out-1001@demo-sales.example>", f"<bench-{thread.pk}@bench.example>")
            text = text.replace("Message-ID: <", f"Message-ID: <b{n}-", 1)
            raws.append(text.encode())
        client = Client()
        url = reverse("conversations:inbound_mime")
        headers = {"Authorization": f"Bearer {secret}"}

        def post_all(items) -> Counter:
            statuses = Counter()
            for raw in items:
                statuses[client.post(url, raw, content_type="message/rfc822", headers=headers).status_code] += 1
            return statuses

        # DEBUG off while measuring (as in production: no query log).
        quiet = override_settings(ALLOWED_HOSTS=["testserver"], SECURE_SSL_REDIRECT=False, DEBUG=False)
        if workers:
            # Receiving as in production: store and enqueue (the ORM broker's insert); then real workers.
            sync_before, Conf.SYNC = Conf.SYNC, False
            try:
                with quiet:
                    started = time.perf_counter()
                    statuses = post_all(raws)
                    receive_seconds = time.perf_counter() - started
                    again = post_all(raws[:duplicates])
            finally:
                Conf.SYNC = sync_before
            seconds, steady = self._process_with_workers(workspace, workers, messages)
        else:
            # Inline: django-q's own "sync" mode spends ~0.1 s a task in multiprocessing queues, which says
            # nothing about our code, so the task functions are called directly.
            enqueue_before = services.async_task
            services.async_task = lambda func, *task_args, **_: func(*task_args)
            try:
                with quiet:
                    started = time.perf_counter()
                    statuses = post_all(raws)
                    seconds = steady = time.perf_counter() - started
                    again = post_all(raws[:duplicates])
            finally:
                services.async_task = enqueue_before
            fresh = [raw.replace(b"Message-ID: <b", b"Message-ID: <r", 1) for raw in raws]
            sync_before, Conf.SYNC = Conf.SYNC, False
            try:
                with quiet:
                    started = time.perf_counter()
                    post_all(fresh)
                    receive_seconds = time.perf_counter() - started
            finally:
                Conf.SYNC = sync_before
            InboundMessage.objects.filter(workspace=workspace, dedupe_key__startswith="<r").delete()
        OrmQ.objects.all().delete()  # what the answers enqueued (drafting) is not part of this benchmark
        stored = InboundMessage.objects.filter(workspace=workspace)
        self.stdout.write(f"database: {connection.vendor}")
        how = f"{workers} qcluster workers" if workers else "inline, one process"
        self.stdout.write(
            f"receiving (store + enqueue): {messages} messages in {receive_seconds:.1f} s: "
            f"{messages / receive_seconds:.0f} messages/s; HTTP {dict(statuses)}"
        )
        self.stdout.write(
            f"end to end ({how}; match, classify, act): {messages} messages over {threads} threads in "
            f"{seconds:.1f} s from start: {messages / seconds:.0f} messages/s; steady "
            f"{messages / steady:.0f} messages/s (first to last processed)"
        )
        self.stdout.write(f"outcomes: {dict(Counter(stored.values_list('status', flat=True)))}")
        self.stdout.write(f"categories: {dict(Counter(stored.values_list('category', flat=True)))}")
        self.stdout.write(
            f"duplicates: re-posted {duplicates}, HTTP {dict(again)}, stored messages {stored.count()} "
            f"(expected {messages}): {'no duplicate stored' if stored.count() == messages else 'DUPLICATES STORED'}"
        )

    def _process_with_workers(self, workspace, workers: int, messages: int) -> tuple[float, float]:
        """Start a qcluster with `workers` workers, wait until every stored message is processed, stop it.
        (seconds from start to the last message, seconds from the first processed to the last)."""
        pending = InboundMessage.objects.filter(
            workspace=workspace, status__in=[InboundMessage.Status.RECEIVED, InboundMessage.Status.PROCESSING]
        )
        environment = {**os.environ, "SALESOPS_WORKERS": str(workers)}
        started = time.perf_counter()
        cluster = subprocess.Popen(
            [sys.executable, "manage.py", "qcluster"], env=environment, stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL, start_new_session=True,
        )  # fmt: skip
        first_done = None
        try:
            deadline = started + 60 + messages  # a second a message at worst: something is wrong
            while time.perf_counter() < deadline:
                left = pending.count()
                if first_done is None and left < messages:
                    first_done = time.perf_counter()
                if left == 0:
                    break
                if cluster.poll() is not None:
                    raise RuntimeError(f"qcluster exited with {cluster.returncode}")
                time.sleep(0.2)
            else:
                raise RuntimeError(f"{pending.count()} messages still unprocessed at the deadline")
            finished = time.perf_counter()
        finally:
            os.killpg(cluster.pid, signal.SIGTERM)
            try:
                cluster.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(cluster.pid, signal.SIGKILL)
                cluster.wait()
        return finished - started, finished - (first_done or started)
