"""Leads started before enrolments existed get one each: active while the sequence can go on, the
earliest exclusive, later duplicates beside it with a note, none holding an account slot."""

import importlib
from datetime import timedelta

import pytest
from django.apps import apps
from django.utils import timezone

from agents.models import AgentRun
from campaigns.models import Enrolment
from campaigns.tests.factories import make_campaign, make_contact

pytestmark = pytest.mark.django_db

backfill = importlib.import_module("agents.migrations.0011_backfill_enrolments").backfill_enrolments


def _first_run(campaign, contact, *, days_ago, **fields):
    run = AgentRun.objects.create(
        workspace=campaign.workspace, campaign=campaign, contact=contact, step_position=1, **fields
    )
    AgentRun.objects.filter(pk=run.pk).update(created_at=timezone.now() - timedelta(days=days_ago))
    return run


def test_each_started_lead_gets_one_enrolment_and_a_duplicate_goes_beside_the_earliest(personas):
    workspace = personas.workspace
    earlier, later, overlapping = (make_campaign(workspace=workspace) for _ in range(3))
    overlapping.allow_sequence_overlap = True
    overlapping.save()
    twice = make_contact(workspace=workspace, status="in_sequence")
    replied = make_contact(workspace=workspace, status="replied")
    dropped = make_contact(workspace=workspace)
    _first_run(later, twice, days_ago=1)
    _first_run(earlier, twice, days_ago=5)
    _first_run(overlapping, twice, days_ago=3)
    _first_run(earlier, replied, days_ago=4)
    _first_run(earlier, dropped, days_ago=4, status="done", outcome="dropped")
    # Follow-ups and answers are not leads of their own.
    AgentRun.objects.create(workspace=workspace, campaign=earlier, contact=twice, step_position=2)

    backfill(apps, None)

    rows = {(e.campaign_id, e.contact_id): e for e in Enrolment.objects.all()}
    assert len(rows) == 5
    first, beside, overlap = rows[earlier.pk, twice.pk], rows[later.pk, twice.pk], rows[overlapping.pk, twice.pk]
    assert (first.status, first.exclusive, first.note) == ("active", True, "")
    assert (beside.status, beside.exclusive) == ("active", False)
    assert "beside an earlier sequence" in beside.note
    assert (overlap.status, overlap.exclusive, overlap.note) == ("active", False, "")
    assert first.started_at < overlap.started_at < beside.started_at
    ended_replied, ended_dropped = rows[earlier.pk, replied.pk], rows[earlier.pk, dropped.pk]
    assert (ended_replied.status, ended_replied.end_reason) == ("ended", "Backfilled: the contact's status is replied")
    assert (ended_dropped.status, ended_dropped.end_reason) == ("ended", "Backfilled: the first email was dropped")
    assert {e.account_slot for e in rows.values()} == {None}
    assert {e.account_id for e in rows.values() if e.contact_id == twice.pk} == {twice.account_id}

    # Running it again adds nothing.
    backfill(apps, None)
    assert Enrolment.objects.count() == 5
