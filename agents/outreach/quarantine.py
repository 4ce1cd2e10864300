"""Telling a person about a lead's withheld data: one exception per withheld signal or CRM field of a
workspace, however many runs, campaigns and steps meet it, and a step on each run that met it."""

from pydantic import BaseModel

from agents.handoffs import handoff_open, record_step
from agents.models import AgentRun, AgentStep, Handoff
from agents.team.context import Lead, QuarantinedItem

# Long spans are cut for the inbox's one-line reason; the proposal keeps the span whole.
REASON_SPAN_CHARS = 200


class QuarantineReport(BaseModel):
    """What a run's quarantine step records: what was withheld, and which items a person was told
    about by this run (the others were reported earlier)."""

    withheld: list[QuarantinedItem]
    reported: list[str]


def quarantine_reason(item: QuarantinedItem) -> str:
    span = item.span if len(item.span) <= REASON_SPAN_CHARS else item.span[: REASON_SPAN_CHARS - 1] + "…"
    return (
        f"{item.label} holds instruction-like text: {span!r}. It was withheld from the agents; "
        "the lead's emails wait for review."
    )


def quarantine_report(*, run: AgentRun, lead: Lead) -> list[Handoff]:
    """Open an exception for each withheld item no person has been told about yet, and record on the
    run (once) what was withheld. The exception belongs to the data, not to the run: dismissing it
    must not drop the run's draft, which waits for review on its own."""
    if not lead.quarantined:
        return []
    opened = []
    for item in lead.quarantined:
        handoff = handoff_open(
            run=None,
            workspace_id=run.workspace_id,
            kind=Handoff.Kind.EXCEPTION,
            reason=quarantine_reason(item),
            confidence=item.confidence,
            proposal={"quarantined": item.model_dump(mode="json"), "run": run.pk},
            campaign_id=run.campaign_id,
            contact_id=run.contact_id,
            # Unique per workspace over every handoff, resolved ones too: told once, ever.
            dedupe_key=item.dedupe_key,
        )
        if handoff is not None:
            opened.append(handoff)
    if not AgentStep.objects.filter(run=run, agent="quarantine").exists():
        record_step(
            run,
            "quarantine",
            output=QuarantineReport(
                withheld=lead.quarantined, reported=[handoff.proposal["quarantined"]["source"] for handoff in opened]
            ),
            decision=f"withheld {len(lead.quarantined)} item{'s' if len(lead.quarantined) != 1 else ''}",
            confidence=min(item.confidence for item in lead.quarantined),
        )
    return opened
