"""Instruction-like text inside data (prompt injection). Such text is flagged and never obeyed."""

import re

_PATTERNS = [
    r"ignore (?:all |any )?(?:the )?(?:previous|prior|above|earlier) (?:instructions|prompts|rules)",
    r"disregard (?:all |any )?(?:the )?(?:previous|prior|above|earlier|your) (?:instructions|rules|guidelines)",
    r"forget (?:all |your )?(?:previous |prior )?instructions",
    r"you are now (?:in )?[\w -]{0,30}(?:mode|assistant|agent)",
    r"(?:reveal|print|show|repeat) (?:your |the )?(?:system prompt|instructions|hidden prompt)",
    r"\bsystem prompt\b",
    r"\bnew instructions?\s*:",
    r"\bact as (?:an? )?(?:admin|administrator|developer|system)",
    r"</?(?:system|assistant|instructions?)>",
    r"\b(?:tell|promise|offer) (?:the )?(?:recipient|prospect|customer|them) (?:that |a |an )?",
    r"ignoriere (?:alle )?(?:vorherigen|bisherigen) anweisungen",
]
_INSTRUCTION_LIKE = re.compile("|".join(f"(?:{pattern})" for pattern in _PATTERNS), re.IGNORECASE)


def find_instructions(text: str) -> str | None:
    """The first instruction-like span in `text`, or None."""
    match = _INSTRUCTION_LIKE.search(text or "")
    return match.group(0) if match else None
