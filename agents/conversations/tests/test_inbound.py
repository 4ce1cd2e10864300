"""Replies come back into salesops and are understood; nothing that arrives is lost or doubled."""

from datetime import UTC, date, datetime
from pathlib import Path

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from agents.conversations.models import InboundMessage
from agents.delivery.models import OutboundMessage, Suppression
from agents.models import Handoff
from campaigns.models import Contact
from salesops.models import AuditEvent

pytestmark = pytest.mark.django_db
CORPUS = Path(__file__).parent / "corpus"


def _raw(name: str, **replace: str) -> bytes:
    text = (CORPUS / name).read_text()
    for old, new in replace.items():
        text = text.replace(old, new)
    return text.encode()


def test_a_wrong_or_missing_secret_is_refused_with_401(inbound):
    assert inbound(_raw("01-interested-gmail.eml"), secret="nope").status_code == 401
    assert not InboundMessage.objects.exists()


def test_the_same_message_delivered_twice_is_one_message(inbound, sent_thread):
    first = inbound(_raw("01-interested-gmail.eml"))
    second = inbound(_raw("01-interested-gmail.eml"))
    assert first.status_code == 202 and second.status_code == 200 and second.json()["duplicate"]
    assert InboundMessage.objects.count() == 1


def test_malformed_and_oversized_messages_are_kept_as_failed_never_a_500(inbound, settings, personas):
    response = inbound(b"\x00\x01 this is not an email")
    assert response.status_code == 202
    failed = InboundMessage.objects.get()
    assert failed.status == "failed" and "Unreadable" in failed.failure_reason
    settings.SALESOPS_INBOUND_MAX_BYTES = 2000
    big = inbound(_raw("01-interested-gmail.eml") + b"x" * 5000)
    assert big.json()["status"] == "failed" and "limit" in big.json()["reason"]
    page = personas.client_for(personas.admin).get(reverse("conversations:inbound_list"), {"status": "failed"})
    assert "limit is 2,000" in page.text


def test_a_reply_is_matched_by_its_token_and_any_human_reply_stops_the_sequence(inbound, sent_thread):
    thread, _, follow_up = sent_thread
    inbound(_raw("01-interested-gmail.eml"))
    message = InboundMessage.objects.get()
    assert (message.matched_by, message.thread, message.category) == ("token", thread, "interested")
    follow_up.refresh_from_db()
    assert follow_up.status == "cancelled" and follow_up.cancel_reason == "replied"
    thread.refresh_from_db()
    assert thread.replied_at is not None
    assert Contact.objects.get(pk=thread.contact_id).status == "replied"


def test_without_a_token_the_references_then_the_sender_match(inbound, sent_thread):
    thread, _, _ = sent_thread
    inbound(_raw("09-objection-competitor.eml", **{"reply+t8f3k2@": "someone@"}))
    by_header = InboundMessage.objects.get()
    assert by_header.matched_by == "header" and by_header.contact == thread.contact
    raw = _raw("10-objection-budget.eml", **{"reply+t8f3k2@": "x@", "<out-1001@demo-sales.example>": "<zz@x>"})
    raw = raw.replace(b"kim.sato@acme-robotics.example", b"jane.doe@acme-robotics.example")
    inbound(raw)
    assert InboundMessage.objects.latest("pk").matched_by == "sender"


def test_unmatched_mail_lands_in_the_inbox(inbound, sent_thread):
    raw = _raw("07-question-how.eml", **{"reply+t8f3k2@": "x@", "<out-1001@demo-sales.example>": "<zz@x>"})
    inbound(raw)
    message = InboundMessage.objects.get()
    assert message.status == "unmatched"
    handoff = Handoff.objects.get(kind=Handoff.Kind.REPLY_REVIEW)
    assert "Unmatched email" in handoff.reason and handoff.proposal["unmatched"]


def test_an_unsubscribe_in_german_suppresses_at_once_and_sends_nothing(inbound, sent_thread):
    thread, _, follow_up = sent_thread
    raw = _raw("22-unsubscribe-de.eml").replace(b"klaus.richter@", b"jane.doe@")
    inbound(raw)
    contact = Contact.objects.get(pk=thread.contact_id)
    assert contact.status == "unsubscribed"
    assert Suppression.objects.filter(value=contact.email, reason="unsubscribe").exists()
    follow_up.refresh_from_db()
    assert follow_up.status == "cancelled"
    assert OutboundMessage.objects.filter(status="queued").count() == 0


def test_out_of_office_moves_the_next_step_after_the_return_date(inbound, sent_thread):
    thread, _, follow_up = sent_thread
    raw = _raw("35-ooo-exchange.eml").replace(b"julia.hartmann@", b"jane.doe@")
    with time_machine.travel(datetime(2026, 11, 25, 12, 30, tzinfo=UTC)):  # the day the notice was sent
        inbound(raw)
    contact = Contact.objects.get(pk=thread.contact_id)
    assert contact.sequence_resume_on.isoformat() == "2026-12-08"
    assert "the return date in the reply: 2026-12-07" in InboundMessage.objects.get().action
    follow_up.refresh_from_db()
    assert follow_up.status == "queued" and follow_up.not_before.date().isoformat() == "2026-12-08"
    assert contact.status == "new"  # an auto-reply is not a human reply


def test_a_bounce_suppresses_the_address_and_marks_the_contact(inbound, sent_thread):
    thread, sent, follow_up = sent_thread
    raw = _raw("40-bounce-postfix.eml").replace(b"old.contact@acme-robotics.example", b"jane.doe@acme-robotics.example")
    inbound(raw)
    contact = Contact.objects.get(pk=thread.contact_id)
    assert contact.status == "bounced"
    assert Suppression.objects.filter(value=contact.email, reason="bounce").exists()
    sent.refresh_from_db()
    follow_up.refresh_from_db()
    assert sent.bounced_at is not None and follow_up.status == "cancelled"


def test_a_negotiation_goes_straight_to_a_person_and_the_agent_stays_silent(inbound, sent_thread):
    raw = _raw("27-negotiation-discount.eml").replace(b"quinn.rossi@", b"jane.doe@")
    inbound(raw)
    handoff = Handoff.objects.get(kind=Handoff.Kind.NEGOTIATION)
    assert "discount" in handoff.reason and "agents stay silent" in handoff.reason
    assert not OutboundMessage.objects.filter(status="queued").exists()


def test_not_now_schedules_the_follow_up_on_the_date_given(inbound, sent_thread):
    thread, _, _ = sent_thread
    inbound(_raw("13-notnow-q1.eml").replace(b"paul.meyer@", b"jane.doe@"))
    assert Contact.objects.get(pk=thread.contact_id).sequence_resume_on.isoformat() == "2027-01-01"


def test_not_now_is_read_against_the_day_the_reply_was_written_not_the_day_we_read_it(inbound, sent_thread):
    # "Again in Q1", written on 25 November 2026 and taken in only in March 2027, still means January 2027.
    thread, _, _ = sent_thread
    with time_machine.travel(datetime(2027, 3, 13, 9, 0, tzinfo=UTC)):
        inbound(_raw("13-notnow-q1.eml").replace(b"paul.meyer@", b"jane.doe@"))
    # Read against March it would be the next Q1, January 2028; January 2027 has passed, so: from today.
    assert Contact.objects.get(pk=thread.contact_id).sequence_resume_on == date(2027, 3, 13)
    assert "the date it names, 2027-01-01, has passed: from today" in InboundMessage.objects.get().action


def test_a_reply_without_a_date_waits_the_stated_default_and_says_so(inbound, sent_thread):
    thread, _, _ = sent_thread
    raw = _raw("39-ooo-phrasing-only.eml").replace(b"chris.young@", b"jane.doe@")
    head = raw.split(b"\n\n", 1)[0].replace(b"Subject: Out of Office: After", b"Subject: Re: After")
    with time_machine.travel(datetime(2026, 11, 25, 12, 30, tzinfo=UTC)):
        inbound(head + b"\n\nNot a priority for us at the moment, sorry. Maybe later.\n")
    stored = InboundMessage.objects.get()
    assert stored.category == "not_now"
    assert Contact.objects.get(pk=thread.contact_id).sequence_resume_on == date(2027, 2, 23)
    assert "no date in the reply: 90 days, the default" in stored.action


def test_a_date_header_later_than_our_receipt_does_not_push_the_follow_up_out(inbound, sent_thread):
    thread, _, _ = sent_thread
    wrong_clock = {"Date: Wed, 25 Nov 2026 13:01:00 +0100": "Date: Mon, 01 Feb 2027 09:00:00 +0100"}
    with time_machine.travel(datetime(2026, 11, 25, 12, 30, tzinfo=UTC)):
        inbound(_raw("13-notnow-q1.eml", **wrong_clock).replace(b"paul.meyer@", b"jane.doe@"))
    # Read against the Date header it would be the next Q1 after February 2027: January 2028.
    assert Contact.objects.get(pk=thread.contact_id).sequence_resume_on == date(2027, 1, 1)


def test_a_referral_adds_the_new_contact_for_review(inbound, sent_thread):
    inbound(_raw("16-referral-email.eml"))
    referred = Contact.objects.get(email="maria.lopez@acme-robotics.example")
    assert referred.first_name == "Maria" and referred.referred_by.email == "jane.doe@acme-robotics.example"
    handoff = Handoff.objects.get(contact=referred)
    assert "referred Maria Lopez" in handoff.reason


def test_instructions_inside_a_reply_are_flagged_and_never_followed(inbound, sent_thread):
    raw = _raw("33-hostile-injection-2.eml").replace(b"mallory.stone@", b"jane.doe@")
    inbound(raw)
    handoffs = list(Handoff.objects.values_list("kind", "reason"))
    assert any("instructions to the agents" in reason for _, reason in handoffs)
    assert not OutboundMessage.objects.filter(status="queued").exists()
    assert AuditEvent.objects.filter(verb="inbound.negotiation").exists()


def test_mail_to_the_list_unsubscribe_address_unsubscribes_whatever_it_says(inbound, sent_thread):
    thread, _, _ = sent_thread
    inbound(_raw("01-interested-gmail.eml", **{"reply+t8f3k2@": "reply+unsubscribe-t8f3k2@"}))
    assert InboundMessage.objects.get().matched_by == "unsubscribe"
    assert Contact.objects.get(pk=thread.contact_id).status == "unsubscribed"


def test_on_the_not_now_date_the_next_step_is_drafted(inbound, sent_thread):
    from datetime import date

    from agents.conversations.follow_ups import not_now_follow_ups
    from agents.models import AgentRun

    thread, _, _ = sent_thread
    thread.campaign.status = "active"
    thread.campaign.save()
    inbound(_raw("13-notnow-q1.eml").replace(b"paul.meyer@", b"jane.doe@"))
    assert not_now_follow_ups(campaign=thread.campaign, today=date(2026, 12, 31)) == []
    started = not_now_follow_ups(campaign=thread.campaign, today=date(2027, 1, 2))
    assert [run.step_position for run in AgentRun.objects.filter(pk__in=started)] == [2]
    contact = Contact.objects.get(pk=thread.contact_id)
    assert contact.status == "in_sequence" and contact.sequence_resume_on is None


def test_a_question_gets_a_grounded_answer_verified_and_routed(inbound, sent_thread, personas):
    from agents.models import AgentRun

    thread, _, _ = sent_thread
    thread.campaign.autonomy = "review_all"
    thread.campaign.save()
    inbound(_raw("06-question-integration.eml").replace(b"priya.nair@", b"jane.doe@"))
    run = AgentRun.objects.get(inbound_message__isnull=False)
    assert run.reply_context["category"] == "question"
    assert run.verification["passed"], run.verification
    handoff = Handoff.objects.get(run=run)
    assert handoff.kind == Handoff.Kind.DRAFT_REVIEW
    assert handoff.proposal["draft"]["body"].startswith("Hi Jane,\n\nThanks for the question.")
    from agents.decisions import handoff_approve

    message = handoff_approve(handoff=handoff, actor=personas.rep)
    assert message.idempotency_key == f"reply:{run.inbound_message_id}" and message.thread == thread
    # The answer keeps the conversation's subject, with one "Re: ".
    assert message.subject == "Re: After the funding news"


@pytest.mark.parametrize(
    ("subject", "answer"),
    [
        ("After the funding news", "Re: After the funding news"),
        ("RE: AW: Re: After the funding news", "Re: After the funding news"),
        ("Re[2]: Quick question", "Re: Quick question"),
        ("", "Re: our conversation"),
    ],
)
def test_an_answers_subject_is_the_conversations_with_one_re(subject, answer):
    from agents.conversations.services import reply_subject

    assert reply_subject(subject) == answer


def test_an_email_provider_webhook_delivers_replies_through_anymail(personas, sent_thread, settings,
                                                                    django_capture_on_commit_callbacks):  # fmt: skip
    import base64
    import json

    settings.ANYMAIL = {"WEBHOOK_SECRET": "relay:s3cret-webhook"}
    raw = _raw("01-interested-gmail.eml").decode()
    payload = json.dumps({"RawEmail": raw, "MessageID": "pm-1", "From": "jane.doe@acme-robotics.example"})
    url = reverse("anymail:postmark_inbound_webhook")
    client = Client(enforce_csrf_checks=True)  # a provider sends no CSRF token

    for wrong in ({}, {"HTTP_AUTHORIZATION": "Basic " + base64.b64encode(b"relay:guess").decode()}):
        refused = client.post(url, payload, content_type="application/json", **wrong)
        assert refused.status_code == 401 and refused["WWW-Authenticate"].startswith("Basic")
    assert not InboundMessage.objects.exists()

    auth = "Basic " + base64.b64encode(b"relay:s3cret-webhook").decode()
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(2):  # providers retry: the same message twice is one message
            assert (
                client.post(url, payload, content_type="application/json", HTTP_AUTHORIZATION=auth).status_code == 200
            )
    message = InboundMessage.objects.get()
    assert (message.channel, message.workspace, message.category) == ("esp", personas.workspace, "interested")


def test_a_reply_the_classifier_is_unsure_of_waits_for_a_person_and_nothing_is_done(inbound, sent_thread):
    thread, _, follow_up = sent_thread
    raw = _raw("39-ooo-phrasing-only.eml").replace(b"chris.young@", b"jane.doe@")
    head = raw.split(b"\n\n", 1)[0].replace(b"Subject: Out of Office: After", b"Subject: Re: After")
    inbound(head + b"\n\nhmm\n")
    stored = InboundMessage.objects.get()
    handoff = Handoff.objects.get(kind=Handoff.Kind.REPLY_REVIEW)
    assert stored.status == "processed" and "low confidence" in handoff.reason
    assert Contact.objects.get(pk=thread.contact_id).sequence_resume_on is None
    follow_up.refresh_from_db()
    assert follow_up.status == "cancelled"  # a person's reply stops the sequence, whatever it means
    assert not OutboundMessage.objects.filter(status="queued").exists()


def test_a_referral_with_a_time_to_wait_adds_the_contact_and_holds_them_until_then(inbound, sent_thread):
    raw = _raw("39-ooo-phrasing-only.eml").replace(b"chris.young@", b"jane.doe@")
    head = raw.split(b"\n\n", 1)[0].replace(b"Subject: Out of Office: After", b"Subject: Re: After")
    body = (
        b"Hi Sam, vendor tooling is Dana Cole's area now (dana.cole@acme-robotics.example). "
        b"She is on leave until 11 January, so please write to her after that.\n"
    )
    with time_machine.travel(datetime(2026, 11, 25, 12, 30, tzinfo=UTC)):  # the day the reply was written
        inbound(head + b"\n\n" + body)
    referred = Contact.objects.get(email="dana.cole@acme-robotics.example")
    assert referred.sequence_resume_on.isoformat() == "2027-01-11"
    handoff = Handoff.objects.get(kind=Handoff.Kind.REPLY_REVIEW, contact=referred)
    assert "not before 2027-01-11" in handoff.reason


def _raw_reply(body: str) -> bytes:
    return (
        "From: Jane Doe <jane.doe@acme-robotics.example>\r\nTo: reply+t8f3k2@replies.demo-sales.example\r\n"
        "Subject: Re: After the funding news\r\nDate: Wed, 25 Nov 2026 13:03:00 +0100\r\n"
        "Message-ID: <lean-1@mail.acme-robotics.example>\r\nIn-Reply-To: <out-1001@demo-sales.example>\r\n"
        f"MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n{body}\r\n"
    ).encode()


def _classified_as(monkeypatch, **fields):
    """The offline classifier's reading replaced by this one (what a model might make of an odd reply)."""
    from agents.conversations import classify as classify_module
    from agents.llm import offline

    def reading(data):
        output = classify_module.classify_offline(data)
        return output.model_copy(update=fields)

    monkeypatch.setitem(offline._registry, "classify", reading)


def test_an_unsubscribe_the_classifier_only_leans_to_waits_for_a_person(inbound, sent_thread, monkeypatch):
    thread, _, _ = sent_thread
    _classified_as(monkeypatch, category="unsubscribe", confidence=0.21, needs_person=True,
                   person_reason="low confidence (21% unsubscribe)")  # fmt: skip
    inbound(_raw_reply("Thanks, mark me down as interested for the spring pilot."))
    contact = Contact.objects.get(pk=thread.contact_id)
    assert contact.status == "replied"
    assert not Suppression.objects.exists()
    [handoff] = Handoff.objects.all()
    assert handoff.kind == Handoff.Kind.REPLY_REVIEW and "unsure" in handoff.reason


def test_an_unsure_unsubscribe_whose_words_ask_to_stop_is_honoured_at_once(inbound, sent_thread, monkeypatch):
    thread, _, _ = sent_thread
    _classified_as(monkeypatch, category="unsubscribe", confidence=0.21, needs_person=True,
                   person_reason="low confidence (21% unsubscribe)")  # fmt: skip
    inbound(_raw_reply("Please delete my contact details from your database."))
    assert Contact.objects.get(pk=thread.contact_id).status == "unsubscribed"
    assert Suppression.objects.filter(kind="email", value=thread.contact.email).exists()
