"""Turning prospect and agent text into safe HTML (highlights of verifier findings, what a person sent
beside the draft, a reply's quoted history set apart) and the agents' codes into words people read.

Everything here escapes first and only then adds markup, so text written by a prospect, a CRM or
an agent can never become HTML.
"""

import difflib
import re
from dataclasses import dataclass
from datetime import datetime

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from agents.labels import FINDING_LABELS
from campaigns.models import Signal
from review.selectors import AGED_AFTER, OLD_AFTER


def highlight(text: str, spans: list[str]) -> SafeString:
    """`text` escaped, with every occurrence of each span wrapped in <mark>."""
    escaped = str(escape(text or ""))
    needles = sorted({str(escape(span)) for span in spans if span and span.strip()}, key=len, reverse=True)
    if not needles:
        return mark_safe(escaped)  # noqa: S308  (escaped above)
    pattern = re.compile("|".join(re.escape(needle) for needle in needles), re.IGNORECASE)
    return mark_safe(pattern.sub(lambda match: f"<mark>{match.group(0)}</mark>", escaped))  # noqa: S308


@dataclass(frozen=True)
class DiffLine:
    text: str
    changed: bool


def side_by_side(draft: str, sent: str) -> tuple[list[DiffLine], list[DiffLine]]:
    """The agent's draft and what a person sent instead, line by line, each line marked when it is not
    in the other version: two texts to read side by side, not an interleave of words."""
    old, new = (draft or "").splitlines(), (sent or "").splitlines()
    left, right = [], []
    for operation, old_start, old_end, new_start, new_end in difflib.SequenceMatcher(
        a=old, b=new, autojunk=False
    ).get_opcodes():
        changed = operation != "equal"
        left += [DiffLine(line, changed) for line in old[old_start:old_end]]
        right += [DiffLine(line, changed) for line in new[new_start:new_end]]
    return left, right


# The words people read for the codes agents and models write. Choices of a model have their own labels
# (get_FOO_display); these are the codes that live in JSON: finding kinds, reply categories, verdicts,
# routing decisions, agent names. Anything missing still reads as words (see `label`).
LABELS = {
    **FINDING_LABELS,
    # reply categories
    "interested": "Interested",
    "question": "A question",
    "objection": "An objection",
    "not_now": "Not now",
    "referral": "Refers to someone else",
    "wrong_person": "Wrong person",
    "unsubscribe": "Unsubscribe",
    "out_of_office": "Out of office",
    "bounce": "Bounce",
    "negotiation": "Negotiation",
    "other": "Something else",
    # qualification verdicts and routing decisions
    "qualified": "Qualified",
    "disqualified": "Disqualified",
    "needs_person": "Needs a person",
    "send": "Send",
    "review": "Review by a person",
    "exception": "Exception",
    "person_owns": "A person owns this lead",
    "escalation": "Escalation",
    "drop": "Drop",
    "pass": "Passed",
    "fail": "Failed",
    # actions recorded in the audit log (the thread page shows them)
    "handoff.approved": "Approved the draft",
    "handoff.edited": "Edited and approved the draft",
    "handoff.edit_blocked": "Edited the draft; the verifier blocked the edit",
    "handoff.rejected": "Rejected the draft",
    "handoff.regenerated": "Asked for a new draft",
    "handoff.taken_over": "Took the conversation over",
    "handoff.dismissed": "Dismissed the item",
    "handoff.snoozed": "Snoozed the item",
    "handoff.assigned": "Assigned the item",
    "handoff.findings_overridden": "Overrode the verifier's findings",
    "contact.taken_over": "Took the conversation over",
    "contact.handed_back": "Handed the conversation back to the agents",
    "outbound.queued": "Queued an email",
    "outbound.written_by_person": "Wrote an email",
    # signal kinds (the research brief quotes them)
    **dict(Signal.Kind.choices),
    # agents
    "research": "Research",
    "qualify": "Qualify",
    "write": "Write",
    "verify": "Verify",
    "route": "Route",
}


def label(code) -> str:
    """The words for an agent's code: from LABELS, else the code itself with its underscores, dots and
    dashes read as spaces ("some_new_code" -> "Some new code"), so no identifier reaches a page."""
    text = str(code or "").strip()
    if not text:
        return ""
    if text in LABELS:
        return LABELS[text]
    words = re.sub(r"[_.]+", " ", text).strip()
    return words[:1].upper() + words[1:]


def age_label(created_at: datetime, now: datetime) -> str:
    seconds = max(0, int((now - created_at).total_seconds()))
    if seconds < 3600:
        return f"{max(1, seconds // 60)}m"
    if seconds < 86400:
        return f"{seconds // 3600}h"
    return f"{seconds // 86400}d"


def age_class(created_at: datetime, now: datetime) -> str:
    age = now - created_at
    if age > OLD_AFTER:
        return "age-old"
    if age > AGED_AFTER:
        return "age-aged"
    return "age-fresh"


_CODE = re.compile(r"\b[a-z][a-z0-9]*(?:_[a-z0-9]+)+\b")


def readable(text: str) -> str:
    """`text` with every snake_case code in it replaced by its words, lower-cased to sit in a sentence."""

    def words(match: re.Match) -> str:
        found = label(match.group(0))
        return found[:1].lower() + found[1:]

    return _CODE.sub(words, text)


# Providers people recognise by name; "offline" and "rules" are the deterministic stand-ins of a model.
_BRIEF_SIGNAL_LINE = re.compile(r"^(\s*[-*]\s*)([a-z][a-z_]*)(:)", re.MULTILINE)
_SIGNAL_KINDS = dict(Signal.Kind.choices)


def brief_text(text: str) -> str:
    """A research brief with the signal kind that starts each of its lines ("- product_usage: …") in words
    ("- Product usage: …"). Only that leading code changes: the rest is the account's own text."""

    def kind(match: re.Match) -> str:
        code = match.group(2)
        return f"{match.group(1)}{_SIGNAL_KINDS.get(code, code)}{match.group(3)}"

    return _BRIEF_SIGNAL_LINE.sub(kind, str(text or ""))
