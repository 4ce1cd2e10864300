"""What a model call cost, from its token usage and the price table in settings."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings

from agents.llm.base import LLMError, TokenUsage

_PER_MILLION = Decimal(1_000_000)
# Costs are kept to a millionth of a cent: small enough for one cached read, exact in the database.
_QUANTUM = Decimal("0.00000001")


class UnknownModelPrice(LLMError):
    """The model has no row in SALESOPS_LLM_PRICES, so its cost (and the budget) cannot be kept."""


def price_for(model: str) -> dict[str, Decimal]:
    try:
        return settings.SALESOPS_LLM_PRICES[model]
    except KeyError:
        raise UnknownModelPrice(f"No price for model {model!r}; add it to SALESOPS_LLM_PRICES") from None


def cost_usd(model: str, usage: TokenUsage) -> Decimal:
    """USD for one call: each token class at its own rate (prices are per million tokens)."""
    price = price_for(model)
    total = (
        usage.input_tokens * price["input"]
        + usage.output_tokens * price["output"]
        + usage.cache_creation_input_tokens * price["cache_write"]
        + usage.cache_read_input_tokens * price["cache_read"]
    ) / _PER_MILLION
    return total.quantize(_QUANTUM)
