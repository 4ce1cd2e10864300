"""Model providers for the agents: one small interface (`Provider.complete`), two implementations.

    from agents.llm import LLMRequest, get_provider, model_for

    request = LLMRequest(task="qualify", model=model_for("qualify"), stable_system=(...), data=...,
                         instructions=..., output_schema=QualifyOutput, offline_input=qualify_input)
    result = get_provider().complete(request, budget=workspace_budget)

`SALESOPS_LLM_PROVIDER` picks the provider ("offline", the default, or "anthropic"); the model per
agent, the price table, retries and the budget default are settings too (see salesops/settings.py).
"""

from __future__ import annotations

import threading

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from agents.llm.base import (
    TASKS,
    Budget,
    BudgetExhausted,
    FixedBudget,
    LLMError,
    LLMInvalidOutput,
    LLMMaxTokens,
    LLMRefusal,
    LLMRequest,
    LLMResult,
    LLMUnavailable,
    Provider,
    TokenUsage,
)
from agents.llm.offline import NoOfflineHandler, OfflineProvider, register_offline_handler

__all__ = [
    "TASKS",
    "Budget",
    "BudgetExhausted",
    "FixedBudget",
    "LLMError",
    "LLMInvalidOutput",
    "LLMMaxTokens",
    "LLMRefusal",
    "LLMRequest",
    "LLMResult",
    "LLMUnavailable",
    "NoOfflineHandler",
    "OfflineProvider",
    "Provider",
    "TokenUsage",
    "get_provider",
    "model_for",
    "register_offline_handler",
]

_providers: dict[tuple, Provider] = {}
_providers_lock = threading.Lock()


def model_for(agent_name: str) -> str:
    """The model id configured for an agent ("research", "qualify", "write", "verify", "classify")."""
    try:
        return settings.SALESOPS_LLM_MODELS[agent_name]
    except KeyError:
        known = ", ".join(sorted(settings.SALESOPS_LLM_MODELS))
        raise ImproperlyConfigured(f"No model is configured for agent {agent_name!r} (known: {known})") from None


def _settings_key(name: str) -> tuple:
    if name == "offline":
        return ("offline",)
    return (
        name,
        settings.ANTHROPIC_API_KEY,
        settings.ANTHROPIC_BASE_URL,
        settings.SALESOPS_LLM_STRUCTURED_OUTPUT,
        settings.SALESOPS_LLM_SDK_MAX_RETRIES,
        settings.SALESOPS_LLM_RETRY_ATTEMPTS,
        settings.SALESOPS_LLM_RETRY_BASE_DELAY_MS,
        settings.SALESOPS_LLM_RETRY_MAX_DELAY_MS,
        settings.SALESOPS_LLM_TIMEOUT_SECONDS,
    )


def get_provider(name: str | None = None) -> Provider:
    """The configured provider (or the one named), built once per process and settings.

    Providers are thread-safe: the Anthropic one shares one HTTP connection pool between the threads
    that run the model calls of independent leads concurrently.
    """
    name = name or settings.SALESOPS_LLM_PROVIDER
    if name not in ("offline", "anthropic"):
        raise ImproperlyConfigured(f"Unknown model provider {name!r}; use 'offline' or 'anthropic'")
    key = _settings_key(name)
    with _providers_lock:
        provider = _providers.get(key)
        if provider is None:
            if name == "anthropic":
                from agents.llm.anthropic_provider import AnthropicProvider

                provider = AnthropicProvider.from_settings()
            else:
                provider = OfflineProvider()
            _providers[key] = provider
        return provider
