"""The reply classifier against labelled inbound mail: accuracy per language and category, dates read,
delivery-report recipients, and harmful errors.

Two corpora of the same format (one JSON object a line; see heldout_replies/README.md):
- development: agents/conversations/training/ — what the classifier learns from (and rules were written
  against); its figure is read with that in mind;
- held-out: agents/evaluation/heldout_replies/ — written by people who saw neither the classifier nor the
  training corpus, committed before the classifier changed. Its figures are the ones that count, and its
  cases are listed only on request.

A harmful error is one that acts wrongly without asking a person: a negotiation answered by the agent, an
unsubscribe not honoured, a person's reply (one without auto-reply headers) taken for an automatic one (or
a bounce), an objection answered as interest. An error that sends a reply to a person is an error, not a harm.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import nullcontext
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from email.utils import parsedate_to_datetime
from pathlib import Path

from agents.conversations import reply_model
from agents.conversations.classify import ClassifyInput, ClassifyOutput
from agents.conversations.parsing import ParsedMessage, parse_message, written_at

HERE = Path(__file__).resolve().parent
REPLY_SET_DIRS = {
    "development": HERE.parent / "conversations" / "training",
    "held-out": HERE / "heldout_replies",
}
CATEGORIES = (
    "interested", "question", "objection", "not_now", "referral", "wrong_person", "unsubscribe",
    "out_of_office", "bounce", "negotiation", "other",
)  # fmt: skip
ANSWERED = {"interested", "question", "objection"}  # the agents draft an answer
AUTOMATIC = {"out_of_office", "bounce"}


@dataclass(frozen=True)
class ReplyCase:
    id: str
    language: str
    category: str
    also: tuple[str, ...]
    expect: dict
    raw: bytes


def load_reply_cases(directory: Path) -> list[ReplyCase]:
    cases = []
    for path in sorted(directory.glob("replies_*.jsonl")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if not line.strip():
                continue
            item = json.loads(line)
            if item["category"] not in CATEGORIES:
                raise ValueError(f"{path.name} line {number}: unknown category {item['category']!r}")
            cases.append(
                ReplyCase(
                    id=item["id"],
                    language=item["language"],
                    category=item["category"],
                    also=tuple(item.get("also") or ()),
                    expect=item.get("expect") or {},
                    raw=item["raw"].encode("utf-8"),
                )
            )
    return cases


def received_at_of(raw: bytes) -> datetime:
    """When the message reached us, as its Date header says (the corpus has no envelope)."""
    for line in raw.split(b"\n"):
        if line.lower().startswith(b"date:"):
            try:
                value = parsedate_to_datetime(line[5:].decode("utf-8", "replace").strip())
            except (TypeError, ValueError):
                break
            return value if value.tzinfo else value.replace(tzinfo=UTC)
        if not line.strip():
            break
    return datetime(2026, 11, 25, 12, tzinfo=UTC)


def classify_input(parsed: ParsedMessage, *, received_at: datetime) -> ClassifyInput:
    return ClassifyInput(
        subject=parsed.subject[:1000],
        text=parsed.text[:20_000],
        html=parsed.html[:200_000],
        auto_reply=parsed.auto_reply,
        auto_reply_headers=parsed.auto_reply_headers,
        return_date=parsed.return_date,
        bounce=parsed.bounce,
        today=written_at(parsed.sent_at, received_at).date(),
    )


@dataclass
class ReplyResult:
    case: ReplyCase
    output: ClassifyOutput | None
    parsed: ParsedMessage | None
    error: str = ""

    @property
    def predicted(self) -> str:
        return self.output.category if self.output else "error"

    @property
    def correct(self) -> bool:
        return self.predicted == self.case.category

    @property
    def harm(self) -> str:
        """What a wrong answer would do unasked; nothing when the reply goes to a person first."""
        if self.output is not None and self.output.needs_person:
            return ""
        gold = {self.case.category, *self.case.also}
        predicted = self.predicted
        if "unsubscribe" in gold and predicted != "unsubscribe":
            return "unsubscribe not honoured"
        # A person's reply: not one its mail software marked as sent by itself (a ticket system's
        # acknowledgement labelled "other" and taken for an absence notice is an error, not this harm).
        written_by_person = not (self.parsed is not None and self.parsed.auto_reply_headers)
        if self.case.category not in AUTOMATIC and predicted in AUTOMATIC and written_by_person:
            return f"a person's reply taken for {predicted.replace('_', ' ')}"
        if "negotiation" in gold and predicted in ANSWERED:
            return "negotiation answered by the agent"
        if self.case.category == "objection" and predicted == "interested":
            return "objection answered as interest"
        return ""


@dataclass
class ReplyReport:
    name: str
    results: list[ReplyResult] = field(default_factory=list)

    def accuracy(self, keep: Callable[[ReplyResult], bool] = lambda result: True) -> tuple[int, int]:
        chosen = [result for result in self.results if keep(result)]
        return sum(result.correct for result in chosen), len(chosen)

    @property
    def harmful(self) -> list[ReplyResult]:
        return [result for result in self.results if result.harm]

    def dates(self) -> tuple[int, int]:
        """Return dates and "not before" dates the corpus states, read right."""
        right = total = 0
        for result in self.results:
            for key in ("return_date", "not_now_until"):
                if key not in result.case.expect or result.output is None:
                    continue
                total += 1
                wanted = date.fromisoformat(result.case.expect[key])
                got = result.output.not_now_until or (result.parsed.return_date if result.parsed else None)
                right += got == wanted
        return right, total

    def bounces(self) -> tuple[int, int]:
        """Delivery reports recognised with their failed recipient and the right permanence."""
        right = total = 0
        for result in self.results:
            if result.case.category != "bounce" or "bounced" not in result.case.expect:
                continue
            total += 1
            parsed = result.parsed
            right += bool(
                parsed
                and parsed.bounce
                and result.case.expect["bounced"].lower() in parsed.bounced_addresses
                and parsed.permanent_bounce == bool(result.case.expect.get("permanent", True))
            )
        return right, total

    def as_text(self, *, cases: bool) -> str:
        lines = [f"Replies, {self.name} ({len(self.results)} messages)"]
        lines.append(f"  accuracy {_percent(*self.accuracy())}")
        for language in sorted({result.case.language for result in self.results}):
            lines.append(
                f"  {language}: {_percent(*self.accuracy(lambda r, language=language: r.case.language == language))}"
            )
        for category in CATEGORIES:
            right, total = self.accuracy(lambda r, category=category: r.case.category == category)
            if total:
                predicted = Counter(r.predicted for r in self.results if r.case.category == category and not r.correct)
                confused = ", ".join(f"{name} {count}" for name, count in predicted.most_common(3))
                lines.append(
                    f"    {category:<14} {_percent(right, total)}" + (f"  (as {confused})" if confused else "")
                )
        harms = Counter(result.harm for result in self.harmful)
        lines.append(f"  harmful errors {len(self.harmful)}" + (f": {dict(harms)}" if harms else ""))
        to_person = sum(bool(result.output and result.output.needs_person) for result in self.results)
        lines.append(f"  sent to a person first {_percent(to_person, len(self.results))}")
        lines.append(
            f"  dates read right {_percent(*self.dates())}; delivery reports right {_percent(*self.bounces())}"
        )
        if cases:
            for result in self.results:
                if not result.correct or result.harm:
                    lines.append(
                        f"    {result.case.id} ({result.case.language}) {result.case.category} → {result.predicted}"
                        + (f" [{result.harm}]" if result.harm else "")
                        + (f" {result.error}" if result.error else "")
                        + (f" span {result.output.span[:80]!r}" if result.output else "")
                    )
        return "\n".join(lines)  # fmt: skip


def _percent(part: int, whole: int) -> str:
    return f"{part / whole:.1%} ({part}/{whole})" if whole else "n/a"


FOLDS = 5


def evaluate_replies(
    name: str,
    classify: Callable[[ClassifyInput], ClassifyOutput],
    *,
    cross_validate: bool | None = None,
    workers: int = 1,
) -> ReplyReport:
    """Every case of the named corpus through the parser and `classify`. The development corpus is what
    the offline model learns from, so its offline figure is cross-validated (the default there): each
    fifth of it is classified by a model trained on the other four. A model behind an API learnt nothing
    from it and reads it whole."""
    report = ReplyReport(name)
    cases = load_reply_cases(REPLY_SET_DIRS[name])
    folds: list[tuple[list[ReplyCase], object]] = [(cases, None)]
    if name == "development" if cross_validate is None else cross_validate:
        training = {case.id: case for case in reply_model.read_corpus(REPLY_SET_DIRS[name])}
        folds = []
        for fold in range(FOLDS):
            held = [case for index, case in enumerate(cases) if index % FOLDS == fold]
            kept = {case.id for case in held}
            folds.append((held, reply_model.train(c for i, c in training.items() if i not in kept)))
    for fold_cases, pipeline in folds:
        with reply_model.model_in_use(pipeline) if pipeline is not None else nullcontext():
            if workers > 1:
                with ThreadPoolExecutor(max_workers=workers) as pool:
                    report.results.extend(pool.map(lambda case: _run(case, classify), fold_cases))
            else:
                report.results.extend(_run(case, classify) for case in fold_cases)
    order = {case.id: index for index, case in enumerate(cases)}
    report.results.sort(key=lambda result: order[result.case.id])
    return report


def _run(case: ReplyCase, classify: Callable[[ClassifyInput], ClassifyOutput]) -> ReplyResult:
    received_at = received_at_of(case.raw)
    try:
        parsed = parse_message(case.raw, received_at=received_at)
        output = classify(classify_input(parsed, received_at=received_at))
    except Exception as error:  # a case the pipeline cannot read counts as wrong, with the reason
        return ReplyResult(case, None, None, f"{type(error).__name__}: {error}")
    return ReplyResult(case, output, parsed)


def side_by_side(reports: dict[str, ReplyReport]) -> str:
    names = list(reports)
    rows = [("accuracy", [_percent(*reports[name].accuracy()) for name in names])]
    for language in ("en", "de", "fr", "es"):
        rows.append(
            (
                f"  {language}",
                [_percent(*reports[n].accuracy(lambda r, lang=language: r.case.language == lang)) for n in names],
            )
        )
    rows.append(("harmful errors", [str(len(reports[name].harmful)) for name in names]))
    rows.append(("dates read right", [_percent(*reports[name].dates()) for name in names]))
    rows.append(("delivery reports", [_percent(*reports[name].bounces()) for name in names]))
    width = max(len(label) for label, _ in rows) + 2
    lines = ["Replies".ljust(width) + "".join(name.ljust(22) for name in names)]
    lines += [label.ljust(width) + "".join(value.ljust(22) for value in values) for label, values in rows]
    return "\n".join(lines)  # fmt: skip
