"""Writes of the insights app: keeping the dashboards' rollups up to date."""

import difflib

from django.db.models import Exists, OuterRef

from agents.insights.models import DraftEdit
from agents.insights.selectors import DRAFT_KINDS
from agents.models import Handoff
from campaigns.models import Campaign

REFRESH_BATCH = 500


def draft_similarity(draft_body: str, final_body: str) -> float:
    """1.0 when a person sent the draft as written; lower the more they changed (difflib's ratio)."""
    return difflib.SequenceMatcher(None, draft_body or "", final_body or "", autojunk=False).ratio()


def draft_edits_refresh(*, campaign: Campaign, batch: int = REFRESH_BATCH) -> int:
    """Measure the approved drafts of the campaign not measured yet (at most `batch` per call, so a
    page view never does unbounded work; the rest follow on the next view). Returns how many.

    Idempotent: a handoff is measured once (unique), and concurrent calls skip each other's rows."""
    pending = list(
        Handoff.objects.filter(
            campaign=campaign,
            kind__in=DRAFT_KINDS,
            decision__in=[Handoff.Decision.APPROVED, Handoff.Decision.EDITED],
            decided_at__isnull=False,
        )
        .filter(~Exists(DraftEdit.objects.filter(handoff_id=OuterRef("pk"))))
        .only("pk", "workspace_id", "decision", "decided_at", "proposal", "final_body")
        .order_by("decided_at")[:batch]
    )
    if not pending:
        return 0
    rows = []
    for handoff in pending:
        edited = handoff.decision == Handoff.Decision.EDITED
        body = ((handoff.proposal or {}).get("draft") or {}).get("body", "")
        rows.append(
            DraftEdit(
                workspace_id=handoff.workspace_id,
                campaign=campaign,
                handoff_id=handoff.pk,
                decided_at=handoff.decided_at,
                edited=edited,
                similarity=draft_similarity(body, handoff.final_body) if edited else 1.0,
            )
        )
    DraftEdit.objects.bulk_create(rows, ignore_conflicts=True)
    return len(rows)
