"""The offline provider: deterministic, no network, no cost; and how a provider and model are chosen."""

from dataclasses import dataclass
from decimal import Decimal

import pydantic
import pytest
from django.core.exceptions import ImproperlyConfigured

from agents.llm import (
    BudgetExhausted,
    FixedBudget,
    LLMInvalidOutput,
    LLMRequest,
    NoOfflineHandler,
    OfflineProvider,
    get_provider,
    model_for,
    register_offline_handler,
)
from agents.llm.offline import unregister_offline_handler


@dataclass(frozen=True)
class LeadFacts:
    company: str
    employees: int
    signals: tuple[str, ...]


class FitScore(pydantic.BaseModel):
    score: int
    reasons: list[str]


def score_by_rules(facts: LeadFacts) -> FitScore:
    """A tiny stand-in for an agent's rules (the real ones live with each agent)."""
    reasons = []
    score = 0
    if 200 <= facts.employees <= 2000:
        score += 60
        reasons.append(f"{facts.company} has {facts.employees} employees, inside the ICP range")
    for signal in facts.signals:
        score += 20
        reasons.append(f"Signal: {signal}")
    return FitScore(score=min(score, 100), reasons=reasons)


def fit_request(facts: LeadFacts, *, task: str = "test-fit") -> LLMRequest:
    return LLMRequest(
        task=task,
        model="claude-haiku-5-5",
        stable_system=("You score fit.", "ICP: 200-2000 employees."),
        data=f"<lead_data>{facts}</lead_data>",
        instructions="Score this lead.",
        output_schema=FitScore,
        offline_input=facts,
    )


@pytest.fixture
def provider():
    register_offline_handler("test-fit", score_by_rules)
    yield OfflineProvider()
    unregister_offline_handler("test-fit")


FACTS = LeadFacts(company="Acme Freight", employees=640, signals=("Hiring 12 SDRs",))


def test_it_answers_with_the_registered_rules_deterministically(provider):
    first = provider.complete(fit_request(FACTS))
    second = provider.complete(fit_request(FACTS))

    assert (
        first.output
        == second.output
        == FitScore(
            score=80, reasons=["Acme Freight has 640 employees, inside the ICP range", "Signal: Hiring 12 SDRs"]
        )
    )
    assert (first.provider, first.model, first.attempts, first.request_id) == ("offline", "offline", 1, None)


def test_it_estimates_tokens_from_the_text_and_costs_nothing(provider):
    request = fit_request(FACTS)

    result = provider.complete(request, budget=FixedBudget(Decimal("1")))

    prompt_chars = len("".join(request.stable_system)) + len(request.data) + len(request.instructions)
    assert result.input_tokens == -(-prompt_chars // 4)
    assert result.output_tokens == -(-len(result.output.model_dump_json()) // 4)
    assert (result.cache_creation_input_tokens, result.cache_read_input_tokens) == (0, 0)
    assert result.cost_usd == Decimal(0)


def test_a_task_without_a_handler_is_a_clear_error(provider):
    with pytest.raises(NoOfflineHandler, match="no handler for task 'negotiate'.*register_offline_handler"):
        provider.complete(fit_request(FACTS, task="negotiate"))


def test_a_handler_answering_with_the_wrong_type_is_invalid_output():
    provider = OfflineProvider(handlers={"test-fit": lambda facts: {"score": 1}})

    with pytest.raises(LLMInvalidOutput, match="returned dict, expected FitScore"):
        provider.complete(fit_request(FACTS))


def test_a_spent_budget_stops_the_offline_provider_too(provider):
    with pytest.raises(BudgetExhausted):
        provider.complete(fit_request(FACTS), budget=FixedBudget(Decimal(0)))


def test_the_offline_provider_is_the_default(settings):
    settings.SALESOPS_LLM_PROVIDER = "offline"

    assert isinstance(get_provider(), OfflineProvider)
    assert get_provider() is get_provider()


def test_writing_uses_a_sonnet_class_model_and_the_rest_a_haiku_class_one():
    assert model_for("write") == "claude-sonnet-5-5"
    assert {model_for(agent) for agent in ("research", "qualify", "verify", "classify")} == {"claude-haiku-5-5"}


def test_the_model_per_agent_is_a_setting(settings):
    settings.SALESOPS_LLM_MODELS = {**settings.SALESOPS_LLM_MODELS, "write": "claude-opus-5-5"}

    assert model_for("write") == "claude-opus-5-5"
    with pytest.raises(ImproperlyConfigured, match="No model is configured for agent 'negotiate'"):
        model_for("negotiate")
