"""Rollups the dashboards read instead of recomputing them on every page view."""

from django.db import models

from agents.models import Handoff
from campaigns.models import Campaign
from salesops.models import Workspace


class DraftEdit(models.Model):
    """How much a person changed an agent's draft before approving it (1.0: sent as written).

    Computed once per decided draft (difflib is too slow to run over every approval on each page view)
    and read by week on the campaign dashboard."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="+")
    handoff = models.OneToOneField(Handoff, on_delete=models.CASCADE, related_name="+")
    decided_at = models.DateTimeField()
    edited = models.BooleanField()
    similarity = models.FloatField()

    class Meta:
        indexes = [models.Index(fields=["campaign", "decided_at"], name="draft_edit_campaign_time_idx")]

    def __str__(self):
        return f"Draft edit {self.handoff_id}: {self.similarity:.2f}"
