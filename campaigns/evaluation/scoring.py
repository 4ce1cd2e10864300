"""Scoring the audience matcher on a labelled set (see README.md): what `eval_audience` prints and the
development set's test reads. Pure: reads the files and calls campaigns.icp_match, no database."""

import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from campaigns import icp_match

EVALUATION_DIR = Path(__file__).resolve().parent
DEV_SET = "audience_dev.jsonl"
HELDOUT_SET = "audience_heldout.jsonl"
NONE = "in audience"


@dataclass
class Score:
    name: str
    cases: int = 0
    correct: int = 0  # in_audience and excluded_by both as labelled
    true_positive: int = 0
    false_positive: int = 0
    false_negative: int = 0
    # (expected excluded_by or "in audience", predicted) -> count
    confusion: Counter = field(default_factory=Counter)
    misses: list[str] = field(default_factory=list)  # ids of the cases not exactly right

    @property
    def accuracy(self) -> float:
        return self.correct / self.cases if self.cases else 0.0

    @property
    def precision(self) -> float:
        predicted = self.true_positive + self.false_positive
        return self.true_positive / predicted if predicted else 0.0

    @property
    def recall(self) -> float:
        actual = self.true_positive + self.false_negative
        return self.true_positive / actual if actual else 0.0


def load_icps() -> dict[str, icp_match.Criteria]:
    raw = json.loads((EVALUATION_DIR / "icps.json").read_text(encoding="utf-8"))
    return {key: icp_match.Criteria.of(_Namespace(value)) for key, value in raw.items()}


class _Namespace:
    def __init__(self, values: dict):
        self.__dict__.update(values)


def score(file_name: str) -> Score:
    matchers = {key: icp_match.Matcher(criteria) for key, criteria in load_icps().items()}
    result = Score(name=file_name)
    for line in (EVALUATION_DIR / file_name).read_text(encoding="utf-8").splitlines():
        case = json.loads(line)
        account, contact, expected = case["account"], case["contact"], case["expected"]
        verdict = matchers[case["icp"]].evaluate(
            domain=account["domain"],
            industry=account["industry"],
            employees=account["employee_count"],
            country=account["country"],
            title=contact["title"],
            department=contact["department"],
            seniority=contact["seniority"],
        )
        result.cases += 1
        wanted, got = expected["in_audience"], verdict.in_audience
        result.true_positive += wanted and got
        result.false_positive += got and not wanted
        result.false_negative += wanted and not got
        right = (expected["excluded_by"] or NONE, verdict.excluded_by or NONE)
        result.confusion[right] += 1
        if right[0] == right[1]:
            result.correct += 1
        else:
            result.misses.append(case["id"])
    return result
