"""Functions the layers above hand to this app, so that it can call them without importing them.

The agents app registers these when it starts (see agents/apps.py):
- `on_campaign_activated` callbacks, called with a campaign's id once its activation commits;
- `suppression_readers`: the workspace's suppression list lives in agents.delivery; each reader takes a
  workspace id and returns the (addresses, domains) it never emails, lower-case. The audience leaves out
  every contact they cover."""

from collections.abc import Callable

on_campaign_activated: list[Callable[[int], None]] = []
suppression_readers: list[Callable[[int], tuple[set[str], set[str]]]] = []
