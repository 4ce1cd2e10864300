"""What people taught the writer: the drafts they edited or rejected in a campaign, shown to the writer
as examples so the next draft learns from them."""

from agents.models import Handoff

DRAFT_KINDS = [Handoff.Kind.DRAFT_REVIEW, Handoff.Kind.ESCALATION]
EXAMPLES_FOR_WRITER = 5
EXAMPLE_TEXT_LIMIT = 700


def _clip(text: str, limit: int = EXAMPLE_TEXT_LIMIT) -> str:
    text = (text or "").strip()
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def writer_examples(*, campaign_id: int, step_position: int, limit: int = EXAMPLES_FOR_WRITER) -> list[str]:
    """What people taught the writer in this campaign: drafts they edited before approving (with what
    they sent instead) and drafts they rejected (with the reason). At most `limit`, the same sequence
    step first, then the most recent. One query."""
    candidates = list(
        Handoff.objects.filter(
            campaign_id=campaign_id,
            kind__in=DRAFT_KINDS,
            decision__in=[Handoff.Decision.EDITED, Handoff.Decision.REJECTED],
            decided_at__isnull=False,
        )
        .select_related("run")
        .only(
            "decision",
            "reject_reason",
            "decision_note",
            "final_subject",
            "final_body",
            "proposal",
            "decided_at",
            "run__step_position",
        )  # fmt: skip
        .order_by("-decided_at", "-pk")[: limit * 10]
    )
    candidates.sort(key=lambda handoff: handoff.run is None or handoff.run.step_position != step_position)
    reasons = dict(Handoff.RejectReason.choices)
    examples = []
    for handoff in candidates:
        draft = (handoff.proposal or {}).get("draft") or {}
        body = draft.get("body", "")
        if handoff.decision == Handoff.Decision.EDITED:
            if not handoff.final_body or handoff.final_body.strip() == body.strip():
                continue
            examples.append(
                "A person edited this draft before approving it; write like the edited version.\n"
                f"Draft: {_clip(body)}\nApproved version: {_clip(handoff.final_body)}"
            )
        else:
            reason = reasons.get(handoff.reject_reason, "no reason given")
            note = f" ({_clip(handoff.decision_note, 200)})" if handoff.decision_note else ""
            examples.append(
                f"A person rejected this draft because of: {reason}{note}. Avoid the same mistake.\n"
                f"Rejected draft: {_clip(body)}"
            )
        if len(examples) == limit:
            break
    return examples
