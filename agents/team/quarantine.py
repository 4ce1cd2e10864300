"""Hostile data is quarantined, not contagious: a signal or free-text CRM field holding
instruction-like text is withheld from every agent (the signal keeps its kind, date and source, its
words become a placeholder; a field becomes ""), and listed on the lead so that a person is told once and
the router never lets the lead's email out unreviewed.

Pure: it works on the typed Lead, so the pipeline (from the database) and the evaluation (from its
files) withhold exactly the same things."""

from dataclasses import dataclass

from agents.team.context import WITHHELD_SIGNAL_TEXT, Lead, QuarantinedItem, SignalFact
from agents.team.injection import field_instruction, first_instruction
from campaigns.choices import SignalKind

# The free-text CRM fields a prospect (or whoever fills the CRM) controls, as a person names them.
CONTACT_TEXT_FIELDS = {"first_name": "first name", "last_name": "last name", "title": "job title",
                       "department": "department"}  # fmt: skip
ACCOUNT_TEXT_FIELDS = {"name": "company name", "industry": "industry"}
SIGNAL_KIND_WORDS = {kind: label.lower() for kind, label in SignalKind.choices}


@dataclass(frozen=True)
class Flag:
    span: str
    technique: str
    confidence: float


def instruction_flag(text: str, *, field: bool = False) -> Flag | None:
    """The detector's strongest finding in `text` (a CRM field's value at the field's lower bar), whichever
    shape it returns: an object with a span, a technique and a confidence, or a bare regular-expression
    match."""
    found = field_instruction(text or "") if field else first_instruction(text or "")
    if not found:
        return None
    span = getattr(found, "span", None)
    if not isinstance(span, str):  # a re.Match, whose .span is a method
        span = found.group(0)
    return Flag(
        span=span,
        technique=str(getattr(found, "technique", "") or "instruction"),
        confidence=float(getattr(found, "confidence", 0.9)),
    )


def _signal_withheld(signal: SignalFact, quarantined: list[QuarantinedItem]) -> SignalFact:
    flag = instruction_flag(f"{signal.title}\n{signal.text}")
    if flag is None:
        return signal
    kind = SIGNAL_KIND_WORDS.get(signal.kind, signal.kind)
    # The title is quoted for a person only when the instruction is not in the title itself.
    title = f" '{signal.title}'" if signal.title and instruction_flag(signal.title) is None else ""
    quarantined.append(
        QuarantinedItem(
            source=signal.citation,
            record_id=signal.id,
            label=f"Signal {signal.id} ({kind}){title}",
            span=flag.span,
            technique=flag.technique,
            confidence=flag.confidence,
            withheld_text=f"{signal.title}\n{signal.text}",
        )
    )
    return signal.model_copy(update={"title": WITHHELD_SIGNAL_TEXT, "text": WITHHELD_SIGNAL_TEXT, "url": ""})


def _fields_withheld(facts, record_name: str, fields: dict[str, str], record_id: int, who: str, quarantined: list):
    values = {}
    for field, words in fields.items():
        value = getattr(facts, field) or ""
        flag = instruction_flag(value, field=True)
        if flag is not None:
            quarantined.append(
                QuarantinedItem(
                    source=f"{record_name}.{field}",
                    record_id=record_id,
                    label=f"The {words} on file for {who}",
                    span=flag.span,
                    technique=flag.technique,
                    confidence=flag.confidence,
                    withheld_text=value,
                )
            )
            values[field] = ""
    return facts.model_copy(update=values) if values else facts


def lead_withheld(lead: Lead, *, contact_id: int = 0, account_id: int = 0) -> Lead:
    """The lead as the agents may see it, with what held instruction-like text withheld and listed in
    `quarantined` (the record ids say what a person is told about once)."""
    quarantined: list[QuarantinedItem] = []
    # Named by address and domain, which are no free text: a person reads the label in the inbox.
    account = _fields_withheld(
        lead.account, "account", ACCOUNT_TEXT_FIELDS, account_id, f"account {lead.account.domain}", quarantined
    )
    contact = _fields_withheld(
        lead.contact, "contact", CONTACT_TEXT_FIELDS, contact_id, lead.contact.email, quarantined
    )
    signals = [_signal_withheld(signal, quarantined) for signal in lead.signals]
    return lead.model_copy(
        update={"account": account, "contact": contact, "signals": signals, "quarantined": quarantined}
    )
