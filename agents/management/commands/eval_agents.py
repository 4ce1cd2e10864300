"""`python manage.py eval_agents`: the agents against the labelled sets in agents/evaluation/: the
development set (data/) and the held-out sets (heldout/, heldout_2/), whose figures are the ones that count.
The held-out sets' cases are listed only with --heldout-cases. Before them, the reply classifier against the
reply corpora (agents/conversations/training/, cross-validated offline, and the held-out
agents/evaluation/heldout_replies/); --only chooses one of the two.

Prints the main figures side by side, then precision and recall per agent for each set. Exits non-zero
when the offline verifier misses the goals on the development set (98% of planted defects caught, none
of the kinds named in scoring.NEVER_MISSED_KINDS, 95% of clean drafts passed), so CI
can fail on it. Writes nothing to the database.
"""

from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError

from agents.conversations.classify import classify, classify_offline
from agents.evaluation import replies
from agents.evaluation.dataset import SET_DIRS
from agents.evaluation.scoring import CLEAN_PASS_GATE, evaluate, side_by_side
from agents.llm import get_provider


class Command(BaseCommand):
    help = "Evaluate research, qualification, verification and routing against the labelled set."

    def add_arguments(self, parser):
        parser.add_argument(
            "--provider",
            choices=["offline", "anthropic"],
            default="offline",
            help="offline (default): the rule-based agents; anthropic: the configured Messages API.",
        )
        parser.add_argument(
            "--heldout-cases",
            action="store_true",
            help="Also list the held-out cases missed or failed. Off by default: whoever tunes a rule "
            "after reading them has turned the held-out set into a development set.",
        )
        parser.add_argument(
            "--only",
            choices=["agents", "replies"],
            help="agents: research, qualification, verification and routing; replies: the reply classifier. "
            "Both by default.",
        )
        parser.add_argument(
            "--concurrency", type=int, default=8, help="Model calls in flight at once (anthropic only)."
        )

    def handle(self, *args, provider: str, concurrency: int, heldout_cases: bool, only: str | None, **options):
        try:
            chosen = get_provider(provider)
        except ImproperlyConfigured as error:
            raise CommandError(str(error)) from error
        offline = get_provider("offline")
        workers = 1 if provider == "offline" else max(1, concurrency)
        if only != "agents":
            self._replies(chosen, provider=provider, workers=workers, heldout_cases=heldout_cases)
        if only == "replies":
            return
        reports = {
            name: evaluate(provider=chosen, offline_provider=offline, workers=workers, name=name)
            for name, directory in SET_DIRS.items()
            if (directory / "strategy.json").exists()
        }
        self.stdout.write(side_by_side(reports) + "\n")
        for name, report in reports.items():
            self.stdout.write(report.as_text(cases=heldout_cases or name.startswith("development")) + "\n")
        report = reports["development"]
        gate = report.offline_verifier
        if not report.gates_passed:
            problems = []
            if not gate.catches_enough_defects:
                problems.append(
                    f"missed {gate.defects_planted - gate.defects_caught} planted defect(s) "
                    f"({gate.catch_rate:.1%} caught; missed kinds that must never be: "
                    f"{', '.join(gate.missed_named_kinds) or 'none'})"
                )
            if not gate.passes_enough_clean_drafts:
                problems.append(f"passed {gate.clean_pass_rate:.1%} of clean drafts (< {CLEAN_PASS_GATE:.0%})")
            raise CommandError("The offline verifier fails the evaluation gate: " + "; ".join(problems))

    def _replies(self, chosen, *, provider: str, workers: int, heldout_cases: bool) -> None:
        if provider == "offline":
            classifier = classify_offline  # cross-validated on the development corpus, which it learns from
        else:

            def classifier(data):
                return classify(data, provider=chosen).output

        reports = {
            name: replies.evaluate_replies(
                name, classifier, workers=workers, cross_validate=None if provider == "offline" else False
            )
            for name in replies.REPLY_SET_DIRS
        }
        self.stdout.write(replies.side_by_side(reports) + "\n")
        for name, report in reports.items():
            self.stdout.write(report.as_text(cases=heldout_cases or name == "development") + "\n")
