"""The one small interface every model provider implements, its request, result and errors.

An agent builds an `LLMRequest` (stable prefix, per-lead data, instructions, output schema), hands it to
a `Provider` and gets back an `LLMResult` with the validated output and what the call cost. Anything
that is not a schema-valid answer is an `LLMError`: never guessed around.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Protocol, runtime_checkable

import pydantic

TASKS = ("research", "qualify", "write", "verify", "classify")


@dataclass(frozen=True)
class LLMRequest:
    """What an agent asks of a model.

    `stable_system` is the cacheable prefix shared by every lead of a campaign (system prompt, ICP,
    offer, policy, proof library), in a fixed order. `data` is the per-lead part, already wrapped by
    the agent in clearly delimited data blocks. `offline_input` is the typed agent input the offline
    provider works from.
    """

    task: str
    model: str
    stable_system: tuple[str, ...]
    data: str
    instructions: str
    output_schema: type[pydantic.BaseModel]
    max_tokens: int = 2048
    offline_input: Any = None


@dataclass(frozen=True)
class TokenUsage:
    input_tokens: int = 0
    output_tokens: int = 0
    cache_creation_input_tokens: int = 0
    cache_read_input_tokens: int = 0


@dataclass(frozen=True)
class LLMResult:
    """A validated answer and everything an AgentStep records about the call."""

    output: pydantic.BaseModel
    provider: str
    model: str
    input_tokens: int
    output_tokens: int
    cache_creation_input_tokens: int
    cache_read_input_tokens: int
    latency_ms: int
    request_id: str | None
    cost_usd: Decimal
    attempts: int

    @property
    def usage(self) -> TokenUsage:
        return TokenUsage(
            input_tokens=self.input_tokens,
            output_tokens=self.output_tokens,
            cache_creation_input_tokens=self.cache_creation_input_tokens,
            cache_read_input_tokens=self.cache_read_input_tokens,
        )


class LLMError(Exception):
    """A model call that produced no usable answer.

    When the model did answer (refusal, max_tokens, invalid output) the tokens were billed: `usage`,
    `cost_usd` and `request_id` say so, and the budget has already been charged.
    """

    def __init__(
        self,
        message: str,
        *,
        usage: TokenUsage | None = None,
        cost_usd: Decimal = Decimal(0),
        request_id: str | None = None,
        attempts: int = 0,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.usage = usage
        self.cost_usd = cost_usd
        self.request_id = request_id
        self.attempts = attempts


class LLMRefusal(LLMError):
    """The model declined to answer (stop_reason "refusal")."""


class LLMMaxTokens(LLMError):
    """The answer was cut off at max_tokens (or the context window) before it was complete."""


class LLMInvalidOutput(LLMError):
    """The answer did not validate against the output schema; `validation_message` says why."""

    def __init__(self, message: str, *, validation_message: str = "", **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.validation_message = validation_message or message


class LLMUnavailable(LLMError):
    """The API stayed unavailable (429, 529, 5xx, timeouts, connection errors) through every attempt."""


class BudgetExhausted(LLMError):
    """The workspace's model budget is spent; no request was sent."""


@runtime_checkable
class Budget(Protocol):
    """Money left for model calls. The orchestrator implements it with the database."""

    def remaining_usd(self) -> Decimal: ...

    def charge(self, cost_usd: Decimal) -> None: ...


@runtime_checkable
class Provider(Protocol):
    name: str

    def complete(self, request: LLMRequest, *, budget: Budget | None = None) -> LLMResult: ...


@dataclass
class FixedBudget:
    """An in-memory budget for tests and benchmarks; safe to share between threads."""

    limit_usd: Decimal
    spent_usd: Decimal = Decimal(0)
    charges: list[Decimal] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)

    def remaining_usd(self) -> Decimal:
        with self._lock:
            return self.limit_usd - self.spent_usd

    def charge(self, cost_usd: Decimal) -> None:
        with self._lock:
            self.spent_usd += cost_usd
            self.charges.append(cost_usd)


def ensure_budget(budget: Budget | None) -> None:
    """Refuse to start a call when the budget is spent (checked before any request is sent)."""
    if budget is None:
        return
    remaining = budget.remaining_usd()
    if remaining <= 0:
        raise BudgetExhausted(f"The model budget is spent (remaining {remaining} USD); no request was sent.")
