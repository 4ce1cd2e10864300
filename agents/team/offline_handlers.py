"""Importing the agent modules registers their rule-based handlers with the offline provider."""

from agents.team import qualify, research, verifier, writer  # noqa: F401
