"""Turning prospect and agent text into safe HTML: highlights of verifier findings and word diffs.

Everything here escapes first and only then adds markup, so text written by a prospect, a CRM or
an agent can never become HTML.
"""

import difflib
import re
from datetime import datetime

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from review.selectors import AGED_AFTER, OLD_AFTER


def highlight(text: str, spans: list[str]) -> SafeString:
    """`text` escaped, with every occurrence of each span wrapped in <mark>."""
    escaped = str(escape(text or ""))
    needles = sorted({str(escape(span)) for span in spans if span and span.strip()}, key=len, reverse=True)
    if not needles:
        return mark_safe(escaped)  # noqa: S308  (escaped above)
    pattern = re.compile("|".join(re.escape(needle) for needle in needles), re.IGNORECASE)
    return mark_safe(pattern.sub(lambda match: f"<mark>{match.group(0)}</mark>", escaped))  # noqa: S308


def word_diff(before: str, after: str) -> SafeString:
    """What a person changed in the agent's text: removed words in <del>, added words in <ins>."""
    old, new = re.split(r"(\s+)", before or ""), re.split(r"(\s+)", after or "")
    pieces = []
    for operation, old_start, old_end, new_start, new_end in difflib.SequenceMatcher(
        a=old, b=new, autojunk=False
    ).get_opcodes():
        removed, added = "".join(old[old_start:old_end]), "".join(new[new_start:new_end])
        if operation == "equal":
            pieces.append(str(escape(removed)))
            continue
        if removed:
            pieces.append(f"<del>{escape(removed)}</del>")
        if added:
            pieces.append(f"<ins>{escape(added)}</ins>")
    return mark_safe("".join(pieces))  # noqa: S308  (every piece escaped)


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
