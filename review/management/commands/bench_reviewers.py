"""Time the review inbox under concurrent reviewers: signed-in reps against gunicorn on PostgreSQL.

    python manage.py bench_reviewers                       # 20 reviewers for 60 s on 20,000 handoffs
    python manage.py bench_reviewers --reviewers 2 --seconds 3 --items 600

It loads one workspace ("Bench inbox …") with `--items` handoffs through bench_inbox's loader (about
a quarter open, the rest snoozed or resolved, as in a workspace in use for a while), adds `--reviewers`
reps who have a password, and shares the open items out: nine in ten are assigned to a reviewer (their
"Mine" queue), the tenth stays unassigned, which every reviewer may take, so two of them sometimes decide
the same item at once.

Then it runs gunicorn (`--workers`, `--threads`) on 127.0.0.1 against the same database with production
settings (DEBUG off, whitenoise serving the collected static files; SECURE_SSL_REDIRECT off as there is
no TLS here), and one thread per reviewer, each its own HTTP client and cookie jar, works the inbox as a
rep does in a browser: signs in through the login form, opens the inbox (their queue, first item open),
decides the open item with htmx requests carrying the CSRF token — approves most, rejects some with a
reason, snoozes some (dismisses the exceptions that cannot be approved) — moving on to the next item the
answer brings, sometimes clicks another row, turns to the next page, or takes from the unassigned queue.

It prints, per kind of request, how many, the median (p50) and 95th percentile milliseconds, and the
errors (a 5xx, a connection error, an unexpected status or answer). "Already handled by …" answers to
a race on an unassigned item are correct and counted as conflicts, not errors. The command exits
non-zero when there was any error. The load generator runs on the same machine: the figures include
the clients' own CPU use.
"""

import html
import logging
import os
import random
import re
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from dataclasses import dataclass, field
from http.cookiejar import DefaultCookiePolicy
from urllib.parse import quote, urlencode

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.urls import reverse

from agents.models import Handoff
from review.management.commands.bench_inbox import _Bench
from salesops.models import Membership, Role, User

STEPS_PER_HANDOFF = 10
PASSWORD = "bench-reviewer-password"  # noqa: S105 - throwaway accounts of a benchmark workspace
KEEP_ALIVE_SECONDS = 5  # gunicorn keeps an idle connection open this long
SHARED_EVERY = 10  # one open item in ten stays unassigned: anyone may take it
SIGN_IN = ("sign-in page", "sign in")
KINDS = ("sign-in page", "sign in", "list", "next page", "item", "approve", "reject", "snooze", "dismiss")
ITEM_SECTION = re.compile(r'<section id="item-detail"[^>]*?data-item-id="(\d+)"')
ROW = re.compile(r'<li id="row-(\d+)"')
NEXT_PAGE = re.compile(r'<a href="([^"]*after=[^"]*)" hx-get=')
ACTION = re.compile(r'hx-post="(/inbox/\d+/(approve|reject|snooze|dismiss)/[^"]*)"')
PROBLEM = re.compile(r'<div class="message message-error" role="alert">([^<]*)</div>')
CSRF_HEADER = re.compile(r'"X-CSRFToken": "([^"]+)"')
FORM_CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
REJECT_REASONS = [reason for reason in Handoff.RejectReason.values if reason != Handoff.RejectReason.OTHER]


def _percentile(sorted_values: list[float], share: float) -> float:
    """Nearest-rank percentile of an already sorted list."""
    if not sorted_values:
        return 0.0
    rank = max(1, round(share * len(sorted_values) + 0.4999))
    return sorted_values[min(rank, len(sorted_values)) - 1]


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _database_url() -> str:
    """The URL of the database this command uses (the test database under pytest), for gunicorn.
    Connection options (a Unix socket's host and port from scripts/with-postgres, sslmode …) go in the query."""
    db = connection.settings_dict
    credentials = quote(db["USER"] or "", safe="")
    if db.get("PASSWORD"):
        credentials += ":" + quote(db["PASSWORD"], safe="")
    host = quote(db.get("HOST") or "", safe="") + (f":{db['PORT']}" if db.get("PORT") else "")
    options = {key: value for key, value in db.get("OPTIONS", {}).items() if isinstance(value, str | int)}
    url = f"postgres://{credentials}@{host}/{quote(db['NAME'], safe='')}"
    return url + ("?" + urlencode(options) if options else "")


class _LocalhostIsSecure(DefaultCookiePolicy):
    """Send Secure cookies to 127.0.0.1 over plain HTTP, as browsers do for localhost (the settings mark
    the session and CSRF cookies Secure with DEBUG off; there is no TLS in front of this gunicorn)."""

    def return_ok_secure(self, cookie, request):
        return True


@dataclass
class _Tally:
    """What one reviewer measured: milliseconds per request kind, errors and conflicts."""

    samples: dict = field(default_factory=lambda: defaultdict(list))
    errors: dict = field(default_factory=lambda: defaultdict(int))
    conflicts: int = 0
    decisions: int = 0
    error_examples: list = field(default_factory=list)
    ran_dry: bool = False


class _ReviewerError(Exception):
    pass


class _Reviewer:
    """One rep in a browser: a client with its own cookie jar, working the inbox until the deadline."""

    def __init__(self, httpx, base_url: str, email: str, seed: int):
        self.httpx, self.email, self.deadline = httpx, email, 0.0
        self.random = random.Random(seed)
        self.client = httpx.Client(
            base_url=base_url,
            timeout=30.0,
            follow_redirects=False,
            # A pooled connection is dropped before gunicorn closes it (its --keep-alive is longer): else a
            # request sent just as the server closes an idle connection dies with "Server disconnected",
            # which a browser would retry silently and is no fault of the application.
            limits=httpx.Limits(keepalive_expiry=KEEP_ALIVE_SECONDS / 2),
        )
        self.client.cookies.jar.set_policy(_LocalhostIsSecure())
        self.origin = base_url
        self.tally = _Tally()
        self.csrf = ""

    def run(self, start: threading.Barrier, clock: dict) -> _Tally:
        """Sign in, wait for every reviewer to be signed in, then work until the clock's deadline."""
        try:
            try:
                self._sign_in()
                signed_in = True
            except _ReviewerError:
                signed_in = False  # counted as an error already; still meet the others at the start
            start.wait()
            self.deadline = clock["deadline"]
            if signed_in:
                self._work()
        except _ReviewerError:
            pass  # counted as an error already; a reviewer who cannot go on stops
        finally:
            self.client.close()
        return self.tally

    # Requests ------------------------------------------------------------------------------------

    def _request(self, kind: str, method: str, url: str, *, expect=(200,), htmx=False, data=None):
        headers = {}
        if htmx:
            headers["HX-Request"] = "true"
        if method == "POST":
            headers |= {"X-CSRFToken": self.csrf, "Origin": self.origin}
        started = time.perf_counter()
        try:
            response = self.client.request(method, url, headers=headers, data=data)
        except self.httpx.HTTPError as error:
            self._error(kind, f"{method} {url}: {type(error).__name__} {error}")
            raise _ReviewerError from error
        self.tally.samples[kind].append((time.perf_counter() - started) * 1000)
        if response.status_code not in expect:
            self._error(kind, f"{method} {url}: HTTP {response.status_code}")
            raise _ReviewerError
        return response

    def _error(self, kind: str, text: str) -> None:
        self.tally.errors[kind] += 1
        if len(self.tally.error_examples) < 5:
            self.tally.error_examples.append(f"{self.email} {kind}: {text}")

    def _time_is_up(self) -> bool:
        return time.monotonic() >= self.deadline

    # The work ------------------------------------------------------------------------------------

    def _sign_in(self) -> None:
        login = reverse("account_login")
        page = self._request("sign-in page", "GET", login)
        token = FORM_CSRF.search(page.text)
        if token is None:
            self._error("sign-in page", "no CSRF token in the login form")
            raise _ReviewerError
        self.csrf = token.group(1)
        answer = self._request(
            "sign in",
            "POST",
            login,
            expect=(302,),
            data={"login": self.email, "password": PASSWORD, "csrfmiddlewaretoken": self.csrf},
        )
        if answer.headers.get("location", "").startswith(login):
            self._error("sign in", f"redirected to {answer.headers['location']}")
            raise _ReviewerError

    def _work(self) -> None:
        queue = "mine"
        while not self._time_is_up():
            page = self._open_list(queue)
            if page is None:
                if queue == "unassigned":
                    self.tally.ran_dry = True
                    return
                queue = "unassigned"
                continue
            text, rows, next_page = page
            # A stretch of decisions from the open item, each answer bringing the next one.
            for _ in range(self.random.randint(4, 12)):
                if self._time_is_up():
                    return
                roll = self.random.random()
                if roll < 0.15 and rows:
                    text = self._request(
                        "item", "GET", f"/inbox/{self.random.choice(rows)}/?queue={queue}", htmx=True
                    ).text
                elif roll < 0.22 and next_page:
                    text = self._request("next page", "GET", next_page, htmx=True).text
                    rows, next_page = ROW.findall(text), self._next_page(text)
                    if not ITEM_SECTION.search(text):
                        break
                    continue
                text = self._decide(text)
                if text is None:
                    break
            # Now and then a reviewer takes from the shared, unassigned items instead of their own.
            queue = "unassigned" if self.random.random() < 0.2 else "mine"

    def _open_list(self, queue: str):
        text = self._request("list", "GET", f"/inbox/?queue={queue}").text
        token = CSRF_HEADER.search(text)
        if token is None:
            self._error("list", "no CSRF token on the inbox page")
            raise _ReviewerError
        self.csrf = token.group(1)
        if not ITEM_SECTION.search(text):
            return None
        return text, ROW.findall(text), self._next_page(text)

    @staticmethod
    def _next_page(text: str) -> str:
        found = NEXT_PAGE.search(text)
        return html.unescape(found.group(1)) if found else ""

    def _decide(self, text: str) -> str | None:
        """Decide the item open in `text`; the answer (htmx) holds the next item, or None when none is."""
        actions = {name: html.unescape(url) for url, name in ACTION.findall(text)}
        if not actions:
            return None
        roll = self.random.random()
        if "approve" in actions and roll < 0.8:
            kind, data = "approve", {}
        elif "reject" in actions and roll < 0.9:
            kind, data = "reject", {"reason": self.random.choice(REJECT_REASONS), "note": "Not for this account."}
        elif "snooze" in actions and (roll >= 0.9 or "dismiss" not in actions):
            kind, data = "snooze", {"until": self.random.choice(["1h", "4h", "tomorrow", "next_week"])}
        elif "dismiss" in actions:
            kind, data = "dismiss", {"note": "Handled by phone."}
        else:
            kind = next(iter(actions))
            data = {"reason": REJECT_REASONS[0]} if kind == "reject" else {}
        answer = self._request(kind, "POST", actions[kind], htmx=True, data=data).text
        problem = PROBLEM.search(answer)
        if problem:
            message = html.unescape(problem.group(1))
            if message.startswith("Already handled by"):
                self.tally.conflicts += 1
                return None  # someone was first: back to the list, as a rep would
            self._error(kind, f"refused: {message}")
            raise _ReviewerError
        self.tally.decisions += 1
        return answer if ITEM_SECTION.search(answer) else None


class _Gunicorn:
    """gunicorn serving salesops.wsgi on 127.0.0.1:port; stopped on leaving, whatever happened."""

    def __init__(self, *, port: int, workers: int, threads: int, env: dict):
        self.port, self.workers, self.threads, self.env = port, workers, threads, env
        self.process = None
        self.log = tempfile.NamedTemporaryFile(prefix="bench-reviewers-gunicorn-", suffix=".log", delete=False)  # noqa: SIM115

    def __enter__(self):
        command = [
            sys.executable,
            "-m",
            "gunicorn",
            "salesops.wsgi",
            f"--bind=127.0.0.1:{self.port}",
            f"--workers={self.workers}",
            f"--threads={self.threads}",
            f"--worker-class={'gthread' if self.threads > 1 else 'sync'}",
            "--timeout=60",
            f"--keep-alive={KEEP_ALIVE_SECONDS}",
            "--log-level=warning",
        ]
        self.process = subprocess.Popen(  # noqa: S603 - our own interpreter and arguments
            command, cwd=settings.BASE_DIR, env=self.env, stdout=self.log, stderr=subprocess.STDOUT
        )
        try:
            self._wait_until_it_answers()
        except BaseException:
            self.__exit__(None, None, None)
            raise
        return self

    def _wait_until_it_answers(self) -> None:
        until = time.monotonic() + 60
        while time.monotonic() < until:
            if self.process.poll() is not None:
                raise CommandError(f"gunicorn exited with {self.process.returncode}:\n{self.log_tail()}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=5) as probe:
                    probe.sendall(b"GET /accounts/login/ HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n")
                    status_line = probe.recv(64).split(b"\r\n", 1)[0]
            except OSError:
                time.sleep(0.2)
                continue
            if b" 200 " not in status_line + b" ":
                raise CommandError(f"gunicorn answered {status_line!r} to the login page:\n{self.log_tail()}")
            return
        raise CommandError(f"gunicorn did not answer on port {self.port} within 60 s:\n{self.log_tail()}")

    def log_tail(self, lines: int = 30) -> str:
        with open(self.log.name, encoding="utf-8", errors="replace") as log:
            return "".join(log.readlines()[-lines:])

    def __exit__(self, *exc):
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)  # gunicorn's graceful stop: the workers finish, then exit
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log.close()
        return False


class Command(BaseCommand):
    help = "Run signed-in reviewers against gunicorn on PostgreSQL; print p50/p95 ms per request and the errors."

    def add_arguments(self, parser):
        parser.add_argument("--reviewers", type=int, default=20, help="reps working the inbox at once [20]")
        parser.add_argument("--seconds", type=float, default=60, help="how long they work [60]")
        parser.add_argument("--items", type=int, default=20_000, help="handoffs loaded, about a quarter open [20000]")
        parser.add_argument("--workers", type=int, default=4, help="gunicorn worker processes [4]")
        parser.add_argument("--threads", type=int, default=2, help="threads per gunicorn worker (gthread) [2]")
        parser.add_argument("--port", type=int, default=0, help="port on 127.0.0.1 [a free one]")

    def handle(self, *args, reviewers, seconds, items, workers, threads, port, **options):
        if connection.vendor != "postgresql":
            raise CommandError(
                "bench_reviewers needs PostgreSQL (several gunicorn workers write to one database at once): "
                "set DATABASE_URL=postgres://… or run it under scripts/with-postgres"
            )
        if reviewers < 1 or seconds <= 0 or workers < 1 or threads < 1 or items < 100 or not 0 <= port < 65536:
            raise CommandError("need --reviewers >= 1, --seconds > 0, --items >= 100, --workers/--threads >= 1")
        try:
            import httpx2 as httpx  # anthropic's HTTP client (the httpx API), pinned through it
        except ImportError as missing:  # pragma: no cover - installed with the requirements
            raise CommandError("bench_reviewers needs httpx2 (installed with anthropic)") from missing

        logging.getLogger("httpx2").setLevel(logging.WARNING)  # not a line per request
        stamp = time.strftime("%Y%m%d%H%M%S") + f"-{secrets.token_hex(2)}"
        bench = _Bench(stamp, steps_per_handoff=STEPS_PER_HANDOFF, out=self.stdout, workspaces=1)
        bench.fill_to(items)
        bench.settle()
        space = bench.spaces[0]
        emails = self._add_reviewers(space["workspace"], stamp, reviewers)
        open_count = self._share_out(space["workspace"], emails)
        self.stdout.write(
            f"bench_reviewers: {reviewers} reviewers for {seconds:g} s on {items:,} handoffs ({open_count:,} open, "
            f"1 in {SHARED_EVERY} unassigned); gunicorn {workers} workers x {threads} threads, {os.cpu_count()} CPUs"
        )
        self._collect_static()
        port = port or _free_port()
        with _Gunicorn(port=port, workers=workers, threads=threads, env=self._server_env()) as server:
            tallies, elapsed = self._run(httpx, f"http://127.0.0.1:{port}", emails, seconds)
            if server.process.poll() is not None:
                self.stdout.write(self.style.ERROR("gunicorn stopped during the run"))
        try:
            self._report(tallies, elapsed, server)
        finally:
            os.unlink(server.log.name)

    # Setting up ----------------------------------------------------------------------------------

    @staticmethod
    def _add_reviewers(workspace, stamp: str, count: int) -> list[str]:
        """Reps who sign in with a password (verified email, as allauth requires)."""
        hashed = make_password(PASSWORD)  # hashed once: every reviewer has the same throwaway password
        users = User.objects.bulk_create(
            [User(email=f"reviewer-{number}-{stamp}@bench.invalid", password=hashed) for number in range(count)]
        )
        EmailAddress.objects.bulk_create(
            [EmailAddress(user=user, email=user.email, verified=True, primary=True) for user in users]
        )
        Membership.objects.bulk_create([Membership(workspace=workspace, user=user, role=Role.REP) for user in users])
        return [user.email for user in users]

    @staticmethod
    def _share_out(workspace, emails: list[str]) -> int:
        """Assign the open items round-robin to the reviewers, leaving one in SHARED_EVERY unassigned."""
        user_ids = list(User.objects.filter(email__in=emails).order_by("pk").values_list("pk", flat=True))
        open_ids = list(
            Handoff.objects.filter(workspace=workspace, status=Handoff.Status.OPEN)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        slices = defaultdict(list)
        for index, pk in enumerate(open_ids):
            slices[None if index % SHARED_EVERY == SHARED_EVERY - 1 else user_ids[index % len(user_ids)]].append(pk)
        for assignee_id, pks in slices.items():
            Handoff.objects.filter(pk__in=pks).update(assignee_id=assignee_id)
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {connection.ops.quote_name(Handoff._meta.db_table)}")
        return len(open_ids)

    @staticmethod
    def _server_env() -> dict:
        """Production settings for gunicorn, on this command's database, with the same encryption keys."""
        env = dict(os.environ)
        env |= {
            "DEBUG": "0",
            "DATABASE_URL": _database_url(),
            "SECRET_KEY": secrets.token_urlsafe(50),
            "SALESOPS_ENCRYPTION_KEY": ",".join(settings.SALESOPS_ENCRYPTION_KEYS),
            "ALLOWED_HOSTS": "127.0.0.1",
            "SECURE_SSL_REDIRECT": "0",
            "SECURE_HSTS_SECONDS": "0",
            "LOG_LEVEL": "WARNING",
            "PYTHONPATH": os.pathsep.join(filter(None, [str(settings.BASE_DIR), env.get("PYTHONPATH", "")])),
        }
        env.pop("SALESOPS_TEST_NOW", None)  # the server reads the real clock whatever the tests pretend
        return env

    def _collect_static(self) -> None:
        """With DEBUG off, pages name the hashed static files of the manifest: collect them, as a release does."""
        result = subprocess.run(
            [sys.executable, "manage.py", "collectstatic", "--no-input", "-v0"],
            cwd=settings.BASE_DIR,
            env=self._server_env(),
            capture_output=True,
            text=True,
            check=False,
        )
        if result.returncode:
            raise CommandError(f"collectstatic failed:\n{result.stdout}{result.stderr}")

    # Running and reporting -----------------------------------------------------------------------

    @staticmethod
    def _run(httpx, base_url: str, emails: list[str], seconds: float):
        """Every reviewer signs in, then all of them work for `seconds` (the time the rate is taken over)."""
        clock = {}

        def starting() -> None:
            clock["started"] = time.monotonic()
            clock["deadline"] = clock["started"] + seconds

        start = threading.Barrier(len(emails), action=starting)
        tallies: list[_Tally] = [None] * len(emails)

        def work(index: int, email: str) -> None:
            try:
                tallies[index] = _Reviewer(httpx, base_url, email, seed=index).run(start, clock)
            except Exception as error:  # a bug in the reviewer itself still shows as an error
                start.abort()
                tallies[index] = _Tally(errors={"reviewer": 1}, error_examples=[f"{email}: {error!r}"])

        threads = [
            threading.Thread(target=work, args=(index, email), name=f"reviewer-{index}")
            for index, email in enumerate(emails)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        return tallies, time.monotonic() - clock.get("started", time.monotonic())

    def _report(self, tallies: list[_Tally], elapsed: float, server: _Gunicorn) -> None:
        samples, errors = defaultdict(list), defaultdict(int)
        for tally in tallies:
            for kind, values in tally.samples.items():
                samples[kind] += values
            for kind, count in tally.errors.items():
                errors[kind] += count
        self.stdout.write("")
        self.stdout.write(f"{'request':<13} {'count':>7} {'p50 ms':>8} {'p95 ms':>8} {'errors':>7}")
        for kind in [*KINDS, *sorted(set(errors) - set(KINDS))]:
            values = sorted(samples.get(kind, []))  # every kind has its line, "-" when none was made
            p50, p95 = (f"{_percentile(values, share):.1f}" if values else "-" for share in (0.5, 0.95))
            self.stdout.write(f"{kind:<13} {len(values):>7} {p50:>8} {p95:>8} {errors.get(kind, 0):>7}")
        total = sum(len(values) for kind, values in samples.items() if kind not in SIGN_IN)
        total_errors = sum(errors.values())
        decisions = sum(tally.decisions for tally in tallies)
        conflicts = sum(tally.conflicts for tally in tallies)
        self.stdout.write(
            f"{total:,} requests in {elapsed:.1f} s after signing in: {total / max(elapsed, 0.001):.1f} requests/s, "
            f"{decisions:,} decisions, {conflicts} conflicts (already handled by another reviewer)"
        )
        dry = sum(tally.ran_dry for tally in tallies)
        if dry:
            self.stdout.write(self.style.WARNING(f"{dry} reviewer(s) ran out of items: load more with --items"))
        for tally in tallies:
            for example in tally.error_examples:
                self.stdout.write(self.style.ERROR(f"  {example}"))
        line = f"errors: {total_errors}"
        if total_errors:
            self.stdout.write(f"the end of gunicorn's log:\n{server.log_tail()}")
            self.stdout.write(self.style.ERROR(line))
            raise CommandError(f"{total_errors} request(s) failed")
        self.stdout.write(self.style.SUCCESS(line))
