"""Which verifier findings block a draft: those of severity "block" (a Finding's default, so a stored
finding without a severity blocks too); a "warn" is shown and lets the draft through. A person overrides
each blocking kind with one note. `verifier.is_blocking` and `verifier.blocking_kinds` are the one rule:
the verifier's verdict, the edit decision, the dry run and the inbox's editor follow it."""

import pytest

from agents.team.verifier import blocking_kinds, is_blocking
from agents.team.writer import Finding


@pytest.mark.parametrize(
    "finding,blocks",
    [
        (Finding(kind="forbidden_phrase", message="Says guarantee."), True),
        (Finding(kind="prompt_injection", message="Instruction-like.", severity="block"), True),
        (Finding(kind="tone", message="A little pushy.", severity="warn"), False),
        ({"kind": "forbidden_phrase", "message": "Says guarantee.", "severity": "block"}, True),
        ({"kind": "uncited_claim", "message": "No source."}, True),
        ({"kind": "tone", "message": "A little pushy.", "severity": "warn"}, False),
    ],
)
def test_a_finding_blocks_unless_it_is_only_a_warning(finding, blocks):
    assert is_blocking(finding) is blocks


def test_the_blocking_kinds_are_sorted_each_once_without_the_warnings():
    findings = [
        {"kind": "uncited_claim", "message": "No source.", "span": "a"},
        {"kind": "forbidden_phrase", "message": "Says guarantee.", "severity": "block"},
        {"kind": "uncited_claim", "message": "No source.", "span": "b"},
        {"kind": "tone", "message": "A little pushy.", "severity": "warn"},
    ]
    assert blocking_kinds(findings) == ["forbidden_phrase", "uncited_claim"]


def test_the_blocking_kinds_of_findings_as_the_verifier_returns_them():
    findings = [
        Finding(kind="stale_signal", message="Old news."),
        Finding(kind="prompt_injection", message="Instruction-like.", severity="warn"),
    ]
    assert blocking_kinds(findings) == ["stale_signal"]
    assert blocking_kinds([]) == []
