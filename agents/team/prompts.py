"""Prompt files: `agents/team/prompts/<agent>.md`, whose first line names the version (`version: research-3`).

The version is recorded on every AgentStep, so a change of prompt shows in the audit."""

import functools
from dataclasses import dataclass
from pathlib import Path

PROMPT_DIR = Path(__file__).resolve().parent / "prompts"


@dataclass(frozen=True)
class Prompt:
    name: str
    version: str
    text: str


@functools.cache
def load_prompt(name: str) -> Prompt:
    raw = (PROMPT_DIR / f"{name}.md").read_text(encoding="utf-8")
    first_line, _, body = raw.partition("\n")
    if not first_line.startswith("version:"):
        raise ValueError(f"agents/team/prompts/{name}.md must start with a 'version:' line")
    return Prompt(name=name, version=first_line.removeprefix("version:").strip(), text=body.strip())
