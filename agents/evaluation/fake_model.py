"""A stand-in model for benchmarks and tests: the local fake Messages API, answering like the offline agents.

The fake server only sees HTTP requests, so `offline_answer(body)` reads back what the agent sent (the
prompt names the agent; the strategy, the lead and the verifier's sentences travel as JSON in delimited
blocks; the research brief and the verifier's findings in the instructions) and answers with the offline
handler's output: schema-valid JSON with real decisions, so a benchmark over HTTP does the same work as
offline.

    with fake_messages_api(latency_ms=300) as base_url:   # a separate process, so it costs the caller no CPU
        ...  # point an AnthropicProvider at base_url

`python -m agents.evaluation.fake_model --latency-ms 300` runs it in the foreground and prints its URL.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

# The fake server lives with the tests that drive the SDK against it; the benchmark reuses it as is.
from agents.llm.tests.fake_anthropic import FakeAnthropic
from agents.team.context import Lead, Strategy
from agents.team.model_check import SentenceCheckOutput, SentenceVerdict
from agents.team.prompts import load_prompt
from agents.team.qualify import QualifyInput, qualify_offline
from agents.team.research import ResearchInput, ResearchOutput, research_offline
from agents.team.writer import Finding, WriteInput, write_offline

AGENTS = ("research", "qualify", "write", "verify")
_LINE_AFTER = {
    "research": re.compile(r"^Research brief:\n(.+)$", re.MULTILINE),
}
_FINDINGS = re.compile(r"^Verifier findings to fix:\n((?:\{.*\}\n?)+)", re.MULTILINE)
_PERSON_ASKS = re.compile(r"^A person asks \(.*?\): (.*)$", re.MULTILINE)


class UnknownRequest(ValueError):
    """The request is not one of our agents' (its system prompt matches no prompt file)."""


def agent_of(body: dict[str, Any]) -> str:
    system = body.get("system") or []
    first = system[0]["text"] if isinstance(system, list) and system else str(system)
    for agent in AGENTS:
        if first == load_prompt(agent).text:
            return agent
    raise UnknownRequest(f"no agent prompt starts with {first[:60]!r}")


def _between(text: str, start: str, end: str) -> str:
    return text[text.index(start) + len(start) : text.rindex(end)]


def offline_answer(body: dict[str, Any]) -> dict[str, Any]:
    """The offline agent's answer to one Messages API request, as the JSON a model would return."""
    agent = agent_of(body)
    strategy = Strategy.model_validate_json(_between(body["system"][1]["text"], "<strategy>", "</strategy>"))
    content = body["messages"][0]["content"]
    data_block, instructions = content[0]["text"], content[1]["text"] if len(content) > 1 else ""
    data_json = data_block[data_block.index("{") : data_block.rindex("}") + 1]
    if agent == "verify":
        # The sentence check: offline every sentence is supported (the rules are the whole verification).
        sentences = json.loads(data_json)["sentences"]
        verdicts = [
            SentenceVerdict(index=sentence["index"], verdict="supported", span="", fact_type="", reason="")
            for sentence in sentences
        ]
        return SentenceCheckOutput(sentences=verdicts).model_dump(mode="json")
    lead = Lead.model_validate_json(data_json)

    def research_brief() -> ResearchOutput:
        return ResearchOutput.model_validate_json(_LINE_AFTER["research"].search(instructions).group(1))

    if agent == "research":
        output = research_offline(ResearchInput(strategy=strategy, lead=lead))
    elif agent == "qualify":
        output = qualify_offline(QualifyInput(strategy=strategy, lead=lead, research=research_brief()))
    elif agent == "write":
        found = _FINDINGS.search(instructions)
        asked = _PERSON_ASKS.search(instructions)
        output = write_offline(
            WriteInput(
                strategy=strategy,
                lead=lead,
                research=research_brief(),
                findings=[Finding.model_validate_json(line) for line in found.group(1).splitlines()] if found else [],
                instruction=asked.group(1) if asked else "",
            )
        )
    else:
        raise UnknownRequest(f"no offline answer for agent {agent!r}")
    return output.model_dump(mode="json")


@contextlib.contextmanager
def fake_messages_api(*, latency_ms: int) -> Iterator[str]:
    """Start the fake Messages API in its own process; yield its base URL; stop it afterwards."""
    root = Path(__file__).resolve().parents[2]
    process = subprocess.Popen(  # noqa: S603 (our own module, fixed arguments)
        [sys.executable, "-m", "agents.evaluation.fake_model", "--latency-ms", str(latency_ms)],
        cwd=root,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(root)},
    )
    try:
        line = process.stdout.readline().strip()
        if not line.startswith("http://"):
            raise RuntimeError(f"the fake Messages API did not start (it said {line!r})")
        yield line
    finally:
        process.stdin.close()  # the server stops when its stdin closes
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--latency-ms", type=int, default=300)
    args = parser.parse_args()
    server = FakeAnthropic(latency_ms=args.latency_ms, responder=offline_answer).start()
    print(server.base_url, flush=True)
    stopped = threading.Event()

    def wait_for_stdin_to_close() -> None:
        sys.stdin.read()
        stopped.set()

    threading.Thread(target=wait_for_stdin_to_close, daemon=True).start()
    stopped.wait()
    server.stop()


if __name__ == "__main__":
    main()
