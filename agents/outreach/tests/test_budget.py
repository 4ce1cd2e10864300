"""The month's model budget counts what recorded steps cost, kept as a running total per workspace and
month, so checking it before a call does not read every step of the month."""

import importlib
from datetime import UTC, datetime
from decimal import Decimal

import time_machine
from django.apps import apps

from agents.handoffs import record_step
from agents.models import AgentStep, ModelBudget, ModelSpend
from agents.outreach.budget import WorkspaceBudget
from salesops.models import Workspace


def _paid_step(workspace, cost: str):
    return record_step(None, "classify", workspace_id=workspace.pk, cost=Decimal(cost), error="timeout")


@time_machine.travel(datetime(2026, 12, 7, 12, tzinfo=UTC))
def test_what_recorded_steps_cost_is_taken_from_the_months_budget(personas):
    ModelBudget.objects.create(workspace=personas.workspace, monthly_limit_usd=Decimal("1.00"))
    _paid_step(personas.workspace, "0.40")
    _paid_step(personas.workspace, "0.35")

    assert WorkspaceBudget(personas.workspace.pk).remaining_usd() == Decimal("0.25")
    assert ModelSpend.objects.get(workspace=personas.workspace).month.isoformat() == "2026-12-01"


def test_a_free_step_adds_no_spend(personas):
    _paid_step(personas.workspace, "0")
    assert not ModelSpend.objects.exists()


def test_last_months_spend_does_not_count_this_month(personas):
    ModelBudget.objects.create(workspace=personas.workspace, monthly_limit_usd=Decimal("1.00"))
    with time_machine.travel(datetime(2026, 11, 30, 23, 59, tzinfo=UTC)):
        _paid_step(personas.workspace, "0.90")
    with time_machine.travel(datetime(2026, 12, 1, 0, 1, tzinfo=UTC)):
        _paid_step(personas.workspace, "0.10")
        assert WorkspaceBudget(personas.workspace.pk).remaining_usd() == Decimal("0.90")


def test_each_workspace_spends_its_own_budget(personas):
    other = Workspace.objects.create(name="Other", slug="other")
    _paid_step(other, "0.50")
    budget = WorkspaceBudget(personas.workspace.pk)
    assert budget.remaining_usd() == budget.limit


def test_the_migration_totals_the_steps_recorded_before_it(personas):
    with time_machine.travel(datetime(2026, 10, 15, tzinfo=UTC)):
        AgentStep.objects.create(workspace=personas.workspace, agent="writer", cost_usd=Decimal("0.25"))
        AgentStep.objects.create(workspace=personas.workspace, agent="writer", cost_usd=Decimal("0.50"))
    with time_machine.travel(datetime(2026, 11, 2, tzinfo=UTC)):
        AgentStep.objects.create(workspace=personas.workspace, agent="writer", cost_usd=Decimal("0.10"))
        AgentStep.objects.create(workspace=personas.workspace, agent="writer", cost_usd=Decimal("0"))

    migration = importlib.import_module("agents.migrations.0015_model_spend")
    migration.spend_from_steps(apps, None)

    totals = {row.month.isoformat(): row.total_usd for row in ModelSpend.objects.filter(workspace=personas.workspace)}
    assert totals == {"2026-10-01": Decimal("0.75"), "2026-11-01": Decimal("0.10")}
