"""How often the injection check flags hostile and benign inputs of the development material.

The material: the signals of `data/leads.jsonl` (label `hostile` against `fresh`/`stale`), the reply
corpus of `agents/conversations/tests/corpus` (two hostile replies, the rest ordinary mail), and any
extra development files given (`injection_*.jsonl` rows with channel signal, crm_field or reply, and
`leads_*.jsonl` files in the shape of leads.jsonl). Never point it at a held-out set while tuning.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from agents.evaluation.dataset import DATA_DIR
from agents.team.injection import flagged, scan

CORPUS_DIR = Path(__file__).resolve().parents[1] / "conversations" / "tests" / "corpus"
HOSTILE_GOAL = 0.95
BENIGN_GOAL = 0.05

_LANGUAGE_WORDS = {  # fmt: skip
    "de": {
        "der",
        "die",
        "das",
        "und",
        "ist",
        "nicht",
        "mit",
        "sie",
        "wir",
        "ich",
        "für",
        "bitte",
        "ihre",
        "den",
        "auf",
    },
    "fr": {"le", "la", "les", "et", "est", "pas", "avec", "vous", "nous", "pour", "une", "des", "votre", "merci", "je"},
    "es": {
        "el",
        "la",
        "los",
        "y",
        "es",
        "no",
        "con",
        "usted",
        "nosotros",
        "para",
        "una",
        "por",
        "su",
        "gracias",
        "que",
    },
    "en": {"the", "and", "is", "not", "with", "you", "we", "for", "a", "please", "your", "to", "of", "our", "i"},
}


def guess_language(text: str) -> str:
    words = re.findall(r"[a-zà-öø-ÿ]+", text.lower())
    scores = {language: sum(word in vocabulary for word in words) for language, vocabulary in _LANGUAGE_WORDS.items()}
    return max(scores, key=lambda language: (scores[language], language == "en"))


@dataclass(frozen=True)
class Item:
    id: str
    source: str
    channel: str  # signal, crm_field, reply
    language: str
    hostile: bool
    text: str
    html: str = ""


def _signal_items(path: Path) -> list[Item]:
    items = []
    for line in path.read_text().splitlines():
        if not line.strip():
            continue
        lead = json.loads(line)
        for signal in lead["signals"]:
            text = f"{signal['title']}\n{signal['text']}"
            items.append(
                Item(
                    f"{lead['id']}/{signal['id']}",
                    path.name,
                    "signal",
                    guess_language(text),
                    signal["label"] == "hostile",
                    text,
                )  # fmt: skip
            )
    return items


def _injection_items(path: Path) -> list[Item]:
    items = []
    for line in path.read_text().splitlines():
        if not line.strip():
            continue
        row = json.loads(line)
        channel = row.get("channel", "signal")
        html = ""
        if channel == "reply":
            reply = row.get("reply") or {}
            text = f"{reply.get('subject', '')}\n{reply.get('text', '')}"
            html = reply.get("html") or ""
        elif channel == "crm_field":
            text = row.get("value", "")
        else:
            signal = row.get("signal") or {}
            text = f"{signal.get('title', '')}\n{signal.get('text', '')}"
        language = row.get("language") or guess_language(text + html)
        items.append(Item(row["id"], path.name, channel, language, row.get("label") == "hostile", text, html))
    return items


def _corpus_items() -> list[Item]:
    from agents.conversations.parsing import parse_message

    cases = json.loads((CORPUS_DIR / "expected.json").read_text())
    items = []
    for case in cases:
        parsed = parse_message((CORPUS_DIR / case["file"]).read_bytes())
        text = f"{parsed.subject}\n{parsed.text}"
        items.append(
            Item(
                case["file"],
                "reply corpus",
                "reply",
                guess_language(parsed.text),
                bool(case.get("injection")),
                text,
                parsed.html,
            )  # fmt: skip
        )
    return items


def development_items(extra: list[Path] = ()) -> list[Item]:
    items = _signal_items(DATA_DIR / "leads.jsonl") + _corpus_items()
    for path in extra:
        items += _injection_items(path) if path.name.startswith("injection") else _signal_items(path)
    return items


@dataclass(frozen=True)
class Rates:
    hostile: int
    hostile_flagged: int
    benign: int
    benign_flagged: int

    @staticmethod
    def _share(part: int, whole: int) -> str:
        return f"{part / whole:6.1%} ({part}/{whole})" if whole else "     – (0/0)"

    def line(self, label: str) -> str:
        return (
            f"  {label:<14} hostile flagged {self._share(self.hostile_flagged, self.hostile):<18} "
            f"benign flagged {self._share(self.benign_flagged, self.benign)}"
        )

    @property
    def meets_goals(self) -> bool:
        hostile_ok = not self.hostile or self.hostile_flagged / self.hostile >= HOSTILE_GOAL
        benign_ok = not self.benign or self.benign_flagged / self.benign <= BENIGN_GOAL
        return hostile_ok and benign_ok


@dataclass(frozen=True)
class InjectionReport:
    overall: Rates
    by_language: dict[str, Rates]
    by_channel: dict[str, Rates]
    missed: list[Item]
    false_alarms: list[tuple[Item, str]]

    def as_text(self) -> str:
        lines = ["Injection check on the development material", self.overall.line("all")]
        lines += [self.by_language[language].line(language) for language in sorted(self.by_language)]
        lines += [self.by_channel[channel].line(channel) for channel in sorted(self.by_channel)]
        lines += [f"  missed: {item.id} ({item.source}, {item.language})" for item in self.missed]
        lines += [f"  false alarm: {item.id} ({item.source}): {span!r}" for item, span in self.false_alarms]
        return "\n".join(lines)


def _rates(outcomes: list[tuple[Item, bool]]) -> Rates:
    return Rates(
        hostile=sum(item.hostile for item, _ in outcomes),
        hostile_flagged=sum(item.hostile and hit for item, hit in outcomes),
        benign=sum(not item.hostile for item, _ in outcomes),
        benign_flagged=sum(not item.hostile and hit for item, hit in outcomes),
    )


def injection_report(items: list[Item]) -> InjectionReport:
    outcomes, missed, false_alarms = [], [], []
    for item in items:
        findings = scan(item.text, html=item.html)
        hit = flagged(findings)
        outcomes.append((item, hit))
        if item.hostile and not hit:
            missed.append(item)
        if not item.hostile and hit:
            false_alarms.append((item, findings[0].span[:120]))
    by_language, by_channel = defaultdict(list), defaultdict(list)
    for item, hit in outcomes:
        by_language[item.language].append((item, hit))
        by_channel[item.channel].append((item, hit))
    return InjectionReport(
        overall=_rates(outcomes),
        by_language={language: _rates(group) for language, group in by_language.items()},
        by_channel={channel: _rates(group) for channel, group in by_channel.items()},
        missed=missed,
        false_alarms=false_alarms,
    )
