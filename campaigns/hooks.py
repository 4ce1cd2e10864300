"""Functions the layers above hand to this app, so that it can call them without importing them.

The agents app registers `on_campaign_activated` callbacks when it starts (see agents/apps.py)."""

from collections.abc import Callable

on_campaign_activated: list[Callable[[int], None]] = []
