"""Reading an inbound email: who, which thread, the new text without quoted history, and whether it is
an automatic reply (with the return date) or a bounce (with the failed addresses)."""

import contextlib
import email
import email.parser
import email.policy
import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from email.errors import HeaderParseError
from email.header import decode_header, make_header
from email.message import EmailMessage
from email.utils import getaddresses, parseaddr

import html2text
from mailparser_reply import EmailReplyParser

from agents.conversations import dates
from agents.conversations.bounces import looks_like_report, read_report

REPLY_LANGUAGES = ["en", "de", "fr", "es"]
_reply_parser = EmailReplyParser(languages=REPLY_LANGUAGES)
_MESSAGE_ID = re.compile(r"<[^<>\s]+>")

AUTO_REPLY_PHRASES = re.compile(
    r"out of (?:the )?office|auto(?:matic)?[- ]?reply|away from (?:the office|my desk|email)|on (?:annual )?leave"
    r"|on vacation|on holiday|limited access to (?:my )?e-?mail|abwesenheit|nicht im büro|außer haus|im urlaub"
    r"|absence du bureau|en congés?|absent(?:e)? du|fuera de la oficina|de vacaciones|respuesta automática",
    re.IGNORECASE,
)
_RETURN_PHRASE = re.compile(
    r"back|return(?:ing|s)?|until|till|wieder (?:im büro|erreichbar|da)|zurück|bis (?:zum|einschließlich)?"
    r"|de retour|jusqu'au|regreso|vuelvo|volveré|de vuelta|hasta el",
    re.IGNORECASE,
)


class MalformedMessage(ValueError):
    """The bytes are not a readable email; the message says why."""


@dataclass
class ParsedMessage:
    message_id: str
    in_reply_to: list[str]
    references: list[str]
    from_address: str
    from_name: str
    to_addresses: list[str]
    subject: str
    text: str  # the new part of the message, quoted history and signature removed
    full_text: str
    sent_at: datetime | None
    html: str = ""  # the HTML part as received, if any: hidden text in it is read by the injection check
    auto_reply: bool = False  # by its headers or by what it says
    auto_reply_headers: bool = False  # by its headers: the sender's software says so
    return_date: date | None = None
    bounce: bool = False
    bounced_addresses: list[str] = field(default_factory=list)
    permanent_bounce: bool = False
    returned_message_id: str = ""  # the Message-ID of our email a delivery report returns
    headers: dict[str, str] = field(default_factory=dict)


# An attribution line introduces quoted history: "On …, X wrote:", "Am … schrieb X:", "Le … a écrit :",
# "El …, X escribió:" — often wrapped over two lines, in forms the reply parser's patterns miss.
_ATTRIBUTION = re.compile(r"(?:wrote|schrieb|a\s+écrit|escribió|scrisse|skrev|schreef)\s*:?\s*$", re.IGNORECASE)
# "On Mon, 30 Nov 2026 at 09:12," — a date (a digit in it), not a sentence ("Le prix est trop élevé.").
_ATTRIBUTION_OPENING = re.compile(r"\s*(?:on|am|le|el|il|op|den)\s+[^.!?]*\d[^.!?]*$", re.IGNORECASE)


def without_quoted_history(text: str) -> str:
    """The text before the quoted history the reply parser left: a block of "> " lines that runs (nearly)
    to the end, with the attribution line or two before it. Quoted lines answered inline stay."""
    lines = text.splitlines()
    filled = [index for index, line in enumerate(lines) if line.strip()]
    is_quoted = [lines[index].lstrip().startswith(">") for index in filled]
    quoted_from = [0] * (len(filled) + 1)  # quoted lines from each position to the end: one pass, linear
    for position in range(len(filled) - 1, -1, -1):
        quoted_from[position] = quoted_from[position + 1] + is_quoted[position]
    for position, index in enumerate(filled):
        quoted = quoted_from[position]
        if not is_quoted[position] or quoted < 2 or quoted < 0.8 * (len(filled) - position):
            continue
        start = index
        before = filled[max(0, position - 3) : position]
        if before and (_ATTRIBUTION.search(lines[before[-1]]) or lines[before[-1]].rstrip().endswith(":")):
            start = before[-1]
            # A wrapped attribution: the verb alone on its line ("escribió:"), or the line before opens
            # with the date ("On Mon, 30 Nov 2026 at 09:12, Sam Reyes").
            if len(before) > 1 and (
                not _ATTRIBUTION.sub("", lines[start]).strip() or _ATTRIBUTION_OPENING.match(lines[before[-2]])
            ):
                start = before[-2]
        kept = "\n".join(lines[:start]).rstrip()
        return kept or text
    return text


def _body_text(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("plain", "html"))
    if part is None:
        return ""
    try:
        content = part.get_content()
    except (LookupError, UnicodeDecodeError):
        payload = part.get_payload(decode=True) or b""
        content = payload.decode("utf-8", errors="replace")
    if part.get_content_type() == "text/html":
        converter = html2text.HTML2Text()
        converter.ignore_images = True
        converter.ignore_links = False
        converter.body_width = 0
        content = converter.handle(content)  # markup becomes text; nothing is executed or kept as HTML
    return content.replace("\r\n", "\n").strip()


def _html_part(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("html",))
    if part is None:
        return ""
    try:
        return part.get_content()
    except (LookupError, UnicodeDecodeError):
        return (part.get_payload(decode=True) or b"").decode("utf-8", errors="replace")


def clean_text(value: str) -> str:
    """Text a database can store and a page can show: no NUL (PostgreSQL refuses it in text) and no lone
    surrogate (what undecodable bytes become), each replaced, never the message refused."""
    return value.replace("\x00", "\ufffd").encode("utf-8", errors="replace").decode("utf-8")


def _ids(value: str | None) -> list[str]:
    return _MESSAGE_ID.findall(value or "")


def _auto_reply_headers(message: EmailMessage) -> bool:
    """What mail software sets on the replies it sends by itself (RFC 3834 and the common extensions)."""
    auto_submitted = (message.get("Auto-Submitted") or "no").strip().lower()
    if auto_submitted != "no":
        return True
    if message.get("X-Autoreply") or message.get("X-Autorespond"):
        return True
    return (message.get("Precedence") or "").strip().lower() in {"auto_reply", "bulk", "junk"}


def _says_it_is_away(subject: str, text: str) -> bool:
    return bool(AUTO_REPLY_PHRASES.search(subject) or AUTO_REPLY_PHRASES.search(text[:600]))


_FOLDING = re.compile(r"\r?\n(?=[ \t])")


def _header_text(value: str) -> str:
    """A header's value as text to keep and show: unfolded, encoded words decoded. Not parsed into its
    structure (what `message[name]` does, a few hundred microseconds a header): the headers kept are
    for people to read; the ones the code decides by are read through the message."""
    unfolded = _FOLDING.sub("", value).strip()
    if "=?" in unfolded:
        with contextlib.suppress(HeaderParseError, LookupError, UnicodeError, ValueError):
            unfolded = str(make_header(decode_header(unfolded)))
    # Undecodable 8-bit bytes arrive as surrogates: as replacement characters, like the parsed headers.
    return unfolded.encode("utf-8", errors="surrogateescape").decode("utf-8", errors="replace")


def return_date_in(text: str, *, now: datetime | None = None) -> date | None:
    """The date someone says they are back, if the text gives one: a calendar date read by the rules of
    dates.return_date, else what dateparser makes of the words near a word of return ("back tomorrow",
    "zurück am Montag")."""
    import dateparser.search

    now = now or datetime.now()
    named = dates.return_date(text, now.date())
    if named is not None:
        return named
    settings = {"PREFER_DATES_FROM": "future", "RELATIVE_BASE": now, "RETURN_AS_TIMEZONE_AWARE": False}
    found_dates = []
    for match in _RETURN_PHRASE.finditer(text):
        window = text[max(0, match.start() - 40) : match.end() + 60]
        found = dateparser.search.search_dates(window, languages=REPLY_LANGUAGES, settings=settings) or []
        found_dates += [value.date() for _, value in found if value.date() >= now.date()]
    return max(found_dates) if found_dates else None


def written_at(sent_at: datetime | None, received_at: datetime) -> datetime:
    """When the sender wrote the message, in the sender's own offset: "back on Monday" or "try again in
    Q1" mean what they meant on that day, not on the day a worker reads them. The Date header, unless it
    is missing or later than our receipt (a wrong clock must not push dates out)."""
    if sent_at is None:
        return received_at
    if sent_at.tzinfo is None:  # "-0000": the offset is unknown, the time is UTC
        sent_at = sent_at.replace(tzinfo=UTC)
    if received_at.tzinfo is None:
        received_at = received_at.replace(tzinfo=UTC)
    return sent_at if sent_at <= received_at else received_at


@dataclass
class Envelope:
    message_id: str
    from_address: str
    subject: str


_HEADER_END = re.compile(rb"\r?\n\r?\n")


def read_envelope(raw: bytes) -> Envelope:
    """Who sent a message, its subject and Message-ID, from its header block alone: cheap enough to run
    while the sender waits, before the message is stored."""
    if not raw or not raw.strip():
        raise MalformedMessage("The message is empty.")
    end = _HEADER_END.search(raw)
    block = raw[: end.start()] if end else raw[:65536]
    headers = email.parser.BytesHeaderParser(policy=email.policy.default).parsebytes(block + b"\n")
    if not headers.keys():
        raise MalformedMessage("The message has no headers.")
    try:
        address = parseaddr(str(headers.get("From", "") or ""))[1]
        subject = str(headers.get("Subject", "") or "")
        message_id = (_ids(str(headers.get("Message-ID", "") or "")) or [""])[0]
    except (ValueError, TypeError, IndexError) as error:
        raise MalformedMessage(f"Unreadable headers: {error}") from None
    return Envelope(
        message_id=clean_text(message_id),
        from_address=clean_text(address.lower()) if "@" in address else "",
        subject=clean_text(subject),
    )


def parse_message(raw: bytes, *, received_at: datetime | None = None) -> ParsedMessage:
    if not raw or not raw.strip():
        raise MalformedMessage("The message is empty.")
    message = email.message_from_bytes(raw, policy=email.policy.default)
    if not message.keys():
        raise MalformedMessage("The message has no headers.")
    try:
        from_name, from_address = parseaddr(str(message.get("From", "")))
        subject = str(message.get("Subject", "") or "")
        to_addresses = [address.lower() for _, address in getaddresses([str(v) for v in message.get_all("To", [])])]
        to_addresses += [address.lower() for _, address in getaddresses([str(v) for v in message.get_all("Cc", [])])]
    except (ValueError, TypeError, IndexError) as error:
        raise MalformedMessage(f"Unreadable address headers: {error}") from None
    report_like = looks_like_report(message, subject)
    if (not from_address or "@" not in from_address) and not report_like:
        # Delivery reports come from the null sender ("<>", "MAILER-DAEMON"): only they may lack an address.
        raise MalformedMessage("The message has no sender address.")
    full_text = _body_text(message)
    text = without_quoted_history(_reply_parser.parse_reply(text=full_text) or full_text)
    try:
        sent_at = message["Date"].datetime if message.get("Date") else None
    except (AttributeError, ValueError, TypeError):
        sent_at = None
    written = written_at(sent_at, received_at or datetime.now(UTC))
    report = read_report(message, full_text) if report_like else None  # the detectors are slow
    is_bounce = bool(report and report.recipients) or any(
        part.get_content_type() == "message/delivery-status" for part in message.walk()
    )
    auto_headers = not is_bounce and _auto_reply_headers(message)
    auto = not is_bounce and (auto_headers or _says_it_is_away(subject, full_text))
    parsed = ParsedMessage(
        message_id=(_ids(message.get("Message-ID")) or [""])[0],
        in_reply_to=_ids(message.get("In-Reply-To")),
        references=_ids(message.get("References")),
        from_address=clean_text(from_address.lower()) if "@" in from_address else "",
        from_name=from_name,
        to_addresses=to_addresses,
        subject=subject,
        text=text.strip(),
        full_text=full_text,
        sent_at=sent_at,
        html=_html_part(message),
        auto_reply=auto,
        auto_reply_headers=auto_headers,
        # The new text only: dates in the quoted history ("On Wed, 25 Nov …") or a signature are no return date.
        return_date=return_date_in(f"{subject}\n{text[:5000]}", now=written.replace(tzinfo=None)) if auto else None,
        bounce=is_bounce,
        bounced_addresses=report.recipients if report else [],
        permanent_bounce=bool(report and report.permanent),
        returned_message_id=report.returned_message_id if report else "",
        headers={key: _header_text(value)[:500] for key, value in message.raw_items()},
    )
    for name in ("from_name", "subject", "text", "full_text", "html"):
        setattr(parsed, name, clean_text(getattr(parsed, name)))
    parsed.headers = {clean_text(key): clean_text(value) for key, value in parsed.headers.items()}
    return parsed
