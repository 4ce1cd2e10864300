"""The workspace's monthly model budget as the pipeline spends it."""

import threading
from decimal import Decimal

from django.conf import settings
from django.db.models import Sum
from django.utils import timezone

from agents.models import AgentStep, ModelBudget


class WorkspaceBudget:
    """The workspace's model money left this month: read once per batch of leads, then counted down.

    Parallel batches may overspend by at most one batch's calls; the month's total is the sum of
    recorded AgentSteps, so the next batch sees it."""

    def __init__(self, workspace_id: int):
        limit = (
            ModelBudget.objects.filter(workspace_id=workspace_id).values_list("monthly_limit_usd", flat=True).first()
        )
        self.limit = limit if limit is not None else settings.SALESOPS_LLM_MONTHLY_BUDGET_USD
        month_start = timezone.now().replace(day=1, hour=0, minute=0, second=0, microsecond=0)
        spent = AgentStep.objects.filter(workspace_id=workspace_id, created_at__gte=month_start).aggregate(
            total=Sum("cost_usd")
        )["total"]
        self.spent = spent or Decimal(0)
        self._lock = threading.Lock()

    def remaining_usd(self) -> Decimal:
        with self._lock:
            return self.limit - self.spent

    def charge(self, cost_usd: Decimal) -> None:
        # One budget serves the leads of a batch, whose model calls run in parallel threads.
        with self._lock:
            self.spent += cost_usd
