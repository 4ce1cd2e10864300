"""How an agent asks its model: the stable prefix (prompt + strategy), the lead's data block, a typed output."""

from dataclasses import dataclass

import pydantic

from agents.llm import Budget, LLMRequest, LLMResult, Provider, model_for
from agents.team.context import Lead, Strategy
from agents.team.prompts import load_prompt


@dataclass(frozen=True)
class AgentCall:
    output: pydantic.BaseModel
    result: LLMResult
    prompt_version: str


def ask_model(
    *,
    agent: str,
    strategy: Strategy,
    lead: Lead,
    instructions: str,
    output_schema: type[pydantic.BaseModel],
    offline_input,
    provider: Provider,
    budget: Budget | None,
    max_tokens: int = 2048,
) -> AgentCall:
    prompt = load_prompt(agent)
    request = LLMRequest(
        task=agent,
        model=model_for(agent),
        # Same text for every lead of a campaign, in the same order: the provider caches it.
        stable_system=(prompt.text, strategy.as_prompt_block()),
        data=lead.as_data_block(),
        instructions=instructions,
        output_schema=output_schema,
        max_tokens=max_tokens,
        offline_input=offline_input,
    )
    result = provider.complete(request, budget=budget)
    return AgentCall(output=result.output, result=result, prompt_version=prompt.version)
