"""In the sandbox, simulated prospects answer the first email with a realistic mix, through the real inbound path."""

from collections import Counter
from datetime import timedelta

import pytest
from django.utils import timezone

from agents.conversations.models import InboundMessage
from agents.conversations.simulator import (
    REPLY_MIX,
    _books,
    _choice,
    prospect_rates,
    simulate_prospect_replies,
    simulated_reply,
)
from agents.delivery.models import EmailThread, Mailbox, OutboundMessage, SandboxMail
from agents.tests.factories import make_lead

pytestmark = pytest.mark.django_db


def _sandbox_mail(personas, email: str) -> SandboxMail:
    lead = make_lead(workspace=personas.workspace)
    lead.contact.email = email
    lead.contact.save()
    mailbox = Mailbox.objects.create(workspace=personas.workspace, from_name="Sam", from_address="sam@demo.example")
    thread = EmailThread.objects.create(
        workspace=personas.workspace,
        campaign=lead.campaign,
        contact=lead.contact,
        mailbox=mailbox,
        reply_token=email[:8],
    )
    message = OutboundMessage.objects.create(
        workspace=personas.workspace, campaign=lead.campaign, contact=lead.contact, thread=thread, mailbox=mailbox,
        subject="After the funding news", body_text="Hi", idempotency_key=email, status="sent",
    )  # fmt: skip
    return SandboxMail.objects.create(
        workspace=personas.workspace,
        message=message,
        from_header="Sam <sam@demo.example>",
        to_header=f"Jane <{email}>",
        subject=message.subject,
        headers=[["Message-ID", message.message_id], ["Reply-To", f"Sam <reply+{thread.reply_token}@demo.example>"]],
        text="Hi Jane,\nWould a call help?",
        raw="",
        created_at=timezone.now() - timedelta(minutes=5),
    )


def test_the_mix_covers_every_kind_the_demo_needs():
    kinds = Counter(_choice(f"person{n}@example.test")[0] for n in range(400))
    expected = {kind for _, kind, _ in REPLY_MIX}
    assert set(kinds) == expected
    assert kinds["silent"] < 150


@pytest.mark.parametrize("kind", ["interested", "unsubscribe", "bounce", "out_of_office", "negotiation", "referral"])
def test_each_simulated_reply_is_understood_as_what_it_simulates(personas, settings, kind,
                                                                  django_capture_on_commit_callbacks):  # fmt: skip
    settings.SALESOPS_PROSPECT_SIMULATOR = True
    settings.SALESOPS_PROSPECT_SIMULATOR_DELAY_SECONDS = 10
    # make_lead's prospect: a VP Sales at a 300-person software company.
    share = prospect_rates(industry="Software", employee_count=300, title="VP Sales").interested_out_of_20
    email = next(
        f"p{n}@acme.example"
        for n in range(5000)
        if _choice(f"p{n}@acme.example", interested_out_of_20=share)[0] == kind
    )
    mail = _sandbox_mail(personas, email)
    assert simulated_reply(mail) is not None
    with django_capture_on_commit_callbacks(execute=True):
        assert simulate_prospect_replies() == 1
        assert simulate_prospect_replies() == 0  # answered once
    inbound = InboundMessage.objects.get()
    assert inbound.status == "processed", inbound.failure_reason or inbound.action
    assert inbound.category == kind


def test_the_simulator_is_off_outside_development(personas, settings):
    settings.SALESOPS_PROSPECT_SIMULATOR = False
    _sandbox_mail(personas, "p1@acme.example")
    assert simulate_prospect_replies() == 0
    assert not InboundMessage.objects.exists()


def test_segments_reply_and_book_at_the_documented_rates():
    ops = prospect_rates(industry="Freight & Logistics", employee_count=300, title="VP Operations")
    sales = prospect_rates(industry="Software", employee_count=120, title="Head of Sales")
    small_other = prospect_rates(industry="Retail", employee_count=20, title="Marketing Manager")
    assert (ops.industry, ops.size_band, ops.persona, ops.interested_out_of_20, ops.booking_out_of_10) == (
        "logistics",
        "200-999",
        "operations",
        8,
        9,
    )
    assert (sales.persona, sales.interested_out_of_20, sales.booking_out_of_10) == ("sales", 4, 6)
    assert (small_other.persona, small_other.interested_out_of_20, small_other.booking_out_of_10) == ("other", 0, 4)
    # Revenue operations is a sales role, not operations.
    assert prospect_rates(industry="Logistics", title="Head of Revenue Operations").persona == "sales"
    assert ops.meeting_rate == pytest.approx(0.36) and sales.meeting_rate == pytest.approx(0.12)


def test_simulated_prospects_of_a_better_segment_are_interested_and_book_more_often():
    ops = prospect_rates(industry="Logistics", employee_count=300, title="VP Operations")
    sales = prospect_rates(industry="Software", employee_count=120, title="VP Sales")
    addresses = [f"lead{n}@example.test" for n in range(4000)]

    def interested(rates):
        return sum(_choice(a, interested_out_of_20=rates.interested_out_of_20)[0] == "interested" for a in addresses)

    assert interested(ops) / len(addresses) == pytest.approx(8 / 20, abs=0.03)
    assert interested(sales) / len(addresses) == pytest.approx(4 / 20, abs=0.03)
    assert sum(_books(a, ops) for a in addresses) / len(addresses) == pytest.approx(0.9, abs=0.03)
    assert sum(_books(a, sales) for a in addresses) / len(addresses) == pytest.approx(0.6, abs=0.03)
    # Every kind still turns up for the better segment; only silence gives way to interest.
    kinds = Counter(_choice(a, interested_out_of_20=ops.interested_out_of_20)[0] for a in addresses)
    assert set(kinds) == {kind for _, kind, _ in REPLY_MIX} - {"silent"}
