"""Test support for delivery: a real SMTP server on loopback (aiosmtpd) that records what arrives and
can refuse or drop on demand, and factories for mailboxes and outbound messages."""

import itertools
import socket
import threading
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email import message_from_bytes, policy
from email.message import EmailMessage

from aiosmtpd.controller import Controller

from agents.delivery.models import Mailbox, OutboundMessage
from campaigns.tests.factories import make_account, make_campaign, make_contact, make_signal

_sequence = itertools.count(1)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class RecordingHandler:
    """Stores every message whose DATA phase completed; scripted failures are consumed in order."""

    received: list[EmailMessage] = field(default_factory=list)
    rcpt_answers: deque = field(default_factory=deque)  # e.g. "450 4.2.1 try later"; None = accept
    drop_at_mail: int = 0  # close the connection at MAIL FROM this many times
    drop_after_data: int = 0  # receive the whole message, then close without answering, this many times
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_MAIL(self, server, session, envelope, address, mail_options):
        with self.lock:
            drop = self.drop_at_mail > 0
            self.drop_at_mail -= int(drop)
        if drop:
            server.transport.abort()
            return "421 closing"
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        return "250 OK"

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        with self.lock:
            answer = self.rcpt_answers.popleft() if self.rcpt_answers else None
        if answer:
            return answer
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        message = message_from_bytes(envelope.original_content or envelope.content, policy=policy.default)
        with self.lock:
            self.received.append(message)
            drop = self.drop_after_data > 0
            self.drop_after_data -= int(drop)
        if drop:
            server.transport.abort()
            return "250 never heard"
        return "250 2.0.0 queued as test"

    def message_ids(self) -> list[str]:
        with self.lock:
            return [str(message["Message-ID"]) for message in self.received]


@dataclass
class SmtpServer:
    host: str
    port: int
    handler: RecordingHandler


@contextmanager
def smtp_server_running() -> Iterator[SmtpServer]:
    """A real SMTP server on a free loopback port; test modules wrap it in their `smtp_server` fixture."""
    handler = RecordingHandler()
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port, ready_timeout=10)
    controller.start()
    try:
        yield SmtpServer(host="127.0.0.1", port=port, handler=handler)
    finally:
        controller.stop()


def next_monday(hour: int = 0) -> datetime:
    """A Monday in the future at `hour` UTC, so windows, signals and ramps behave the same any day."""
    today = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    return today + timedelta(days=7 - today.weekday(), hours=hour)


def make_mailbox(*, workspace, campaigns=(), smtp: "SmtpServer | None" = None, **fields) -> Mailbox:
    number = next(_sequence)
    defaults = {
        "from_name": "Sam Seller",
        "from_address": f"sam{number}@sender.example",
        "reply_to_domain": "replies.sender.example",
        "warmup_started_on": None,
        "daily_cap": 30,
    }
    if smtp is not None:
        defaults |= {
            "transport": Mailbox.Transport.SMTP,
            "smtp_host": smtp.host,
            "smtp_port": smtp.port,
            "smtp_security": Mailbox.Security.NONE,
        }
    mailbox = Mailbox.objects.create(workspace=workspace, **{**defaults, **fields})
    mailbox.campaigns.set(campaigns)
    return mailbox


def make_queued(*, workspace, campaign=None, contact=None, step: int = 1, cite_signal: bool = True, **fields):
    """A queued outbound message, as the router or an approval leaves it (with a cited fresh signal)."""
    campaign = campaign or make_campaign(workspace=workspace, status="active")
    if contact is None:
        account = make_account(workspace=workspace, country=fields.pop("country", "DE"))
        contact = make_contact(workspace=workspace, account=account, status="in_sequence")
    claims = []
    if cite_signal:
        signal = make_signal(
            workspace=workspace, account=contact.account, occurred_at=datetime.now(UTC) - timedelta(days=2)
        )
        claims = [{"text": "You raised a Series B.", "sources": [f"signal:{signal.pk}"]}]
    defaults = {
        "subject": f"Idea for {contact.account.name}" if step == 1 else f"Re: Idea for {contact.account.name}",
        "body_text": f"Hi {contact.first_name},\n\nYou raised a Series B.\n\nWorth a call?\n\nSam Seller",
        "claims": claims,
        "idempotency_key": f"campaign:{campaign.pk}:contact:{contact.pk}:step:{step}",
        "step_position": step,
    }
    return OutboundMessage.objects.create(
        workspace=workspace, campaign=campaign, contact=contact, **{**defaults, **fields}
    )
