"""The prospect simulator: in the sandbox, simulated prospects answer the first email after a short
delay with a realistic mix, so the whole loop shows within minutes in `make run`, offline.

Replies go through the same inbound path as real mail (`inbound_receive`), as raw RFC 5322 bytes."""

import hashlib
import re
from dataclasses import dataclass
from datetime import timedelta
from email.message import EmailMessage
from email.utils import format_datetime, parseaddr

from django.conf import settings
from django.db.models import CharField, Exists, OuterRef, Value
from django.db.models.functions import Cast, Concat
from django.utils import timezone

from agents.conversations import services
from agents.conversations.models import InboundMessage
from agents.delivery.models import SandboxMail
from agents.meetings import selectors as meetings_selectors
from agents.meetings.links import LinkInvalid, booking_from_token
from agents.meetings.services import BookingRefused, SlotTaken, meeting_book

SIMULATED_DOMAIN = "prospects.simulator"
# (share out of 20, what the prospect writes). One in five stays silent. The interested share is the
# segment's (see INTERESTED_OUT_OF_20); silence takes what the other kinds leave.
REPLY_MIX = [
    (4, "interested", "Sounds interesting. Let's talk next week, send me some times."),
    (2, "question", "How does this work with HubSpot? We moved our CRM there last year."),
    (2, "objection", "We already use Outreach and the team is happy with it."),
    (2, "negotiation", "What's the pricing for a team of 25 reps? And is there a discount for annual billing?"),
    (2, "out_of_office", "I am out of the office until {return_date} with limited access to email."),
    (2, "unsubscribe", "Bitte tragen Sie mich aus Ihrem Verteiler aus. Ich möchte keine weiteren E-Mails erhalten."),
    (1, "referral", "I'm not the right person. Please reach out to Robin Vance (robin.vance@{domain}), she owns this."),
    (1, "bounce", ""),
    (4, "silent", ""),
]

# Segment-dependent rates, so the planner's learning can be seen and measured (bench_planner_weeks).
# Interested replies out of 20 first emails, by the account's industry and the person's role:
#
#                    operations leader   sales leader   anyone else
#   logistics               8                 5              3
#   software                3                 4              2
#   other industries        2                 3              1
#
# 200-999 staff add one, 1-49 staff take one away (between 0 and 8). A software sales leader of unknown
# size — and a prospect the simulator cannot place — answers with the mix above (4 in 20 interested).
# Interested prospects book a meeting out of 10: operations leaders 9, sales leaders 6, anyone else 4.
INTERESTED_OUT_OF_20 = {
    ("logistics", "operations"): 8,
    ("logistics", "sales"): 5,
    ("logistics", "other"): 3,
    ("software", "operations"): 3,
    ("software", "sales"): 4,
    ("software", "other"): 2,
    ("other", "operations"): 2,
    ("other", "sales"): 3,
    ("other", "other"): 1,
}
SIZE_ADJUSTMENT = {"1-49": -1, "200-999": 1}
BOOKING_OUT_OF_10 = {"operations": 9, "sales": 6, "other": 4}
_OTHER_KINDS_OUT_OF_20 = sum(share for share, kind, _ in REPLY_MIX if kind not in ("interested", "silent"))
_LOGISTICS_WORDS = ("logistic", "freight", "transport", "travel", "shipping", "supply chain")
_SENIOR_WORDS = ("vp", "vice president", "head", "director", "chief", "c-level", "cxo", "founder", "owner")


@dataclass(frozen=True)
class ProspectRates:
    """A simulated prospect's segment and what it does with a first email."""

    industry: str  # "logistics", "software" or "other"
    size_band: str
    persona: str  # "operations", "sales" or "other" (leaders only: others are "other")
    interested_out_of_20: int
    booking_out_of_10: int

    @property
    def meeting_rate(self) -> float:
        """Meetings booked per first email."""
        return self.interested_out_of_20 / 20 * self.booking_out_of_10 / 10


def size_band(employee_count: int | None) -> str:
    if employee_count is None:
        return "unknown"
    if employee_count < 50:
        return "1-49"
    if employee_count < 200:
        return "50-199"
    if employee_count < 1000:
        return "200-999"
    return "1000+"


def prospect_rates(
    *, industry: str = "", employee_count: int | None = None, title: str = "", seniority: str = "", department: str = ""
) -> ProspectRates:
    industry_text = industry.lower()
    if any(word in industry_text for word in _LOGISTICS_WORDS):
        industry_group = "logistics"
    elif "software" in industry_text or "saas" in industry_text:
        industry_group = "software"
    else:
        industry_group = "other"
    role = f"{seniority} {department} {title}".lower()
    words = set(re.findall(r"[a-z-]+", role))
    senior = any(word in words for word in _SENIOR_WORDS) or "vice president" in role
    if senior and "operations" in role and "revenue operations" not in role:
        persona = "operations"
    elif senior and ("sales" in role or "revenue" in role):
        persona = "sales"
    else:
        persona = "other"
    band = size_band(employee_count)
    interested = INTERESTED_OUT_OF_20[(industry_group, persona)] + SIZE_ADJUSTMENT.get(band, 0)
    return ProspectRates(
        industry=industry_group,
        size_band=band,
        persona=persona,
        interested_out_of_20=min(20 - _OTHER_KINDS_OUT_OF_20, max(0, interested)),
        booking_out_of_10=BOOKING_OUT_OF_10[persona],
    )


def contact_rates(contact) -> ProspectRates:
    if contact is None:
        return prospect_rates(industry="software", title="VP Sales")
    account = contact.account
    return prospect_rates(
        industry=account.industry,
        employee_count=account.employee_count,
        title=contact.title,
        seniority=contact.seniority,
        department=contact.department,
    )


def _roll(key: str, sides: int) -> int:
    return int(hashlib.sha256(key.encode()).hexdigest(), 16) % sides


def _choice(key: str, *, interested_out_of_20: int = 4) -> tuple[str, str]:
    roll = _roll(key, 20)
    for share, kind, text in REPLY_MIX:
        if kind == "interested":
            share = interested_out_of_20
        elif kind == "silent":
            share = 20 - _OTHER_KINDS_OUT_OF_20 - interested_out_of_20
        if roll < share:
            return kind, text
        roll -= share
    return "silent", ""


def _books(key: str, rates: ProspectRates) -> bool:
    return _roll(f"book:{key}", 10) < rates.booking_out_of_10


def simulated_message_id(sandbox_id: int) -> str:
    return f"<sim-{sandbox_id}@{SIMULATED_DOMAIN}>"


def _header(headers, name: str) -> str:
    for key, value in headers:
        if key.lower() == name.lower():
            return value
    return ""


def simulated_reply(mail: SandboxMail, *, now=None) -> bytes | None:
    """The raw reply (or bounce) a simulated prospect sends to this sandbox mail; None when silent."""
    now = now or timezone.now()
    prospect = parseaddr(mail.to_header)[1]
    contact = mail.message.contact if mail.message_id else None
    kind, text = _choice(prospect, interested_out_of_20=contact_rates(contact).interested_out_of_20)
    if kind == "silent":
        return None
    our_message_id = _header(mail.headers, "Message-ID")
    reply_to = parseaddr(_header(mail.headers, "Reply-To") or mail.from_header)[1]
    reply = EmailMessage()
    reply["Message-ID"] = simulated_message_id(mail.pk)
    reply["Date"] = format_datetime(now)
    reply["In-Reply-To"] = our_message_id
    reply["References"] = our_message_id
    if kind == "bounce":
        domain = prospect.split("@")[1]
        boundary = f"bounce-{mail.pk}"
        return (
            f"From: Mail Delivery System <MAILER-DAEMON@mx.{domain}>\r\n"
            f"To: {parseaddr(mail.from_header)[1]}\r\n"
            "Subject: Undelivered Mail Returned to Sender\r\n"
            f"Date: {format_datetime(now)}\r\n"
            f"Message-ID: {simulated_message_id(mail.pk)}\r\n"
            "Auto-Submitted: auto-replied\r\nMIME-Version: 1.0\r\n"
            f'Content-Type: multipart/report; report-type=delivery-status; boundary="{boundary}"\r\n\r\n'
            f"--{boundary}\r\nContent-Type: text/plain\r\n\r\n"
            f"Your message could not be delivered.\r\n\r\n<{prospect}>: 550 5.1.1 User unknown\r\n\r\n"
            f"--{boundary}\r\nContent-Type: message/delivery-status\r\n\r\n"
            f"Reporting-MTA: dns; mx.{domain}\r\n\r\n"
            f"Final-Recipient: rfc822; {prospect}\r\nAction: failed\r\nStatus: 5.1.1\r\n"
            "Diagnostic-Code: smtp; 550 5.1.1 User unknown\r\n\r\n"
            f"--{boundary}\r\nContent-Type: text/rfc822-headers\r\n\r\n"
            f"Message-ID: {our_message_id}\r\nTo: {prospect}\r\nSubject: {mail.subject}\r\n\r\n"
            f"--{boundary}--\r\n"
        ).encode()
    reply["From"] = mail.to_header
    reply["To"] = reply_to
    reply["Subject"] = "Re: " + mail.subject
    if kind == "out_of_office":
        reply["Auto-Submitted"] = "auto-replied"
        reply.replace_header("Subject", "Automatic reply: " + mail.subject)
        text = text.format(return_date=(now + timedelta(days=6)).strftime("%B %-d, %Y"))
    text = text.format(domain=prospect.split("@")[1])
    quoted = "\n".join("> " + line for line in mail.text.splitlines()[:8])
    reply.set_content(f"{text}\n\nOn {format_datetime(mail.created_at)} {mail.from_header} wrote:\n{quoted}\n")
    return bytes(reply)


class _NoTimePicked(Exception):
    pass


_BOOKING_LINK = re.compile(r"/book/([^/\s]+)/")


def simulate_bookings(*, now=None) -> int:
    """Interested prospects who got our meeting times book the first one through their booking link,
    exactly as the public booking page would."""
    now = now or timezone.now()
    cutoff = now - timedelta(seconds=settings.SALESOPS_PROSPECT_SIMULATOR_DELAY_SECONDS)
    booked = 0
    answers = SandboxMail.objects.filter(
        created_at__lte=cutoff, message__step_position=0, text__contains="/book/"
    ).select_related("workspace")[:100]
    for mail in answers:
        marker = f"<simbook-{mail.pk}@{SIMULATED_DOMAIN}>"
        if InboundMessage.objects.filter(workspace=mail.workspace, dedupe_key=marker).exists():
            continue
        match = _BOOKING_LINK.search(mail.text)
        outcome = "The simulated prospect found no open time."
        try:
            request = booking_from_token(match.group(1))
            if not _books(parseaddr(mail.to_header)[1], contact_rates(request.contact)):
                raise _NoTimePicked
            zone, _ = meetings_selectors.prospect_time_zone(contact=request.contact)
            slots = meetings_selectors.propose_slots(rep=request.rep, prospect_time_zone=zone, now=now, count=1)
            if slots:
                meeting_book(
                    rep=request.rep,
                    contact=request.contact,
                    campaign=request.campaign,
                    start=slots[0].start,
                    time_zone=zone,
                    actor="prospect:simulator",
                    now=now,
                )
                outcome = f"The simulated prospect booked {slots[0].start.isoformat()}."
                booked += 1
        except _NoTimePicked:
            outcome = "The simulated prospect did not pick a time."
        except (LinkInvalid, BookingRefused, SlotTaken) as error:
            outcome = f"The simulated prospect could not book: {error}"
        InboundMessage.objects.create(
            workspace=mail.workspace,
            channel=InboundMessage.Channel.SIMULATOR,
            raw=b"",
            size_bytes=0,
            dedupe_key=marker,
            status=InboundMessage.Status.PROCESSED,
            from_address=parseaddr(mail.to_header)[1],
            action=outcome,
        )
    return booked


def simulate_prospect_replies(*, now=None) -> int:
    """Answer every sandbox first email older than the delay that has not been answered yet."""
    if not settings.SALESOPS_PROSPECT_SIMULATOR:
        return 0
    now = now or timezone.now()
    simulate_bookings(now=now)
    cutoff = now - timedelta(seconds=settings.SALESOPS_PROSPECT_SIMULATOR_DELAY_SECONDS)
    answered = InboundMessage.objects.filter(
        channel=InboundMessage.Channel.SIMULATOR, workspace_id=OuterRef("workspace_id"), dedupe_key__startswith="<sim-"
    ).filter(dedupe_key=OuterRef("simulated_id"))
    pending = (
        SandboxMail.objects.filter(created_at__lte=cutoff, message__step_position=1)
        .annotate(
            simulated_id=Concat(
                Value("<sim-"), Cast("pk", CharField()), Value(f"@{SIMULATED_DOMAIN}>"), output_field=CharField()
            )
        )
        .exclude(Exists(answered))
        .select_related("workspace", "message__contact__account")[:200]
    )
    count = 0
    for mail in pending:
        raw = simulated_reply(mail, now=now)
        if raw is None:
            # Silence is recorded too, so the prospect is not asked again.
            raw = b""
        if raw:
            services.inbound_receive(workspace=mail.workspace, raw=raw, channel=InboundMessage.Channel.SIMULATOR)
            count += 1
        else:
            InboundMessage.objects.get_or_create(
                workspace=mail.workspace,
                dedupe_key=simulated_message_id(mail.pk),
                defaults={
                    "channel": InboundMessage.Channel.SIMULATOR,
                    "raw": b"",
                    "size_bytes": 0,
                    "status": InboundMessage.Status.PROCESSED,
                    "action": "The simulated prospect stayed silent.",
                    "from_address": parseaddr(mail.to_header)[1],
                },
            )
    return count
