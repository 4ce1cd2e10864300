"""Configuration comes from the environment and fails loudly, naming the variable."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from salesops.env import env_bool, env_choice, env_int

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION_ENV = {
    "DEBUG": "0",
    "SECRET_KEY": "p7#x2!q9-a-real-looking-secret-key-that-is-long-enough-for-django-checks",
    "ALLOWED_HOSTS": "sales.example.com",
    "EMAIL_HOST": "smtp.example.com",
    "SALESOPS_ENCRYPTION_KEY": "a-real-looking-encryption-key-for-mailbox-secrets-0123456789",
}


def _manage(*args, env_overrides: dict[str, str], drop: tuple[str, ...] = ()):
    inherited = {k: v for k, v in os.environ.items() if k not in drop and not k.startswith("DJANGO_")}
    env = {k: v for k, v in inherited.items() if not k.startswith(("EMAIL_", "SALESOPS_", "REDIS_"))}
    env.update(env_overrides)
    env["DJANGO_SETTINGS_MODULE"] = "salesops.settings"
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


def test_bad_values_name_their_variable(monkeypatch):
    monkeypatch.setenv("DEBUG", "maybe")
    with pytest.raises(ImproperlyConfigured, match="DEBUG"):
        env_bool("DEBUG")
    monkeypatch.setenv("EMAIL_PORT", "twenty-five")
    with pytest.raises(ImproperlyConfigured, match="EMAIL_PORT"):
        env_int("EMAIL_PORT", 25)
    monkeypatch.setenv("SALESOPS_LLM_PROVIDER", "gpt")
    with pytest.raises(ImproperlyConfigured, match="SALESOPS_LLM_PROVIDER"):
        env_choice("SALESOPS_LLM_PROVIDER", ("offline", "anthropic"), "offline")


def test_production_refuses_to_start_without_a_secret_key():
    result = _manage("check", env_overrides={"DEBUG": "0"}, drop=("SECRET_KEY",))
    assert result.returncode != 0
    assert result.stderr.strip().splitlines()[-1] == (
        "salesops: configuration error: SECRET_KEY must be set when DEBUG is off"
    )


def test_a_malformed_setting_stops_start_up_with_one_line():
    result = _manage("check", env_overrides={**PRODUCTION_ENV, "EMAIL_PORT": "abc"})
    assert result.returncode != 0
    assert result.stderr.strip() == "salesops: configuration error: EMAIL_PORT must be an integer, got 'abc'"


def test_the_anthropic_provider_needs_its_key():
    result = _manage(
        "check", env_overrides={**PRODUCTION_ENV, "SALESOPS_LLM_PROVIDER": "anthropic"}, drop=("ANTHROPIC_API_KEY",)
    )
    assert "ANTHROPIC_API_KEY" in result.stderr


def test_production_settings_pass_the_deploy_check():
    result = _manage("check", "--deploy", "--fail-level", "WARNING", env_overrides=PRODUCTION_ENV)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_redis_url_switches_the_task_broker_to_redis():
    code = "from django.conf import settings; print(settings.Q_CLUSTER.get('redis'), settings.Q_CLUSTER.get('orm'))"
    result = _manage(
        "shell", "--no-imports", "-c", code, env_overrides={**PRODUCTION_ENV, "REDIS_URL": "redis://127.0.0.1:6390/0"}
    )
    assert result.stdout.strip() == "redis://127.0.0.1:6390/0 None", result.stderr
    without = _manage("shell", "--no-imports", "-c", code, env_overrides=PRODUCTION_ENV, drop=("REDIS_URL",))
    assert without.stdout.strip() == "None default", without.stderr


def test_task_queue_is_configured_for_reliability(settings):
    q = settings.Q_CLUSTER
    assert q["timeout"] < q["retry"]
    assert 1 <= q["max_attempts"] <= 5
    assert q["catch_up"] is False
    # Failures are kept for the admin; successes are recorded as agent steps and audit events instead.
    assert q["ack_failures"] is True
    assert q["save_limit"] < 0
    assert 1 <= q["bulk"] <= q["queue_limit"]
