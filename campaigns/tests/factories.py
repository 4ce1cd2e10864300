"""Factories for strategy and data: one function per model; defaults make a complete, valid row."""

import itertools
from datetime import date, timedelta

from django.utils import timezone

from campaigns.models import (
    ICP,
    Account,
    Campaign,
    Contact,
    ICPVersion,
    Offer,
    Policy,
    ProofPoint,
    SequenceStep,
    Signal,
)
from campaigns.selectors import mailbox_model

_sequence = itertools.count(1)


def make_icp_version(*, workspace, name: str | None = None, **content) -> ICPVersion:
    icp = ICP.objects.create(workspace=workspace, name=name or f"ICP {next(_sequence)}")
    defaults = {
        "description": "Mid-market software companies",
        "industries": ["Software"],
        "employee_min": 50,
        "employee_max": 2000,
        "countries": ["DE", "US"],
        "persona_titles": ["VP Sales"],
        "signal_weights": {"funding": 8, "hiring": 5},
    }
    return ICPVersion.objects.create(workspace=workspace, icp=icp, number=1, **{**defaults, **content})


def make_offer(*, workspace, **fields) -> Offer:
    defaults = {
        "name": f"Offer {next(_sequence)}",
        "value_proposition": "Book more qualified demos with less manual prospecting.",
        "call_to_action": "Worth a 20-minute call next week?",
        "tone": "plain and friendly",
        "languages": ["en"],
        "sender_name": "Sam Seller",
        "signature": "Sam Seller\nAccount Executive",
        "postal_address": "Example GmbH, Hauptstr. 1, 10115 Berlin, Germany",
    }
    return Offer.objects.create(workspace=workspace, **{**defaults, **fields})


def make_policy(*, workspace, **fields) -> Policy:
    defaults = {"name": f"Policy {next(_sequence)}", "forbidden_phrases": ["guarantee"]}
    return Policy.objects.create(workspace=workspace, **{**defaults, **fields})


def make_proof_point(*, workspace, **fields) -> ProofPoint:
    defaults = {
        "kind": ProofPoint.Kind.METRIC,
        "title": "Faster pipeline",
        "text": "Customers book 32% more meetings in their first quarter.",
        "source": "https://example.com/case-studies",
    }
    return ProofPoint.objects.create(workspace=workspace, **{**defaults, **fields})


def make_mailbox_for(*, workspace, campaigns=(), **fields):
    """An active, warm mailbox of the workspace sending for `campaigns`. Delivery owns the model (its own
    factory is agents.delivery.tests.support.make_mailbox); this app reaches it through the campaign's
    `mailboxes` relation, as it may not import agents."""
    number = next(_sequence)
    defaults = {
        "from_name": "Sam Seller",
        "from_address": f"sam.campaign{number}@sender.example",
        "warmup_started_on": None,
        "daily_cap": 30,
    }
    mailbox = mailbox_model().objects.create(workspace=workspace, **{**defaults, **fields})
    mailbox.campaigns.set(campaigns)
    return mailbox


def make_campaign(*, workspace, complete: bool = True, steps: int = 3, mailbox: bool = False, **fields) -> Campaign:
    """A campaign; `complete=True` gives it every piece activation needs but a mailbox, which `mailbox=True`
    adds (an active one of its own). Not by default: a mailbox changes what the planner and the scheduler
    do, and most tests that care set up the mailboxes themselves."""
    defaults = {"name": f"Campaign {next(_sequence)}", "send_days": [0, 1, 2, 3, 4]}
    if complete:
        today = date.today()
        defaults |= {
            "icp_version": make_icp_version(workspace=workspace),
            "offer": make_offer(workspace=workspace),
            "policy": make_policy(workspace=workspace),
            "goal_target": 10,
            "goal_start": today,
            "goal_end": today + timedelta(days=30),
        }
        if not ProofPoint.objects.filter(workspace=workspace).exists():
            make_proof_point(workspace=workspace)
    campaign = Campaign.objects.create(workspace=workspace, **{**defaults, **fields})
    intents = ["intro", "follow_up", "break_up"]
    for position in range(1, steps + 1):
        SequenceStep.objects.create(
            workspace=workspace,
            campaign=campaign,
            position=position,
            intent=intents[min(position - 1, 2)],
            delay_business_days=0 if position == 1 else 3,
        )
    if mailbox:
        make_mailbox_for(workspace=workspace, campaigns=[campaign])
    return campaign


def make_account(*, workspace, **fields) -> Account:
    number = next(_sequence)
    defaults = {"name": f"Company {number}", "domain": f"company{number}.example", "industry": "Software"}
    return Account.objects.create(workspace=workspace, **{**defaults, **fields})


def make_contact(*, workspace, account=None, **fields) -> Contact:
    number = next(_sequence)
    account = account or make_account(workspace=workspace)
    defaults = {"first_name": "Alex", "last_name": f"Buyer{number}", "email": f"alex{number}@{account.domain}"}
    return Contact.objects.create(workspace=workspace, account=account, **{**defaults, **fields})


def make_signal(*, workspace, account=None, **fields) -> Signal:
    number = next(_sequence)
    account = account or make_account(workspace=workspace)
    defaults = {
        "kind": Signal.Kind.FUNDING,
        "occurred_at": timezone.now() - timedelta(days=3),
        "source": "crunchbase",
        "external_id": f"sig-{number}",
        "title": "Raised a Series B",
        "text": "The company raised $40M in a Series B led by Example Ventures.",
    }
    return Signal.objects.create(workspace=workspace, account=account, **{**defaults, **fields})
