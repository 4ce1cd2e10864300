"""No inbound mail is lost: any body is stored before parsing (up to SALESOPS_INBOUND_MAX_BYTES, then
truncated with the reason), text that a database refuses is cleaned, a huge reply is read in linear
time, a message no worker finished is picked up again, and a task delivered twice does nothing twice."""

from datetime import timedelta

from django.utils import timezone

from agents.conversations import services
from agents.conversations.models import InboundMessage
from agents.conversations.services import inbound_process, inbound_requeue_stale
from agents.models import Handoff

REPLY = (
    b"From: Jane Doe <jane.doe@acme-robotics.example>\r\nTo: reply+t8f3k2@demo-sales.example\r\n"
    b"Subject: Re: After the funding news\r\nMessage-ID: <r-%s@acme-robotics.example>\r\n"
    b"In-Reply-To: <out-1001@demo-sales.example>\r\nDate: Tue, 24 Nov 2026 10:00:00 +0000\r\n"
    b"Content-Type: text/plain; charset=utf-8\r\n\r\n"
)


def _reply(tag: bytes, body: bytes) -> bytes:
    return REPLY.replace(b"%s", tag) + body


def test_a_message_above_django_s_upload_limit_is_stored_and_processed(inbound, sent_thread, settings):
    # DATA_UPLOAD_MAX_MEMORY_SIZE (2.5 MB) guards forms; the endpoint takes mail up to its own limit.
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 100_000
    body = b"Sounds interesting, let's set up a call next week.\r\n\r\n" + b"attachment line\r\n" * 20_000
    response = inbound(_reply(b"big", body))
    assert response.status_code == 202
    stored = InboundMessage.objects.get()
    assert stored.size_bytes > 300_000 and stored.status != "failed", stored.failure_reason


def test_a_message_above_the_inbound_limit_is_kept_truncated_with_the_reason_and_in_the_inbox(
    inbound, sent_thread, settings
):
    settings.SALESOPS_INBOUND_MAX_BYTES = 50_000
    raw = _reply(b"huge", b"x" * 120_000)
    body = inbound(raw).json()
    stored = InboundMessage.objects.get()
    assert body["status"] == "failed" and "limit is 50,000" in body["reason"]
    assert len(bytes(stored.raw)) == 50_000 and stored.size_bytes == len(raw)
    assert stored.from_address == "jane.doe@acme-robotics.example"  # what was read still says who wrote
    assert Handoff.objects.filter(kind="exception", reason__contains="limit is 50,000").exists()


def test_nul_bytes_and_invalid_unicode_are_cleaned_not_a_500(inbound, sent_thread):
    raw = _reply(b"nul", b"Happy to talk\x00 next week \xff\xfe about it.\r\n").replace(
        b"Subject: Re: After", b"Subject: Re: \x00After"
    )
    response = inbound(raw)
    assert response.status_code == 202
    stored = InboundMessage.objects.get()
    assert stored.status == "processed"
    assert "\x00" not in stored.subject + stored.text and "Happy to talk" in stored.text


def test_a_reply_of_one_two_megabyte_line_is_processed_and_goes_to_a_person(inbound, sent_thread, settings):
    settings.SALESOPS_INBOUND_MAX_BYTES = 4 * 1024 * 1024
    inbound(_reply(b"line", b"Thanks, " + b"a" * 2_000_000 + b"\r\n"))
    stored = InboundMessage.objects.get()
    assert stored.status == "processed", stored.failure_reason
    assert "person" in stored.action
    assert Handoff.objects.filter(kind="reply_review", reason__contains="characters long").exists()


def test_a_task_delivered_twice_processes_the_message_once(personas, sent_thread, monkeypatch):
    raw = _reply(b"twice", b"Sounds good, send me some times.\r\n")
    message = InboundMessage.objects.create(
        workspace=personas.workspace, channel="mime", raw=raw, size_bytes=len(raw), dedupe_key="t"
    )
    runs = []
    process = services._process

    def process_while_the_broker_delivers_it_again(inbound, provider):
        runs.append(inbound.pk)
        if len(runs) == 1:  # a second worker gets the same task while the first is still at work
            inbound_process(inbound_id=inbound.pk)
        process(inbound, provider)

    monkeypatch.setattr(services, "_process", process_while_the_broker_delivers_it_again)
    inbound_process(inbound_id=message.pk)
    message.refresh_from_db()
    assert runs == [message.pk] and message.status == "processed" and message.attempts == 1


def test_a_message_no_worker_finished_is_picked_up_again(personas, sent_thread, django_capture_on_commit_callbacks):
    thread, _, _ = sent_thread
    raw = _reply(b"lost", b"Sounds good, send me some times.\r\n")
    long_ago = timezone.now() - timedelta(minutes=30)
    lost_task = InboundMessage.objects.create(
        workspace=personas.workspace, channel="mime", raw=raw, size_bytes=len(raw), dedupe_key="a",
        received_at=long_ago,
    )  # fmt: skip
    dead_worker = InboundMessage.objects.create(
        workspace=personas.workspace, channel="mime", raw=raw.replace(b"r-lost", b"r-dead"), size_bytes=len(raw),
        dedupe_key="b", status="processing", claimed_at=long_ago, attempts=1,
    )  # fmt: skip
    just_arrived = InboundMessage.objects.create(
        workspace=personas.workspace, channel="mime", raw=raw, size_bytes=len(raw), dedupe_key="c"
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert inbound_requeue_stale() == 2
    for message in (lost_task, dead_worker, just_arrived):
        message.refresh_from_db()
    assert lost_task.status == "processed" and dead_worker.status == "processed"
    assert just_arrived.status == "received"  # its own task is still on its way
    assert inbound_requeue_stale() == 0


def test_a_message_whose_processing_keeps_stopping_fails_into_the_inbox(personas):
    raw = _reply(b"crash", b"hello\r\n")
    message = InboundMessage.objects.create(
        workspace=personas.workspace, channel="mime", raw=raw, size_bytes=len(raw), dedupe_key="d",
        status="processing", claimed_at=timezone.now() - timedelta(hours=1), attempts=3,
    )  # fmt: skip
    assert inbound_requeue_stale() == 0
    message.refresh_from_db()
    assert message.status == "failed" and "3 times" in message.failure_reason
    assert Handoff.objects.filter(kind="exception", proposal__inbound=message.pk).exists()
