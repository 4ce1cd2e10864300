"""Delivery reports: whether a message is one, whom it is about, whether the failure is permanent, and
which of our emails it returns.

Evidence in order of trust: the report's own structure (RFC 3464 message/delivery-status blocks with
Final-Recipient / Original-Recipient, Action and Status), then flufl.bounce's detectors for the many
servers that send prose, then Exim's X-Failed-Recipients header, then the recipients of the returned
message's headers. Permanent or temporary comes from the status codes; a report that gives none is
permanent only when its detector says so, because a temporary failure must never suppress anyone."""

import re
from dataclasses import dataclass, field
from email.message import Message
from email.utils import getaddresses, parseaddr

from flufl.bounce import all_failures
from flufl.bounce._detectors import groupwise, microsoft, simplematch

# flufl.bounce 6.0.0 checks each address its prose detectors find against a pattern whose domain part
# has no hyphen, so "j.doe@mueller-bau.de" is dropped and the bounce names nobody. The same check with
# the hyphen a domain may hold; each detector module imported the pattern by name.
_VALID_ADDRESS = re.compile(rb"^[\x21-\x3d\x3f\x41-\x7e]+@[a-z0-9._-]+$", re.IGNORECASE)
for _module in (simplematch, microsoft, groupwise):
    _module.VALID = _VALID_ADDRESS

_ADDRESS = re.compile(r"(?<![\w.+'-])[\w.+'-]+@(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?\.)+[A-Za-z]{2,}")
_MESSAGE_ID = re.compile(r"<[^<>\s@]+@[^<>\s]+>")
_ENHANCED_STATUS = re.compile(r"\b([245])\.\d{1,3}\.\d{1,3}\b")
# An SMTP reply code as a server writes it ("550 5.1.1 …", "said: 452-4.2.2 …"), not a phone number.
_REPLY_CODE = re.compile(r"(?m)(?:^|[\s(:])([45])\d\d(?:[ -](?=[A-Za-z#<(])|$)")
_SAYS_PERMANENT = re.compile(r"\bpermanent(?:ly)?\b|\bfatal error\b|\bgiving up\b", re.IGNORECASE)
_SAYS_TEMPORARY = re.compile(
    r"\btemporar(?:y|ily)\b|\b(?:delayed|deferred)\b|will (?:retry|be retried|try again)|still trying"
    r"|retry timeout not exceeded",
    re.IGNORECASE,
)
_QUOTA = re.compile(r"mail ?(?:box|folder) (?:is )?full|over quota|quota exceeded", re.IGNORECASE)
_NO_SUCH_USER = re.compile(
    r"user unknown|unknown user|no such (?:user|mailbox|recipient)|does not exist|address rejected"
    r"|recipient (?:not found|rejected)|mailbox unavailable|invalid (?:recipient|mailbox)",
    re.IGNORECASE,
)
_REPORT_SENDER = re.compile(r"daemon|postmaster|mail delivery|mail administrator|bounce", re.IGNORECASE)
_REPORT_SUBJECT = re.compile(
    r"undeliver|not (?:be )?delivered|non-?delivery|user unknown"
    r"|delivery (?:status|failure|has failed|problem|notification)|returned mail"
    r"|mail delivery failed|failure notice|delivery report|nondeliverable|unzustellbar|nicht zustellbar"
    r"|non remis|non distribuable|échec de (?:la )?(?:remise|livraison)|no se puede entregar|no entregado"
    r"|devuelto|warning: could not send|delayed mail",
    re.IGNORECASE,
)


@dataclass
class BounceReport:
    recipients: list[str] = field(default_factory=list)
    permanent: bool = False
    returned_message_id: str = ""
    source: str = ""  # which evidence named the recipients


def _address(value: str) -> str:
    # "rfc822; user@example.com", "<user@example.com>", "User <user@example.com>"
    value = value.split(";", 1)[-1].strip()
    found = _ADDRESS.search(parseaddr(value)[1] or value)
    return found.group(0).lower().rstrip(".") if found else ""


def looks_like_report(message: Message, subject: str) -> bool:
    """Cheap evidence, read before the (slower) detectors run."""
    sender = str(message.get("From", "") or "")
    return_path = str(message.get("Return-Path", "") or "").strip()
    return (
        message.get_content_type() == "multipart/report"
        or any(part.get_content_type() == "message/delivery-status" for part in message.walk())
        or bool(message.get("X-Failed-Recipients"))
        or return_path == "<>"
        or not parseaddr(sender)[1]
        or bool(_REPORT_SENDER.search(sender))
        or bool(_REPORT_SUBJECT.search(subject))
    )


def _delivery_status(message: Message) -> tuple[list[str], list[str]]:
    """RFC 3464 per-recipient blocks: (permanent, temporary) recipients."""
    permanent, temporary = [], []
    for part in message.walk():
        if part.get_content_type() != "message/delivery-status":
            continue
        blocks = part.get_payload()
        if not isinstance(blocks, list):  # an unparsed body: read the field blocks ourselves
            text = blocks if isinstance(blocks, str) else ""
            blocks = [_fields(chunk) for chunk in re.split(r"\n\s*\n", text)]
        for block in blocks:
            get = block.get if hasattr(block, "get") else (lambda key, block=block: block.get(key.lower()))
            # The address we sent to, not where a forward took it.
            recipient = _address(str(get("Original-Recipient") or "")) or _address(str(get("Final-Recipient") or ""))
            if not recipient:
                continue
            action = str(get("Action") or "").strip().lower()
            status = str(get("Status") or "").strip()
            if action in {"delivered", "relayed", "expanded"}:
                continue
            if action == "delayed" or status.startswith("4"):
                temporary.append(recipient)
            else:
                permanent.append(recipient)
    return permanent, temporary


def _fields(chunk: str) -> dict[str, str]:
    fields = {}
    for line in chunk.splitlines():
        name, sep, value = line.partition(":")
        if sep and name.strip():
            fields[name.strip().lower()] = value.strip()
    return fields


def _returned_headers(message: Message) -> Message | None:
    for part in message.walk():
        content_type = part.get_content_type()
        if content_type == "message/rfc822":
            payload = part.get_payload()
            if isinstance(payload, list) and payload:
                return payload[0]
        if content_type == "text/rfc822-headers":
            from email import message_from_string

            try:
                return message_from_string(part.get_payload(decode=True).decode("utf-8", errors="replace"))
            except (AttributeError, TypeError):
                return None
    return None


def _status_says_permanent(text: str) -> bool | None:
    """Enhanced status codes decide (RFC 3463: 5.x.x permanent, 4.x.x temporary); then what the report
    says in words; then an SMTP reply code; then the kind of failure it names."""
    codes = {match.group(1) for match in _ENHANCED_STATUS.finditer(text)}
    if codes & {"4", "5"}:
        return "5" in codes
    if _SAYS_PERMANENT.search(text):
        return True
    if _SAYS_TEMPORARY.search(text):
        return False
    codes = {match.group(1) for match in _REPLY_CODE.finditer(text)}
    if codes:
        return "5" in codes
    if _QUOTA.search(text):
        return False
    if _NO_SUCH_USER.search(text):
        return True
    return None


def read_report(message: Message, body_text: str) -> BounceReport:
    """Recipients, permanence and the returned Message-ID of a delivery report (empty if none is named)."""
    report = BounceReport()
    returned = _returned_headers(message)
    if returned is not None:
        report.returned_message_id = (_MESSAGE_ID.findall(str(returned.get("Message-ID", "") or "")) or [""])[0]
    if not report.returned_message_id:
        quoted = re.search(r"(?im)^\s*>?\s*Message-ID:\s*(<[^<>\s]+>)", body_text)
        report.returned_message_id = quoted.group(1) if quoted else ""
    permanent, temporary = _delivery_status(message)
    if permanent or temporary:
        report.recipients = sorted(set(permanent) | set(temporary))
        report.permanent, report.source = bool(permanent), "delivery-status"
        return report
    detected_temporary, detected_permanent = all_failures(message)
    detected = {_address(a.decode(errors="replace") if isinstance(a, bytes) else str(a)) for a in
                detected_temporary | detected_permanent} - {""}  # fmt: skip
    status = _status_says_permanent(body_text)
    if detected:
        report.recipients, report.source = sorted(detected), "flufl.bounce"
        report.permanent = bool(detected_permanent) if status is None else status
        return report
    failed_headers = [str(value) for value in message.get_all("X-Failed-Recipients", [])]
    failed = [_address(value) for _, value in getaddresses(failed_headers)]
    if failed := sorted(set(failed) - {""}):
        report.recipients, report.source = failed, "x-failed-recipients"
        report.permanent = status is not False
        return report
    if returned is not None:
        addresses = getaddresses([str(v) for v in returned.get_all("To", []) + returned.get_all("Cc", [])])
        if recipients := sorted({_address(value) for _, value in addresses} - {""}):
            report.recipients, report.source = recipients, "returned headers"
            report.permanent = bool(status)  # no status code: not known to be permanent, so not suppressed
    return report
