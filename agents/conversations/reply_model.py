"""The offline reply classifier: a logistic regression over word and character n-grams of a reply's new
text (quoted history and signature already removed by the parser), trained on the labelled corpus in
`training/` (four languages, one JSON object a line: the raw message and its category).

Word n-grams carry what a reply says ("not the right person", "kein Bedarf"); character n-grams carry
what survives typos, inflection and compounds ("abgemeldet", "désinscrire", "unsubscribing"). The model is
trained from the same parser the live path uses, so it learns from exactly what it will later read. Training
takes ~15 s (reading 1,860 messages, then fitting), so the trained model is kept in var/, keyed by what it
depends on (the corpus, this module, the parser, scikit-learn's version): each worker loads it in well under
a second, and a change to any of them trains a new one. Probabilities are calibrated enough to rank: the
top one is the category, its value the confidence; a low one sends the reply to a person.
"""

from __future__ import annotations

import functools
import hashlib
import json
import logging
import os
import re
from collections.abc import Iterable
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from pathlib import Path

import joblib
import sklearn
from django.conf import settings
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import FeatureUnion, Pipeline

TRAINING_DIR = Path(__file__).resolve().parent / "training"
logger = logging.getLogger(__name__)

_URL = re.compile(r"https?://\S+|www\.\S+", re.IGNORECASE)
_EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_DIGITS = re.compile(r"\d")


# A closing ("Best regards,", "Mit freundlichen Grüßen", "Cordialement", "Saludos") ends what a person wrote:
# the name, title, phone and legal disclaimer after it say nothing of what they meant.
_CLOSING = re.compile(
    r"^\s*(?:(?:best|kind|warm|warmest|many|with|all the)?\s*(?:regards|wishes|thanks|cheers|best)|thanks?(?: you)?"
    r"|thx|br|rgds|take care|talk soon|speak soon|sincerely|yours(?: sincerely| truly)?|respectfully"
    r"|(?:mit )?(?:freundlichen|besten|herzlichen|liebe|viele)? ?gr(?:ü|ue|u)(?:ß|ss|s)e?n?|mfg|lg|vg|beste grüße"
    r"|(?:bien )?cordialement|bien à (?:vous|toi)|(?:sincères |meilleures )?salutations|bonne (?:journée|soirée)"
    r"|merci(?: beaucoup| d'avance)?|amicalement|bàv|à bientôt|belle journée"
    r"|(?:un )?(?:saludo|abrazo)s?(?: cordiales?)?|atentamente|gracias|quedo atent[oa]|sl2|slds)[\s,.!]*$",
    re.IGNORECASE,
)
_GREETING = re.compile(
    r"^\s*(?:hi|hello|hey|dear|good (?:morning|afternoon)|hallo|guten (?:tag|morgen)|liebe[rs]?|sehr geehrte[rs]?"
    r"|servus|moin|grüezi|grüß gott|bonjour|bonsoir|salut|cher|chère|madame|monsieur|hola|buen(?:os|as) (?:días|tardes)"
    r"|estimad[oa]s?|querid[oa])\b[^\n]{0,40}[,!:]?\s*$",
    re.IGNORECASE,
)
_MOBILE_FOOTER = re.compile(
    r"^\s*(?:sent from|get outlook|von meinem|gesendet von|envoyé de|obtenir outlook|enviado desde|obtener outlook)\b",
    re.IGNORECASE,
)


def body_lines(text: str) -> str:
    """The lines a person wrote for this reply: without the greeting, the closing and what follows it."""
    kept = []
    for index, line in enumerate(text.splitlines()):
        if _CLOSING.match(line) or _MOBILE_FOOTER.match(line):
            if kept:
                break
            continue
        if not kept and _GREETING.match(line) and index < 3:
            continue
        kept.append(line)
    return "\n".join(kept).strip() or text


def features_text(subject: str, text: str) -> str:
    """What the model reads: the subject when it is the sender's own (not "Re: <ours>"), and the new text,
    lower-cased, with addresses, links and digits reduced to their kind."""
    own_subject = subject if subject and not re.match(r"\s*(?:re|aw|sv|rv|r|fwd?|wg|tr)\s*:", subject, re.I) else ""
    joined = f"{own_subject}\n{body_lines(text)}".lower()
    joined = _URL.sub(" urladdress ", joined)
    joined = _EMAIL.sub(" emailaddress ", joined)
    return _DIGITS.sub("0", joined)


@dataclass(frozen=True)
class TrainingCase:
    id: str
    language: str
    category: str
    text: str  # features_text of the parsed message


def _received_at(raw: bytes) -> datetime:
    for line in raw.split(b"\n"):
        if line.lower().startswith(b"date:"):
            try:
                value = parsedate_to_datetime(line[5:].decode("utf-8", "replace").strip())
                return value if value.tzinfo else value.replace(tzinfo=UTC)
            except (TypeError, ValueError):
                break
        if not line.strip():
            break
    return datetime(2026, 11, 25, 12, tzinfo=UTC)


def read_corpus(directory: Path = TRAINING_DIR) -> list[TrainingCase]:
    from agents.conversations.parsing import parse_message  # parsing imports nothing of this module

    cases = []
    for path in sorted(directory.glob("replies_*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if not line.strip():
                continue
            item = json.loads(line)
            raw = item["raw"].encode("utf-8")
            parsed = parse_message(raw, received_at=_received_at(raw))
            cases.append(
                TrainingCase(item["id"], item["language"], item["category"], features_text(parsed.subject, parsed.text))
            )
    return cases


def build_pipeline() -> Pipeline:
    return Pipeline(
        [
            (
                "features",
                FeatureUnion(
                    [
                        ("words", TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, min_df=1)),
                        (
                            "characters",
                            TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True, min_df=2),
                        ),
                    ]
                ),
            ),
            ("model", LogisticRegression(C=5, class_weight="balanced", max_iter=3000)),
        ]
    )


def train(cases: Iterable[TrainingCase]) -> Pipeline:
    cases = list(cases)
    return build_pipeline().fit([case.text for case in cases], [case.category for case in cases])


def _fingerprint() -> str:
    digest = hashlib.sha256(sklearn.__version__.encode())
    here = Path(__file__).resolve()
    for path in [*sorted(TRAINING_DIR.glob("replies_*.jsonl")), here, here.with_name("parsing.py")]:
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:20]


@functools.cache
def _corpus_model() -> Pipeline:
    """The model trained on the whole corpus: from var/ when this exact corpus and code trained it before
    (the file is this application's own, written below), else trained now and kept there."""
    cache = Path(settings.VAR_DIR) / f"reply-model-{_fingerprint()}.joblib"
    if cache.exists():
        try:
            return joblib.load(cache)
        except Exception:  # a truncated or foreign file: train again rather than fail a reply
            logger.warning("reply model cache %s unreadable; training again", cache, exc_info=True)
    model = train(read_corpus())
    try:
        cache.parent.mkdir(parents=True, exist_ok=True)
        partial = cache.with_name(f"{cache.name}.{os.getpid()}.partial")
        joblib.dump(model, partial)
        os.replace(partial, cache)  # atomic: a worker never loads half a file
        for stale in cache.parent.glob("reply-model-*.joblib"):
            if stale != cache:
                stale.unlink(missing_ok=True)
    except OSError:
        logger.warning("could not keep the reply model in %s", cache.parent, exc_info=True)
    return model


_model_in_use: list[Pipeline] = []


def trained_model() -> Pipeline:
    return _model_in_use[-1] if _model_in_use else _corpus_model()


@contextmanager
def model_in_use(pipeline: Pipeline):
    """Classify with `pipeline` instead of the corpus's model: the evaluation's cross-validation folds."""
    _model_in_use.append(pipeline)
    try:
        yield pipeline
    finally:
        _model_in_use.pop()


def probabilities(pipeline: Pipeline, text: str) -> dict[str, float]:
    values = pipeline.predict_proba([text])[0]
    return dict(zip(pipeline.classes_, (float(value) for value in values), strict=True))
