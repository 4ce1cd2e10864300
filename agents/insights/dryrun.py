"""Policy dry-run: how the last 30 days of a campaign's drafts would have been routed under a changed
autonomy mode, confidence threshold, escalation rules or forbidden phrases. Nothing is saved.

Each draft's routing input is rebuilt from its recorded route step (lead, qualification, verification,
draft text); the verifier's deterministic forbidden-phrase check is run again with the changed phrases
(other findings are kept as recorded), then `route()` decides, once with the saved settings and once
with the changed ones."""

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal

from django.utils import timezone

from agents.models import AgentStep
from agents.outreach.lead_facts import strategy_for
from agents.team.context import Strategy
from agents.team.router import RouteInput, route
from agents.team.verifier import VerifyInput, VerifyOutput, deterministic_checks, is_blocking
from agents.team.writer import WriteOutput
from campaigns.models import Campaign

WINDOW = timedelta(days=30)
MAX_DRAFTS = 2000
MAX_EXAMPLES = 20
DECISIONS = ["send", "review", "escalation", "person_owns", "exception", "drop"]
POLICY_FINDING_KINDS = {"forbidden_phrase"}


@dataclass(frozen=True)
class Proposal:
    autonomy: str
    confidence_threshold: Decimal
    escalation_rules: list[str]
    forbidden_phrases: list[str]


@dataclass
class Change:
    run_id: int
    contact: str
    before: str
    after: str
    reason: str


@dataclass
class DryRun:
    drafts: int
    before: Counter
    after: Counter
    changes: list[Change] = field(default_factory=list)
    changed_total: int = 0

    @property
    def rows(self) -> list[tuple[str, int, int, int]]:
        keys = [key for key in DECISIONS if self.before[key] or self.after[key]]
        return [(key, self.before[key], self.after[key], self.after[key] - self.before[key]) for key in keys]


def proposal_strategy(strategy: Strategy, proposal: Proposal) -> Strategy:
    campaign = strategy.campaign.model_copy(
        update={"autonomy": proposal.autonomy, "confidence_threshold": float(proposal.confidence_threshold)}
    )
    policy = strategy.policy.model_copy(
        update={"escalation_rules": proposal.escalation_rules, "forbidden_phrases": proposal.forbidden_phrases}
    )
    return strategy.model_copy(update={"campaign": campaign, "policy": policy})


def _reverified(
    recorded: VerifyOutput, *, strategy: Strategy, route_input: dict, draft: dict | None, changed: bool
) -> VerifyOutput:
    """The recorded verification with the forbidden-phrase findings recomputed under `strategy`."""
    if not changed or not draft:
        return recorded
    check = VerifyInput(strategy=strategy, lead=route_input["lead"], draft=WriteOutput.model_validate(draft))
    policy_findings = [finding for finding in deterministic_checks(check) if finding.kind in POLICY_FINDING_KINDS]
    findings = [finding for finding in recorded.findings if finding.kind not in POLICY_FINDING_KINDS] + policy_findings
    blocking = [finding for finding in findings if is_blocking(finding)]
    if bool(blocking) == (not recorded.passed):
        confidence = recorded.confidence
    else:  # the verdict flips: the offline verifier's confidence for that verdict
        confidence = round(max(0.3, 0.9 - 0.1 * len(blocking)), 2) if blocking else 0.95
    return VerifyOutput(passed=not blocking, findings=findings, confidence=confidence)


def policy_dry_run(*, campaign: Campaign, proposal: Proposal, now: datetime | None = None) -> DryRun:
    """Route the last 30 days' drafts of the campaign under the saved and the proposed settings."""
    now = now or timezone.now()
    saved = strategy_for(campaign)
    proposed = proposal_strategy(saved, proposal)
    phrases_changed = sorted(saved.policy.forbidden_phrases) != sorted(proposal.forbidden_phrases)
    steps = (
        AgentStep.objects.filter(
            workspace_id=campaign.workspace_id, run__campaign=campaign, agent="route", created_at__gte=now - WINDOW
        )
        .select_related("run__contact")
        .only("input", "created_at", "run__id", "run__draft", "run__contact__email")
        .order_by("-created_at", "-pk")[:MAX_DRAFTS]
    )
    result = DryRun(drafts=0, before=Counter(), after=Counter())
    seen: set[int] = set()
    for step in steps:
        if step.run_id in seen or not step.input or not step.input.get("verification"):
            continue  # the latest routing of each run; drafts only (not leads dropped before writing)
        seen.add(step.run_id)
        recorded = VerifyOutput.model_validate(step.input["verification"])
        base = {
            key: step.input[key] for key in ("lead", "qualification", "draft_text", "rewrites") if key in step.input
        }
        decisions = []
        for strategy, changed in ((saved, False), (proposed, phrases_changed)):
            verification = _reverified(
                recorded, strategy=strategy, route_input=base, draft=step.run.draft, changed=changed
            )
            decisions.append(route(RouteInput(strategy=strategy, verification=verification, **base)))
        before, after = decisions
        result.drafts += 1
        result.before[before.decision] += 1
        result.after[after.decision] += 1
        if before.decision != after.decision:
            result.changed_total += 1
            if len(result.changes) < MAX_EXAMPLES:
                result.changes.append(
                    Change(step.run_id, step.run.contact.email, before.decision, after.decision, after.reason)
                )
    return result
