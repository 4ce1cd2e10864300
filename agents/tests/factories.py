"""A campaign with one lead, ready for the pipeline."""

from dataclasses import dataclass
from datetime import timedelta

from django.utils import timezone

from agents.conversations.models import InboundMessage
from agents.models import AgentRun
from campaigns.models import Campaign, Contact, Signal
from campaigns.tests.factories import make_account, make_campaign, make_contact, make_signal


@dataclass
class LeadSetup:
    campaign: Campaign
    contact: Contact
    signal: Signal
    run: AgentRun


def make_lead(*, workspace, campaign=None, account_fields=None, signal_fields=None, **campaign_fields) -> LeadSetup:
    campaign = campaign or make_campaign(workspace=workspace, **campaign_fields)
    account = make_account(
        workspace=workspace,
        **{"industry": "Software", "employee_count": 300, "country": "DE", "tier": "B", **(account_fields or {})},
    )
    contact = make_contact(workspace=workspace, account=account, title="VP Sales", first_name="Mia")
    signal = make_signal(
        workspace=workspace,
        account=account,
        **{
            "kind": "funding",
            "title": f"{account.name} raised a $40M Series B",
            "text": f"{account.name} raised $40M in a Series B led by Example Ventures.",
            "occurred_at": timezone.now() - timedelta(days=2),
            **(signal_fields or {}),
        },
    )
    run = AgentRun.objects.create(workspace=workspace, campaign=campaign, contact=contact, step_position=1)
    return LeadSetup(campaign=campaign, contact=contact, signal=signal, run=run)


def make_answer_run(
    *,
    workspace,
    category: str = "question",
    text: str = "Do your customers really book more meetings with it?",  # the default proof point answers it
    meeting_offer: str = "",
    **campaign_fields,
) -> LeadSetup:
    """A prospect's reply waiting for its answer: an answer run (the reply set, step 0) started the way
    conversations.answer_reply starts one, ready for the pipeline."""
    lead = make_lead(workspace=workspace, **campaign_fields)
    inbound = InboundMessage.objects.create(
        workspace=workspace, channel="mime", raw=b"", size_bytes=0, dedupe_key=f"<reply-{lead.run.pk}@x>",
        contact=lead.contact, text=text, category=category, subject="Re: After the funding news",
    )  # fmt: skip
    lead.run.inbound_message, lead.run.step_position = inbound, 0
    lead.run.reply_context = {"text": text, "category": category, "meeting_offer": meeting_offer}
    lead.run.save()
    return lead
