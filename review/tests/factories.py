"""Inbox items: real ones from the offline pipeline, and bare rows for list and count tests."""

import itertools
from datetime import timedelta

from django.utils import timezone

from agents.handoffs import DRAFT_ACTIONS, EXCEPTION_ACTIONS
from agents.models import Handoff
from agents.outreach.pipeline import lead_pipeline_run
from agents.tests.factories import make_answer_run, make_lead

_sequence = itertools.count(1)


def make_review_handoff(*, workspace, **lead_fields) -> Handoff:
    """A draft review the way agents open one: a lead through the offline pipeline of a
    campaign that reviews every email."""
    lead_fields.setdefault("autonomy", "review_all")
    lead = make_lead(workspace=workspace, **lead_fields)
    run = lead_pipeline_run(run_id=lead.run.pk)
    return Handoff.objects.select_related("contact", "run").get(run=run)


def make_answer_handoff(*, workspace, **reply) -> Handoff:
    """A proposed answer to a prospect's reply the way agents open one: an answer run (the reply set,
    step 0) through the offline pipeline of a campaign that reviews every email."""
    lead = make_answer_run(workspace=workspace, autonomy="review_all", **reply)
    run = lead_pipeline_run(run_id=lead.run.pk)
    return Handoff.objects.select_related("contact", "run").get(run=run)


def make_handoff(
    *, workspace, kind: str = Handoff.Kind.DRAFT_REVIEW, age: timedelta | None = None, **fields
) -> Handoff:
    """A bare handoff row (no run, no draft): cheap, for lists, filters and counts."""
    number = next(_sequence)
    actions = DRAFT_ACTIONS if kind in (Handoff.Kind.DRAFT_REVIEW, Handoff.Kind.ESCALATION) else EXCEPTION_ACTIONS
    defaults = {
        "reason": f"Reason number {number}.",
        "allowed_actions": actions,
        "created_at": timezone.now() - (age if age is not None else timedelta(minutes=number)),
    }
    return Handoff.objects.create(workspace=workspace, kind=kind, **{**defaults, **fields})
