"""Reading replies from a mailbox over IMAP: unseen messages are stored as inbound mail, then marked
seen on the server, so each run takes only what is new (and a message stored twice is still one)."""

import imaplib
import logging
from dataclasses import dataclass

from agents.conversations.models import InboundMessage
from agents.conversations.services import inbound_receive
from agents.delivery.crypto import SecretUnreadable, decrypt
from agents.delivery.models import Mailbox

logger = logging.getLogger(__name__)
IMAP_TIMEOUT_SECONDS = 30


@dataclass
class FetchReport:
    mailbox: str
    taken: int = 0
    duplicates: int = 0
    error: str = ""


def fetch_replies(*, mailbox: Mailbox) -> FetchReport:
    report = FetchReport(mailbox=mailbox.from_address)
    try:
        password = decrypt(mailbox.imap_password_encrypted) if mailbox.imap_password_encrypted else ""
    except SecretUnreadable as error:
        report.error = f"The IMAP password cannot be decrypted: {error}"
        return report
    client_class = imaplib.IMAP4_SSL if mailbox.imap_use_ssl else imaplib.IMAP4
    try:
        with client_class(mailbox.imap_host, mailbox.imap_port, timeout=IMAP_TIMEOUT_SECONDS) as client:
            client.login(mailbox.imap_username, password)
            client.select(mailbox.imap_folder)
            _, found = client.uid("SEARCH", None, "UNSEEN")
            for uid in (found[0] or b"").split():
                _, parts = client.uid("FETCH", uid, "(BODY.PEEK[])")
                raw = next((part[1] for part in parts if isinstance(part, tuple)), None)
                if raw is None:
                    continue
                received = inbound_receive(workspace=mailbox.workspace, raw=raw, channel=InboundMessage.Channel.IMAP)
                report.taken += received.created
                report.duplicates += not received.created
                # Marked only once stored: a crash in between means it is read again, and deduplicated.
                client.uid("STORE", uid, "+FLAGS", "(\\\\Seen)")
    except (OSError, imaplib.IMAP4.error) as error:
        report.error = f"{type(error).__name__}: {error}"
        logger.warning("fetching replies of %s failed: %s", mailbox.from_address, error)
    return report
