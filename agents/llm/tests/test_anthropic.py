"""The Anthropic provider, with the real SDK over HTTP against a local fake Messages API."""

import socket
import time
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal
from typing import Literal

import pydantic
import pytest

from agents.llm import (
    BudgetExhausted,
    FixedBudget,
    LLMError,
    LLMInvalidOutput,
    LLMMaxTokens,
    LLMRefusal,
    LLMRequest,
    LLMUnavailable,
    get_provider,
)
from agents.llm.anthropic_provider import OUTPUT_TOOL_NAME, AnthropicProvider
from agents.llm.pricing import UnknownModelPrice


class Verdict(pydantic.BaseModel):
    verdict: Literal["qualified", "disqualified", "needs_person"]
    score: int = pydantic.Field(ge=0, le=100)
    reasons: list[str]


GOOD_OUTPUT = {"verdict": "qualified", "score": 82, "reasons": ["Hiring 12 SDRs", "Uses Salesforce"]}
STABLE_PREFIX = (
    "You qualify B2B leads for the campaign below.",
    "ICP: logistics companies, 200-2000 employees, EU.",
    "Policy: never promise discounts. Proof library: ...",
)


def qualify_request(**overrides) -> LLMRequest:
    fields = {
        "task": "qualify",
        "model": "claude-haiku-5-5",
        "stable_system": STABLE_PREFIX,
        "data": '<lead_data source="crm">Acme Freight, 640 employees, Rotterdam</lead_data>',
        "instructions": "Qualify this lead against the ICP.",
        "output_schema": Verdict,
        "max_tokens": 512,
    }
    fields.update(overrides)
    return LLMRequest(**fields)


@pytest.fixture(params=["json_schema", "tool"])
def any_mode_provider(request, make_anthropic_provider) -> AnthropicProvider:
    return make_anthropic_provider(structured_output=request.param)


# Success ------------------------------------------------------------------------------------------


def test_it_returns_the_validated_output_with_usage_cost_and_request_id(any_mode_provider, fake_anthropic):
    fake_anthropic.reply(
        GOOD_OUTPUT,
        input_tokens=120,
        output_tokens=40,
        cache_creation_input_tokens=0,
        cache_read_input_tokens=1500,
    )

    result = any_mode_provider.complete(qualify_request())

    assert result.output == Verdict(**GOOD_OUTPUT)
    assert (result.provider, result.model) == ("anthropic", "claude-haiku-5-5")
    assert (result.input_tokens, result.output_tokens) == (120, 40)
    assert (result.cache_creation_input_tokens, result.cache_read_input_tokens) == (0, 1500)
    # Haiku 5.5: 120 x $0.10 + 40 x $0.50 + 1500 x $0.01 per million tokens.
    assert result.cost_usd == Decimal("0.0000470")
    assert result.request_id is not None and result.request_id.startswith("req_fake")
    assert result.attempts == 1
    assert result.latency_ms >= 0


def test_it_marks_only_the_end_of_the_stable_prefix_for_caching(anthropic_provider, fake_anthropic):
    fake_anthropic.reply(GOOD_OUTPUT)

    anthropic_provider.complete(qualify_request())

    body = fake_anthropic.message_requests[0].body
    assert [block["text"] for block in body["system"]] == list(STABLE_PREFIX)
    assert [block.get("cache_control") for block in body["system"]] == [None, None, {"type": "ephemeral"}]
    # The per-lead data stays out of the cached prefix, in the user turn, before the instructions.
    user_texts = [block["text"] for block in body["messages"][0]["content"]]
    assert user_texts == [qualify_request().data, "Qualify this lead against the ICP."]
    assert all("cache_control" not in block for block in body["messages"][0]["content"])


def test_leads_of_one_campaign_share_the_cached_prefix(anthropic_provider, fake_anthropic):
    fake_anthropic.responder = lambda body: GOOD_OUTPUT  # usage simulated by the fake's prompt cache

    first = anthropic_provider.complete(qualify_request(data="<lead_data>Lead one</lead_data>"))
    second = anthropic_provider.complete(qualify_request(data="<lead_data>Lead two, longer</lead_data>"))

    assert first.cache_creation_input_tokens > 0 and first.cache_read_input_tokens == 0
    assert second.cache_read_input_tokens == first.cache_creation_input_tokens
    assert second.cache_creation_input_tokens == 0


def test_by_default_it_asks_for_the_json_schema_output_format(anthropic_provider, fake_anthropic):
    fake_anthropic.reply(GOOD_OUTPUT)

    anthropic_provider.complete(qualify_request())

    body = fake_anthropic.message_requests[0].body
    output_format = body["output_config"]["format"]
    assert output_format["type"] == "json_schema"
    assert set(output_format["schema"]["properties"]) == {"verdict", "score", "reasons"}
    assert output_format["schema"]["additionalProperties"] is False
    assert "tools" not in body and "tool_choice" not in body


def test_in_tool_mode_it_forces_the_one_output_tool(make_anthropic_provider, fake_anthropic):
    provider = make_anthropic_provider(structured_output="tool")
    fake_anthropic.reply(GOOD_OUTPUT)

    provider.complete(qualify_request())

    body = fake_anthropic.message_requests[0].body
    assert body["tool_choice"] == {"type": "tool", "name": OUTPUT_TOOL_NAME}
    assert [tool["name"] for tool in body["tools"]] == [OUTPUT_TOOL_NAME]
    assert body["tools"][0]["input_schema"] == Verdict.model_json_schema()
    assert "output_config" not in body


def test_it_sends_the_model_the_key_and_the_limits(anthropic_provider, fake_anthropic):
    fake_anthropic.reply(GOOD_OUTPUT)

    anthropic_provider.complete(qualify_request(model="claude-sonnet-5-5", max_tokens=700))

    request = fake_anthropic.message_requests[0]
    # SDK 2.x sends the key as a bearer token; older versions used x-api-key.
    credentials = request.headers.get("x-api-key") or request.headers.get("authorization", "")
    assert credentials.removeprefix("Bearer ") == "sk-ant-test-key"
    assert request.headers["anthropic-version"]
    assert (request.body["model"], request.body["max_tokens"]) == ("claude-sonnet-5-5", 700)


# Retries ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("status", [429, 529])
def test_it_retries_after_rate_limits_and_overload_then_succeeds(anthropic_provider, fake_anthropic, status):
    fake_anthropic.fail(status)
    fake_anthropic.reply(GOOD_OUTPUT)

    result = anthropic_provider.complete(qualify_request())

    assert result.output.score == 82
    assert result.attempts == 2
    assert len(fake_anthropic.message_requests) == 2


def test_the_sdk_retries_before_our_backoff_does(make_anthropic_provider, fake_anthropic):
    provider = make_anthropic_provider(sdk_max_retries=1)
    fake_anthropic.fail(429)
    fake_anthropic.reply(GOOD_OUTPUT)

    result = provider.complete(qualify_request())

    # The SDK's own retry absorbed the 429: one attempt of ours, two HTTP requests.
    assert result.attempts == 1
    assert len(fake_anthropic.message_requests) == 2
    assert fake_anthropic.message_requests[1].headers["x-stainless-retry-count"] == "1"


def test_a_server_error_on_every_attempt_is_unavailable_after_the_configured_attempts(
    make_anthropic_provider, fake_anthropic
):
    provider = make_anthropic_provider(retry_attempts=4)
    fake_anthropic.fail(500, times=10)

    with pytest.raises(LLMUnavailable, match="after 4 attempts: HTTP 500 api_error") as caught:
        provider.complete(qualify_request())

    assert caught.value.attempts == 4
    assert len(fake_anthropic.message_requests) == 4


def test_timeouts_are_retried_then_unavailable(make_anthropic_provider, fake_anthropic):
    provider = make_anthropic_provider(timeout_seconds=0.1, retry_attempts=2)
    fake_anthropic.latency_ms = 1000
    fake_anthropic.reply(GOOD_OUTPUT)
    fake_anthropic.reply(GOOD_OUTPUT)

    with pytest.raises(LLMUnavailable, match="APITimeoutError"):
        provider.complete(qualify_request())

    assert len(fake_anthropic.message_requests) == 2


def test_connection_errors_are_retried_then_unavailable(make_anthropic_provider):
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    provider = make_anthropic_provider(base_url=f"http://127.0.0.1:{closed_port}", retry_attempts=2)

    with pytest.raises(LLMUnavailable, match="APIConnectionError") as caught:
        provider.complete(qualify_request())

    assert caught.value.attempts == 2


def test_a_rejected_request_is_not_retried(anthropic_provider, fake_anthropic):
    fake_anthropic.fail(400, message="tool_choice forcing a tool is not supported for this model")

    with pytest.raises(LLMError, match="HTTP 400 invalid_request_error: tool_choice forcing") as caught:
        anthropic_provider.complete(qualify_request())

    assert not isinstance(caught.value, LLMUnavailable)
    assert caught.value.request_id is not None
    assert len(fake_anthropic.message_requests) == 1


# Answers that are errors --------------------------------------------------------------------------


def test_output_that_fails_the_schema_is_invalid_output_never_guessed(any_mode_provider, fake_anthropic):
    fake_anthropic.reply({"verdict": "probably", "score": 340, "reasons": []}, input_tokens=100, output_tokens=20)
    budget = FixedBudget(Decimal("1"))

    with pytest.raises(LLMInvalidOutput) as caught:
        any_mode_provider.complete(qualify_request(), budget=budget)

    assert "verdict" in caught.value.validation_message
    assert "score" in caught.value.validation_message
    # The tokens were billed all the same.
    assert caught.value.usage.output_tokens == 20
    assert budget.spent_usd == caught.value.cost_usd > 0


def test_text_that_is_not_json_is_invalid_output(anthropic_provider, fake_anthropic):
    fake_anthropic.reply_text("Sure! The lead looks qualified.")

    with pytest.raises(LLMInvalidOutput, match="does not match Verdict") as caught:
        anthropic_provider.complete(qualify_request())

    assert "Invalid JSON" in caught.value.validation_message


def test_a_refusal_is_an_error(any_mode_provider, fake_anthropic):
    fake_anthropic.refuse()

    with pytest.raises(LLMRefusal, match="refused the qualify request") as caught:
        any_mode_provider.complete(qualify_request())

    assert caught.value.request_id is not None


def test_an_answer_cut_off_at_max_tokens_is_an_error(any_mode_provider, fake_anthropic):
    fake_anthropic.stop_at_max_tokens()

    with pytest.raises(LLMMaxTokens, match="max_tokens=512"):
        any_mode_provider.complete(qualify_request())


# Budget and cost ----------------------------------------------------------------------------------


def test_a_spent_budget_stops_the_call_before_any_request(anthropic_provider, fake_anthropic):
    fake_anthropic.reply(GOOD_OUTPUT)

    with pytest.raises(BudgetExhausted):
        anthropic_provider.complete(qualify_request(), budget=FixedBudget(Decimal("0.50"), spent_usd=Decimal("0.50")))

    assert fake_anthropic.requests == []


def test_each_call_charges_its_cost_to_the_budget(anthropic_provider, fake_anthropic):
    budget = FixedBudget(Decimal("5"))
    fake_anthropic.reply(GOOD_OUTPUT, input_tokens=1000, output_tokens=200)
    fake_anthropic.reply(GOOD_OUTPUT, input_tokens=2000, output_tokens=100)

    first = anthropic_provider.complete(qualify_request(), budget=budget)
    second = anthropic_provider.complete(qualify_request(), budget=budget)

    assert budget.charges == [first.cost_usd, second.cost_usd]
    assert budget.remaining_usd() == Decimal("5") - first.cost_usd - second.cost_usd


def test_the_cost_comes_from_the_price_table_in_settings(anthropic_provider, fake_anthropic, settings):
    settings.SALESOPS_LLM_PRICES = {
        "claude-test": {
            "input": Decimal("3"),
            "output": Decimal("15"),
            "cache_write": Decimal("3.75"),
            "cache_read": Decimal("0.30"),
        }
    }
    fake_anthropic.reply(
        GOOD_OUTPUT,
        input_tokens=1_000_000,
        output_tokens=100_000,
        cache_creation_input_tokens=200_000,
        cache_read_input_tokens=2_000_000,
    )

    result = anthropic_provider.complete(qualify_request(model="claude-test"))

    assert result.cost_usd == Decimal("3") + Decimal("1.5") + Decimal("0.75") + Decimal("0.6")


def test_a_model_without_a_price_is_refused_before_any_request(anthropic_provider, fake_anthropic):
    fake_anthropic.reply(GOOD_OUTPUT)

    with pytest.raises(UnknownModelPrice, match="No price for model 'claude-unpriced'"):
        anthropic_provider.complete(qualify_request(model="claude-unpriced"))

    assert fake_anthropic.requests == []


# Concurrency and wiring ---------------------------------------------------------------------------


def test_calls_for_independent_leads_run_concurrently(anthropic_provider, fake_anthropic):
    calls = 8
    fake_anthropic.latency_ms = 200
    fake_anthropic.responder = lambda body: GOOD_OUTPUT

    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=calls) as pool:
        results = list(
            pool.map(
                lambda n: anthropic_provider.complete(qualify_request(data=f"<lead_data>Lead {n}</lead_data>")),
                range(calls),
            )
        )
    elapsed = time.monotonic() - started

    assert len(results) == calls and all(r.output.score == 82 for r in results)
    # One call takes 0.2 s; eight one after the other would take 1.6 s.
    assert elapsed < 0.2 * calls / 2, f"{calls} calls took {elapsed:.2f}s"


def test_get_provider_builds_the_anthropic_provider_from_settings(make_anthropic_provider, fake_anthropic, settings):
    settings.SALESOPS_LLM_PROVIDER = "anthropic"
    fake_anthropic.reply(GOOD_OUTPUT)

    provider = get_provider()
    result = provider.complete(qualify_request())

    assert isinstance(provider, AnthropicProvider)
    assert get_provider() is provider
    assert result.output.verdict == "qualified"
    assert len(fake_anthropic.message_requests) == 1
