"""The words people read for the codes the agents write: verifier finding kinds, which model took a
step, a prompt's version. One owner, so every page — the inbox, the run pages, the dashboards — says
the same thing."""

import re

FINDING_LABELS = {
    "customer_not_public": "Customer may not be named",
    "discount_beyond_policy": "Discount beyond the policy",
    "injection_followed": "Followed hidden instructions",
    "invented_case_study": "Invented case study",
    "link_not_allowed": "Link not allowed",
    "misquoted_proof": "Misquoted proof point",
    "missing_postal_address": "Postal address missing",
    "missing_signature": "Signature missing",
    "pricing": "Mentions pricing",
    "prompt_injection": "Instructions hidden in the text",
    "stale_signal": "Outdated signal",
    "uncited_claim": "Claim without a source",
    "unknown_citation": "Source not found",
    "unsupported_customer": "Customer not backed by a source",
    "unsupported_number": "Number not backed by a source",
    "forbidden_phrase": "Forbidden phrase",
    "forbidden_topic": "Forbidden topic",
    "tone": "Tone",
    "unsupported_fact": "Fact not backed by a source",
    "contradicted_fact": "Fact contradicts its source",
    "uncited_fact": "True but not cited",
    "unsafe_markup": "Markup in the email",
}

PROVIDERS = {"anthropic": "Anthropic", "openai": "OpenAI"}

# The goal's verdicts (agents.outreach.planning.goal_verdict decides which), as every page names them.
GOAL_VERDICT_LABELS = {
    "on_track": "On track",
    "at_risk": "At risk",
    "off_track": "Off track",
    "reached": "Goal reached",
    "not_started": "Not started",
    "over": "Period over",
    "no_goal": "No goal set",
}


def _words(code: str) -> str:
    words = re.sub(r"[_.-]+", " ", code).strip()
    return words[:1].upper() + words[1:]


# What an agent step decided, as the run pages say it (qualification verdicts, the router's decisions).
STEP_DECISION_LABELS = {
    "qualified": "Qualified",
    "disqualified": "Disqualified",
    "needs_person": "Needs a person",
    "send": "Send",
    "review": "A person reviews",
    "exception": "Exception",
    "person_owns": "A person owns the lead",
    "escalation": "Escalated to a person",
    "drop": "Dropped",
}


def step_decision_label(decision: str) -> str:
    """A step's decision in words: a known code by its label, anything else (free text such as "chose 2
    signals") as written, underscores and all turned into words."""
    if not decision:
        return ""
    return STEP_DECISION_LABELS.get(decision) or (_words(decision) if re.fullmatch(r"[a-z_]+", decision) else decision)


def finding_label(kind: str) -> str:
    return FINDING_LABELS.get(kind) or (_words(kind) if kind else "Unknown")


def model_label(provider: str, model: str) -> str:
    """Which model took a step, as a person says it: "Offline rules", "claude-sonnet-4-5 (Anthropic)"."""
    provider, model = str(provider or "").strip(), str(model or "").strip()
    if provider == "offline":
        return "Offline rules"
    if provider == "rules" or (not provider and model == "rules"):
        return "Fixed rules, no model"
    if not provider:
        return model or "—"
    named = PROVIDERS.get(provider, _words(provider))
    return f"{model} ({named})" if model and model != provider else named


_PROMPT_VERSION = re.compile(r"^(?:[a-z_]+-)?v?(\d+(?:\.\d+)*)$", re.IGNORECASE)


def prompt_label(version: str) -> str:
    """A prompt's version without the agent's name in front of it: "research-1" -> "prompt v1"."""
    text = str(version or "").strip()
    if not text:
        return "—"
    match = _PROMPT_VERSION.match(text)
    return f"prompt v{match.group(1)}" if match else f"prompt {_words(text).lower()}"
