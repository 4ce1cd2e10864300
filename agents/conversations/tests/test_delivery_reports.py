"""Delivery reports: recognised in the shapes real servers send, their recipient extracted (hyphenated
domains too), permanent or temporary by their status codes, and matched to the email they return."""

import json
import re
from pathlib import Path

from agents.conversations.models import InboundMessage
from agents.conversations.parsing import parse_message
from agents.delivery.models import OutboundMessage, Suppression

REPORTS = Path(__file__).parent / "delivery_reports"
EXPECTED = json.loads((REPORTS / "expected.json").read_text())
WITH_RECIPIENT = {name: case for name, case in EXPECTED.items() if case["recipients"]}


def _recognised(raw: bytes, recipients: list[str]) -> bool:
    parsed = parse_message(raw)
    return parsed.bounce and set(recipients) <= set(parsed.bounced_addresses)


def test_at_least_95_percent_of_real_delivery_reports_are_recognised_with_their_recipient():
    missed = [name for name, case in WITH_RECIPIENT.items()
              if not _recognised((REPORTS / name).read_bytes(), case["recipients"])]  # fmt: skip
    assert len(WITH_RECIPIENT) >= 100
    assert 1 - len(missed) / len(WITH_RECIPIENT) >= 0.95, missed


def test_recipients_on_hyphenated_domains_are_extracted_as_well():
    # The same reports with every failed recipient moved to a hyphenated domain ("userx@example.com" →
    # "userx@ost-west-example.com"): flufl.bounce's own address check dropped such addresses.
    missed = []
    for name, case in WITH_RECIPIENT.items():
        raw = (REPORTS / name).read_bytes()
        if any(address.encode() not in raw.lower() for address in case["recipients"]):
            continue  # the address is written differently in the message (split, quoted, bare local part)
        moved = [address.replace("@", "@ost-west-") for address in case["recipients"]]
        for address, hyphenated in zip(case["recipients"], moved, strict=True):
            raw = re.sub(re.escape(address.encode()), hyphenated.encode(), raw, flags=re.IGNORECASE)
        if not _recognised(raw, moved):
            missed.append(name)
    assert not missed


def test_a_report_their_tests_call_temporary_never_reads_as_permanent():
    temporary = [name for name, case in WITH_RECIPIENT.items() if case["temporary"]]
    assert len(temporary) >= 10
    assert [name for name in temporary if parse_message((REPORTS / name).read_bytes()).permanent_bounce] == []


def _dsn(*, recipient: str, action: str, status: str, returned_id: str, sender: str = "<>") -> bytes:
    return (
        f"Return-Path: <>\r\nFrom: {sender}\r\nTo: sam@demo-sales.example\r\n"
        "Subject: Delivery Status Notification\r\nDate: Tue, 24 Nov 2026 10:00:00 +0000\r\n"
        "Message-ID: <dsn-77@mx.mueller-bau.example>\r\nMIME-Version: 1.0\r\n"
        'Content-Type: multipart/report; report-type=delivery-status; boundary="B"\r\n\r\n'
        "--B\r\nContent-Type: text/plain\r\n\r\n"
        # The prose names the forwarding target; the structure names the address we wrote to.
        "Delivery to forwarded.box@mail.mueller-bau.example failed.\r\n\r\n"
        "--B\r\nContent-Type: message/delivery-status\r\n\r\n"
        "Reporting-MTA: dns; mx.mueller-bau.example\r\n\r\n"
        f"Original-Recipient: rfc822; {recipient}\r\n"
        "Final-Recipient: rfc822; forwarded.box@mail.mueller-bau.example\r\n"
        f"Action: {action}\r\nStatus: {status}\r\n\r\n"
        "--B\r\nContent-Type: text/rfc822-headers\r\n\r\n"
        f"From: Sam Keller <sam@demo-sales.example>\r\nTo: {recipient}\r\nSubject: After the funding news\r\n"
        f"Message-ID: {returned_id}\r\n\r\n--B--\r\n"
    ).encode()


def test_a_null_sender_report_is_accepted_and_names_the_original_recipient():
    parsed = parse_message(
        _dsn(recipient="J.Doe@Mueller-Bau.example", action="failed", status="5.1.1", returned_id="<out-1@x.example>")
    )
    assert parsed.bounce and parsed.permanent_bounce
    assert parsed.bounced_addresses == ["j.doe@mueller-bau.example"]
    assert parsed.from_address == "" and parsed.returned_message_id == "<out-1@x.example>"


def test_a_hard_bounce_from_the_null_sender_suppresses_the_contact_and_marks_the_email_it_returns(inbound, sent_thread):
    thread, first, follow_up = sent_thread
    second = OutboundMessage.objects.create(
        workspace=thread.workspace, campaign=thread.campaign, contact=thread.contact, thread=thread,
        mailbox=thread.mailbox, subject="Re: After the funding news", body_text="Later", idempotency_key="third",
        message_id="<out-1002@demo-sales.example>", status=OutboundMessage.Status.SENT, step_position=3,
    )  # fmt: skip
    response = inbound(
        _dsn(recipient=thread.contact.email, action="failed", status="5.1.1", returned_id=first.message_id)
    )
    assert response.status_code == 202
    stored = InboundMessage.objects.get()
    assert stored.status == "processed" and stored.category == "bounce" and stored.matched_by == "header"
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.bounced_at is not None and second.bounced_at is None  # the returned email, not the latest
    assert Suppression.objects.filter(value=thread.contact.email, reason="bounce").exists()


def test_a_temporary_failure_suppresses_nobody_and_leaves_the_sequence_running(inbound, sent_thread):
    thread, first, follow_up = sent_thread
    inbound(
        _dsn(
            recipient=thread.contact.email,
            action="delayed",
            status="4.2.2",
            returned_id=first.message_id,
            sender="Mail Delivery System <MAILER-DAEMON@mx.example>",
        )
    )
    stored = InboundMessage.objects.get()
    assert stored.category == "bounce" and "Temporary" in stored.action
    thread.contact.refresh_from_db()
    follow_up.refresh_from_db()
    assert thread.contact.status != "bounced" and follow_up.status != "cancelled"
    assert not Suppression.objects.filter(value=thread.contact.email).exists()


def test_an_exim_report_names_its_recipient_in_x_failed_recipients():
    raw = (
        b"Return-Path: <>\nFrom: Mail Delivery System <Mailer-Daemon@mx.example>\nTo: sam@demo-sales.example\n"
        b"Subject: Mail delivery failed: returning message to sender\n"
        b"X-Failed-Recipients: p.roux@ost-logistik.example\n"
        b"Message-ID: <e1@mx.example>\nDate: Tue, 24 Nov 2026 10:00:00 +0000\n\n"
        b"This message was created automatically by mail delivery software.\n\n"
        b"A message that you sent could not be delivered to one or more of its recipients. This is a permanent\n"
        b"error. The following address(es) failed:\n\n    (generated from the alias 'sales')\n"
    )
    parsed = parse_message(raw)
    assert parsed.bounce and parsed.permanent_bounce and parsed.bounced_addresses == ["p.roux@ost-logistik.example"]


def test_a_message_without_a_sender_matches_no_contact_that_lacks_an_address(inbound, sent_thread, personas):
    from campaigns.models import Contact

    Contact.objects.filter(pk=sent_thread[0].contact_id).update(email="")
    raw = (
        b"Return-Path: <>\nSubject: Undelivered Mail Returned to Sender\nMessage-ID: <nd-1@mx.example>\n"
        b"Date: Tue, 24 Nov 2026 10:00:00 +0000\n\nThe mail system could not deliver your message.\n"
    )
    inbound(raw)
    stored = InboundMessage.objects.get()
    assert stored.contact_id is None and stored.status == "unmatched"
