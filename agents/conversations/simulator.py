"""The prospect simulator: in the sandbox, simulated prospects answer the first email after a short
delay with a realistic mix, so the whole loop shows within minutes in `make run`, offline.

Replies go through the same inbound path as real mail (`inbound_receive`), as raw RFC 5322 bytes."""

import hashlib
import re
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
# (share out of 20, what the prospect writes). One in five stays silent.
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


def _choice(key: str) -> tuple[str, str]:
    roll = int(hashlib.sha256(key.encode()).hexdigest(), 16) % 20
    for share, kind, text in REPLY_MIX:
        if roll < share:
            return kind, text
        roll -= share
    return "silent", ""


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
    kind, text = _choice(prospect)
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
        .select_related("workspace")[:200]
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
