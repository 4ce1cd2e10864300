"""The Anthropic Messages API through the official SDK.

Structured output is validated on our side with pydantic: the model answers either in the GA JSON
output format (`output_config.format`, the default; every current model supports it) or through one
forced tool (`tool_choice` naming it; for models that still accept forced tool use). The stable prefix
carries `cache_control` so the leads of one campaign share a cached prefix.

Retries happen at two levels: the SDK's own (`max_retries`, honouring `retry-after`), then ours, with
exponential backoff and jitter, for 429, 529, other 5xx, timeouts and connection errors.
"""

from __future__ import annotations

import functools
import logging
import random
import time
from collections.abc import Callable
from typing import Any

import anthropic
import pydantic
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from agents.llm.base import (
    Budget,
    LLMError,
    LLMInvalidOutput,
    LLMMaxTokens,
    LLMRefusal,
    LLMRequest,
    LLMResult,
    LLMUnavailable,
    TokenUsage,
    ensure_budget,
)
from agents.llm.pricing import cost_usd, price_for

logger = logging.getLogger(__name__)

OUTPUT_TOOL_NAME = "record_output"
STRUCTURED_OUTPUT_MODES = ("json_schema", "tool")


@functools.cache
def _json_output_schema(output_schema: type[pydantic.BaseModel]) -> dict[str, Any]:
    # The SDK reduces pydantic's schema to the subset constrained decoding supports (e.g. it adds
    # additionalProperties: false and moves unsupported keywords into descriptions); we still
    # validate the answer against the full pydantic model.
    return anthropic.transform_schema(output_schema)


@functools.cache
def _tool_input_schema(output_schema: type[pydantic.BaseModel]) -> dict[str, Any]:
    return output_schema.model_json_schema()


def _is_retryable(error: anthropic.AnthropicError) -> bool:
    if isinstance(error, anthropic.APIConnectionError):  # includes APITimeoutError
        return True
    if isinstance(error, anthropic.APIStatusError):
        return error.status_code in (408, 429) or error.status_code >= 500  # 529 is "overloaded"
    return False


def _retry_after_seconds(error: anthropic.AnthropicError) -> float:
    response = getattr(error, "response", None)
    if response is None:
        return 0.0
    value = response.headers.get("retry-after")
    try:
        return max(float(value), 0.0) if value is not None else 0.0
    except ValueError:
        return 0.0


def _describe(error: anthropic.AnthropicError) -> str:
    if isinstance(error, anthropic.APIStatusError):
        kind = error.type or "error"
        return f"HTTP {error.status_code} {kind}: {error.api_message or error.message}"
    return f"{type(error).__name__}: {error}"


class AnthropicProvider:
    name = "anthropic"

    def __init__(
        self,
        *,
        api_key: str,
        base_url: str | None = None,
        structured_output: str = "json_schema",
        sdk_max_retries: int = 2,
        retry_attempts: int = 3,
        retry_base_delay_ms: int = 2000,
        retry_max_delay_ms: int = 30000,
        timeout_seconds: float = 120,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if not api_key:
            raise ImproperlyConfigured("The Anthropic provider needs an API key (ANTHROPIC_API_KEY)")
        if structured_output not in STRUCTURED_OUTPUT_MODES:
            raise ValueError(f"structured_output must be one of {STRUCTURED_OUTPUT_MODES}, got {structured_output!r}")
        if retry_attempts < 1:
            raise ValueError("retry_attempts must be at least 1")
        self.structured_output = structured_output
        self.retry_attempts = retry_attempts
        self.retry_base_delay_ms = retry_base_delay_ms
        self.retry_max_delay_ms = retry_max_delay_ms
        self._sleep = sleep
        # One client per provider: its connection pool is shared by every thread that calls it.
        self.client = anthropic.Anthropic(
            api_key=api_key,
            base_url=base_url or None,
            max_retries=sdk_max_retries,
            timeout=timeout_seconds,
        )

    @classmethod
    def from_settings(cls) -> AnthropicProvider:
        return cls(
            api_key=settings.ANTHROPIC_API_KEY,
            base_url=settings.ANTHROPIC_BASE_URL,
            structured_output=settings.SALESOPS_LLM_STRUCTURED_OUTPUT,
            sdk_max_retries=settings.SALESOPS_LLM_SDK_MAX_RETRIES,
            retry_attempts=settings.SALESOPS_LLM_RETRY_ATTEMPTS,
            retry_base_delay_ms=settings.SALESOPS_LLM_RETRY_BASE_DELAY_MS,
            retry_max_delay_ms=settings.SALESOPS_LLM_RETRY_MAX_DELAY_MS,
            timeout_seconds=settings.SALESOPS_LLM_TIMEOUT_SECONDS,
        )

    def close(self) -> None:
        """Close the HTTP connection pool (tests and benchmarks that build many providers)."""
        self.client.close()

    # The request -----------------------------------------------------------------------------------

    def build_params(self, request: LLMRequest) -> dict[str, Any]:
        """The keyword arguments for `messages.create` (public so that tests and tools can inspect it)."""
        system: list[dict[str, Any]] = [{"type": "text", "text": text} for text in request.stable_system if text]
        if system:
            # One breakpoint after the last stable block caches everything before it (tools + system).
            system[-1]["cache_control"] = {"type": "ephemeral"}
        content = [{"type": "text", "text": text} for text in (request.data, request.instructions) if text]
        params: dict[str, Any] = {
            "model": request.model,
            "max_tokens": request.max_tokens,
            "messages": [{"role": "user", "content": content}],
        }
        if system:
            params["system"] = system
        if self.structured_output == "tool":
            params["tools"] = [
                {
                    "name": OUTPUT_TOOL_NAME,
                    "description": f"Record the {request.task} result. Call it exactly once with the complete result.",
                    "input_schema": _tool_input_schema(request.output_schema),
                }
            ]
            params["tool_choice"] = {"type": "tool", "name": OUTPUT_TOOL_NAME}
        else:
            params["output_config"] = {
                "format": {"type": "json_schema", "schema": _json_output_schema(request.output_schema)}
            }
        return params

    # The call --------------------------------------------------------------------------------------

    def complete(self, request: LLMRequest, *, budget: Budget | None = None) -> LLMResult:
        ensure_budget(budget)
        price_for(request.model)  # an unpriced model fails here, before anything is spent
        params = self.build_params(request)
        started = time.monotonic()
        message, attempts = self._create_with_retries(params, task=request.task)
        latency_ms = round((time.monotonic() - started) * 1000)

        usage = TokenUsage(
            input_tokens=message.usage.input_tokens or 0,
            output_tokens=message.usage.output_tokens or 0,
            cache_creation_input_tokens=message.usage.cache_creation_input_tokens or 0,
            cache_read_input_tokens=message.usage.cache_read_input_tokens or 0,
        )
        cost = cost_usd(request.model, usage)
        # Every answer is billed, usable or not: charge before judging it.
        if budget is not None and cost > 0:
            budget.charge(cost)
        request_id = getattr(message, "_request_id", None)
        billed = {"usage": usage, "cost_usd": cost, "request_id": request_id, "attempts": attempts}

        output = self._parse_output(request, message, billed)
        return LLMResult(
            output=output,
            provider=self.name,
            model=request.model,
            input_tokens=usage.input_tokens,
            output_tokens=usage.output_tokens,
            cache_creation_input_tokens=usage.cache_creation_input_tokens,
            cache_read_input_tokens=usage.cache_read_input_tokens,
            latency_ms=latency_ms,
            request_id=request_id,
            cost_usd=cost,
            attempts=attempts,
        )

    def _create_with_retries(self, params: dict[str, Any], *, task: str) -> tuple[Any, int]:
        last_error: anthropic.AnthropicError | None = None
        for attempt in range(1, self.retry_attempts + 1):
            try:
                return self.client.messages.create(**params), attempt
            except anthropic.AnthropicError as error:
                if not _is_retryable(error):
                    raise LLMError(
                        f"The Messages API refused the {task} request: {_describe(error)}",
                        request_id=getattr(error, "request_id", None),
                        attempts=attempt,
                    ) from error
                last_error = error
                if attempt == self.retry_attempts:
                    break
                delay = self._backoff_seconds(attempt, error)
                logger.warning(
                    "Model call for %s failed (%s), attempt %d of %d; retrying in %.2fs",
                    task,
                    _describe(error),
                    attempt,
                    self.retry_attempts,
                    delay,
                )
                self._sleep(delay)
        assert last_error is not None
        raise LLMUnavailable(
            f"The Messages API stayed unavailable for {task} after {self.retry_attempts} attempts: "
            f"{_describe(last_error)}",
            request_id=getattr(last_error, "request_id", None),
            attempts=self.retry_attempts,
        ) from last_error

    def _backoff_seconds(self, attempt: int, error: anthropic.AnthropicError) -> float:
        """Exponential backoff with jitter, at least what the server asked for, at most the maximum."""
        ceiling = min(self.retry_max_delay_ms, self.retry_base_delay_ms * 2 ** (attempt - 1)) / 1000
        jittered = ceiling * random.uniform(0.5, 1.0)
        return min(max(jittered, _retry_after_seconds(error)), self.retry_max_delay_ms / 1000)

    # The answer ------------------------------------------------------------------------------------

    def _parse_output(self, request: LLMRequest, message: Any, billed: dict[str, Any]) -> pydantic.BaseModel:
        stop_reason = message.stop_reason
        if stop_reason == "refusal":
            details = getattr(message, "stop_details", None)
            reasons = [getattr(details, "category", None), getattr(details, "explanation", None)]
            suffix = ": " + ", ".join(r for r in reasons if r) if any(reasons) else ""
            raise LLMRefusal(f"The model refused the {request.task} request{suffix}", **billed)
        if stop_reason in ("max_tokens", "model_context_window_exceeded"):
            raise LLMMaxTokens(
                f"The {request.task} answer was cut off ({stop_reason}, max_tokens={request.max_tokens})", **billed
            )

        if self.structured_output == "tool":
            tool_inputs = [
                block.input
                for block in message.content
                if getattr(block, "type", None) == "tool_use" and block.name == OUTPUT_TOOL_NAME
            ]
            if len(tool_inputs) != 1:
                raise LLMInvalidOutput(
                    f"The {request.task} answer had {len(tool_inputs)} {OUTPUT_TOOL_NAME} calls, expected 1 "
                    f"(stop_reason {stop_reason})",
                    **billed,
                )
            return self._validate(request, lambda: request.output_schema.model_validate(tool_inputs[0]), billed)

        text = "".join(block.text for block in message.content if getattr(block, "type", None) == "text")
        if not text.strip():
            raise LLMInvalidOutput(f"The {request.task} answer had no JSON text (stop_reason {stop_reason})", **billed)
        return self._validate(request, lambda: request.output_schema.model_validate_json(text), billed)

    @staticmethod
    def _validate(
        request: LLMRequest, validate: Callable[[], pydantic.BaseModel], billed: dict[str, Any]
    ) -> pydantic.BaseModel:
        try:
            return validate()
        except pydantic.ValidationError as error:
            raise LLMInvalidOutput(
                f"The {request.task} answer does not match {request.output_schema.__name__}: "
                f"{error.error_count()} error(s)",
                validation_message=str(error),
                **billed,
            ) from error
