"""The workspace's monthly model budget as the pipeline spends it."""

import threading
from datetime import UTC
from decimal import Decimal

from django.conf import settings
from django.utils import timezone

from agents.models import ModelBudget, ModelSpend


class WorkspaceBudget:
    """The workspace's model money left this month: read once per batch of leads, then counted down.

    Parallel batches may overspend by at most one batch's calls; the month's total (ModelSpend) grows as
    each AgentStep is recorded, so the next batch sees it."""

    def __init__(self, workspace_id: int):
        limit = (
            ModelBudget.objects.filter(workspace_id=workspace_id).values_list("monthly_limit_usd", flat=True).first()
        )
        self.limit = limit if limit is not None else settings.SALESOPS_LLM_MONTHLY_BUDGET_USD
        month = timezone.now().astimezone(UTC).date().replace(day=1)
        spent = ModelSpend.objects.filter(workspace_id=workspace_id, month=month).values_list("total_usd", flat=True)
        self.spent = spent.first() or Decimal(0)
        self._lock = threading.Lock()

    def remaining_usd(self) -> Decimal:
        with self._lock:
            return self.limit - self.spent

    def charge(self, cost_usd: Decimal) -> None:
        # One budget serves the leads of a batch, whose model calls run in parallel threads.
        with self._lock:
            self.spent += cost_usd
