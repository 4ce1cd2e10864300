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
    # Text addressed to a model rather than to a person.
    r"\bif you(?:'re| are) an? (?:ai|a\.i\.|language model|llm|bot|chatbot|assistant"
    r"|automated (?:agent|system|assistant))\b",
    r"\bnote to (?:any |the |all )?(?:ai|a\.i\.|assistants?|models?|bots?|llms?|agents?|language models?)\b",
    r"\b(?:dear|attention|hey),? (?:ai|assistant|chatgpt|claude|gpt|llm)\b",
    r"\bas an ai(?: language model| assistant)?,? you (?:must|should|will)\b",
    r"\b(?:override|bypass) (?:your |the |all )?(?:instructions|rules|guidelines|safety|policy)\b",
    r"\b(?:developer|god|jailbreak) mode\b",
    r"\[/?inst\]|<\|im_start\|>|#{2,}\s*(?:instruction|system)\b",
]
_INSTRUCTION_LIKE = re.compile("|".join(f"(?:{pattern})" for pattern in _PATTERNS), re.IGNORECASE)


def first_instruction(text: str) -> re.Match | None:
    """Where the first instruction-like span in `text` is, or None."""
    return _INSTRUCTION_LIKE.search(text or "")


def find_instructions(text: str) -> str | None:
    """The first instruction-like span in `text`, or None."""
    match = first_instruction(text)
    return match.group(0) if match else None
