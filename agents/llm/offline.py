"""The offline provider: deterministic, no network, the default.

Each agent registers a rule-based handler for its task (`register_offline_handler("qualify", fn)`);
the handler takes the request's typed `offline_input` and returns the output model. The provider adds
what a model call would report: estimated token counts (about four characters a token) and no cost.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pydantic

from agents.llm.base import Budget, LLMError, LLMInvalidOutput, LLMRequest, LLMResult, ensure_budget

OfflineHandler = Callable[[Any], pydantic.BaseModel]

_registry: dict[str, OfflineHandler] = {}
_registry_lock = threading.Lock()


class NoOfflineHandler(LLMError):
    """No rule-based handler is registered for this task."""


def register_offline_handler(task: str, handler: OfflineHandler) -> OfflineHandler:
    """Register the rule-based handler of a task (replacing any earlier one); usable as a decorator."""
    with _registry_lock:
        _registry[task] = handler
    return handler


def unregister_offline_handler(task: str) -> None:
    with _registry_lock:
        _registry.pop(task, None)


def estimate_tokens(text: str) -> int:
    return math.ceil(len(text) / 4)


class OfflineProvider:
    name = "offline"

    def __init__(self, handlers: dict[str, OfflineHandler] | None = None) -> None:
        # Without explicit handlers the provider reads the shared registry at call time, so agents
        # imported after it was built are still found.
        self._handlers = handlers

    def complete(self, request: LLMRequest, *, budget: Budget | None = None) -> LLMResult:
        ensure_budget(budget)
        handlers = self._handlers if self._handlers is not None else _registry
        handler = handlers.get(request.task)
        if handler is None:
            known = ", ".join(sorted(handlers)) or "none"
            raise NoOfflineHandler(
                f"The offline provider has no handler for task {request.task!r} (registered: {known}); "
                "register one with register_offline_handler()"
            )
        started = time.monotonic()
        output = handler(request.offline_input)
        if not isinstance(output, request.output_schema):
            raise LLMInvalidOutput(
                f"The offline {request.task} handler returned {type(output).__name__}, "
                f"expected {request.output_schema.__name__}",
                attempts=1,
            )
        latency_ms = round((time.monotonic() - started) * 1000)
        prompt = "".join((*request.stable_system, request.data, request.instructions))
        return LLMResult(
            output=output,
            provider=self.name,
            model="offline",
            input_tokens=estimate_tokens(prompt),
            output_tokens=estimate_tokens(output.model_dump_json()),
            cache_creation_input_tokens=0,
            cache_read_input_tokens=0,
            latency_ms=latency_ms,
            request_id=None,
            cost_usd=Decimal(0),
            attempts=1,
        )
