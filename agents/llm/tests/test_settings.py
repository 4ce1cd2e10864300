"""Model settings come from the environment and fail loudly, naming the variable."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
PRINT_MODEL_SETTINGS = (
    "import django; django.setup(); from django.conf import settings as s; "
    "print(s.SALESOPS_LLM_MODELS['write'], s.SALESOPS_LLM_PRICES['claude-opus-5-5']['output'], "
    "s.SALESOPS_LLM_PRICES['claude-haiku-5-5']['input'], s.SALESOPS_LLM_MONTHLY_BUDGET_USD)"
)


def _settings_with(env_overrides: dict[str, str]) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SALESOPS_", "DJANGO_", "ANTHROPIC_"))}
    env.update({"DEBUG": "1", "DJANGO_SETTINGS_MODULE": "salesops.settings", **env_overrides})
    return subprocess.run(
        [sys.executable, "-c", PRINT_MODEL_SETTINGS], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )


def test_models_prices_and_budget_can_be_set_from_the_environment():
    result = _settings_with(
        {
            "SALESOPS_LLM_MODEL_WRITE": "claude-opus-5-5",
            "SALESOPS_LLM_PRICES": "claude-opus-5-5=4/20/5/0.20",
            "SALESOPS_LLM_MONTHLY_BUDGET_USD": "12.50",
        }
    )

    assert result.returncode == 0, result.stderr
    # The new model is priced; the built-in prices of the others stay.
    assert result.stdout.split() == ["claude-opus-5-5", "20", "0.10", "12.50"]


def test_a_model_without_a_price_stops_start_up():
    result = _settings_with({"SALESOPS_LLM_MODEL_WRITE": "claude-opus-5-5"})

    assert result.returncode != 0
    assert "SALESOPS_LLM_MODEL_WRITE='claude-opus-5-5' has no price" in result.stderr


def test_a_malformed_price_names_its_variable():
    result = _settings_with({"SALESOPS_LLM_PRICES": "claude-opus-5-5=4/20"})

    assert result.returncode != 0
    assert "SALESOPS_LLM_PRICES entries must look like model=input/output/cache_write/cache_read" in result.stderr
