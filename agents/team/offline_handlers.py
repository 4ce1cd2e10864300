"""Importing the agent modules registers their rule-based handlers with the offline provider."""

from agents.team import model_check, qualify, research, verifier, writer  # noqa: F401
