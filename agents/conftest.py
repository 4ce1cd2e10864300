"""Fixtures for the agents' tests: a local fake Messages API and an Anthropic provider pointed at it."""

from collections.abc import Callable, Iterator

import pytest

from agents.llm.anthropic_provider import AnthropicProvider
from agents.llm.tests.fake_anthropic import FakeAnthropic


@pytest.fixture
def fake_anthropic() -> Iterator[FakeAnthropic]:
    with FakeAnthropic() as server:
        yield server


@pytest.fixture
def make_anthropic_provider(fake_anthropic: FakeAnthropic, settings) -> Iterator[Callable[..., AnthropicProvider]]:
    """Build providers that talk to the fake, with tiny retry delays; settings point at it too."""
    settings.ANTHROPIC_API_KEY = "sk-ant-test-key"
    settings.ANTHROPIC_BASE_URL = fake_anthropic.base_url
    settings.SALESOPS_LLM_SDK_MAX_RETRIES = 0
    settings.SALESOPS_LLM_RETRY_ATTEMPTS = 3
    settings.SALESOPS_LLM_RETRY_BASE_DELAY_MS = 1
    settings.SALESOPS_LLM_RETRY_MAX_DELAY_MS = 5

    made: list[AnthropicProvider] = []

    def make(**overrides) -> AnthropicProvider:
        options = {
            "api_key": "sk-ant-test-key",
            "base_url": fake_anthropic.base_url,
            "structured_output": "json_schema",
            "sdk_max_retries": 0,
            "retry_attempts": 3,
            "retry_base_delay_ms": 1,
            "retry_max_delay_ms": 5,
            "timeout_seconds": 5,
        }
        options.update(overrides)
        made.append(AnthropicProvider(**options))
        return made[-1]

    yield make
    for provider in made:
        provider.close()


@pytest.fixture
def anthropic_provider(make_anthropic_provider) -> AnthropicProvider:
    return make_anthropic_provider()
